/**
 * Finds the Temporal server binaries that tests, the benchmark and the local stack run. `@temporalio/testing`
 * downloads them from a host that offline machines cannot reach, so the project brings them from a package
 * registry instead (Go module proxy for the CLI, Maven Central for the time-skipping test server).
 * Order: explicit path → built or fetched earlier → build/fetch with the local toolchain → on PATH → SDK download
 * (the test server is taken from PATH first: nothing is pinned there).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LocalToolsConfig } from '../config';
import { silentLogger, type Logger } from '../observability/logger';

/**
 * Built from tools/temporal-cli (go.mod + go.sum): the CLI with a newer SQLite driver than its own, whose
 * v1.34.1 leaves the dev server's one SQLite connection failing with "interrupted" for good once a cancelled
 * request interrupted a query (why: tools/temporal-cli/tools.go). v1.6.0 and later of the CLI carry a `replace`
 * directive in go.mod that a dependent module cannot follow, hence v1.5.1.
 */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_SQLITE_VERSION = 'v1.44.3';
/** The binary's name says what it is, so that a plain `temporal` built earlier (old driver) is never taken for it. */
const TEMPORAL_CLI_BINARY = `temporal-${TEMPORAL_CLI_VERSION}-sqlite-${TEMPORAL_CLI_SQLITE_VERSION}`;
const TEMPORAL_CLI_GO_MODULE_DIR = path.resolve(__dirname, '../../tools/temporal-cli');
/** The SDK's "default" test server is the newest Java SDK release; 1.38.0 is the newest on Maven Central here. */
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';
const TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';
/**
 * The SDK gives the server ~5 s to answer. The JVM answers in under 1 s here; C1-only JIT and the serial GC keep
 * its start cheap on 2 shared cores (tests are short, so peak JIT performance does not matter).
 */
const TEST_SERVER_JVM_FLAGS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xss512k';

const BUILD_TIMEOUT_MS = 20 * 60_000;
/** A build or fetch says it is alive this often, so that a first run never looks hung. */
const PROGRESS_INTERVAL_MS = 15_000;

export interface ResolveOptions {
  /**
   * When nothing local works: true (default) returns undefined so that the SDK downloads the binary (machines
   * with internet); false throws a `TemporalBinaryUnavailableError` that says what to provide.
   */
  allowSdkDownload?: boolean;
  /**
   * Lines for a person waiting at a terminal: a build or fetch announces itself (once per machine), says it is
   * still running every 15 s with the elapsed time, and says when it is done. The logger gets the same facts.
   */
  onProgress?: (line: string) => void;
}

export class TemporalBinaryUnavailableError extends Error {
  override readonly name = 'TemporalBinaryUnavailableError';
  readonly code = 'TEMPORAL_BINARY_UNAVAILABLE';
  /**
   * @param localAttempts what was tried locally, when everything local failed (the SDK download is then the
   *   last resort); undefined when an explicit path is wrong, which no fallback should paper over.
   */
  constructor(
    message: string,
    readonly localAttempts?: string[],
  ) {
    super(message);
  }
}

type BinaryKind = 'cli' | 'test-server';

/** The message to show when neither a local binary nor the SDK's download is available. */
export function describeMissingTemporalBinary(kind: BinaryKind, reasons: string[] = []): string {
  const why = reasons.length > 0 ? ` Tried: ${reasons.join('; ')}.` : '';
  if (kind === 'cli') {
    return (
      'No Temporal CLI (dev server) is available.' +
      why +
      ' Provide one of: TEMPORAL_CLI_PATH=<path to a `temporal` binary with `server start-dev`>; a `temporal` on PATH; ' +
      `Go >= 1.25 on PATH with access to the Go module proxy (runs \`go build\` in tools/temporal-cli: CLI ${TEMPORAL_CLI_VERSION}); ` +
      'or internet access for the SDK download.'
    );
  }
  return (
    'No Temporal time-skipping test server is available.' +
    why +
    ' Provide one of: TEMPORAL_TEST_SERVER_PATH=<path to an executable taking `<port>`>; a `temporal-test-server` on PATH; ' +
    `Java 8+ and Maven on PATH with access to Maven Central (fetches io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION}); ` +
    'or internet access for the SDK download.'
  );
}

export async function resolveTemporalCli(
  tools: LocalToolsConfig,
  logger: Logger = silentLogger,
  options: ResolveOptions = {},
): Promise<string | undefined> {
  const log = logger.child({ binary: 'temporal-cli' });
  if (tools.temporalCliPath) return explicitPath(tools.temporalCliPath, 'TEMPORAL_CLI_PATH');

  const gopathBin = await goBinDir();
  // The pinned build first: a `temporal` on PATH may carry the SQLite driver that fails under load (see above).
  const pinned = [
    path.resolve(tools.cacheDir, 'bin', 'temporal'),
    gopathBin && path.join(gopathBin, TEMPORAL_CLI_BINARY),
  ];
  for (const candidate of pinned) {
    if (candidate && (await isExecutable(candidate))) {
      log.debug('using existing Temporal CLI', { path: candidate });
      return candidate;
    }
  }

  const reasons: string[] = [];
  if (gopathBin) {
    try {
      return await buildTemporalCli(gopathBin, log, options.onProgress);
    } catch (err) {
      reasons.push(`go build failed: ${errorText(err)}`);
      log.warn('building the Temporal CLI failed', { error: errorText(err) });
    }
  } else {
    reasons.push('no Go toolchain to build the pinned CLI');
  }
  const onPath = await findOnPath('temporal');
  if (onPath) {
    log.warn('using the `temporal` on PATH; its SQLite driver may fail under load', { path: onPath, reasons });
    return onPath;
  }
  reasons.push('no `temporal` on PATH');
  return sdkDownloadOrThrow('cli', reasons, log, options);
}

export async function resolveTemporalTestServer(
  tools: LocalToolsConfig,
  logger: Logger = silentLogger,
  options: ResolveOptions = {},
): Promise<string | undefined> {
  const log = logger.child({ binary: 'temporal-test-server' });
  if (tools.temporalTestServerPath) return explicitPath(tools.temporalTestServerPath, 'TEMPORAL_TEST_SERVER_PATH');

  const installDir = path.resolve(tools.cacheDir, 'temporal-test-server', TEMPORAL_TEST_SERVER_VERSION);
  const wrapper = path.join(installDir, 'temporal-test-server');
  for (const candidate of [await findOnPath('temporal-test-server'), wrapper]) {
    if (candidate && (await isExecutable(candidate))) {
      log.debug('using existing Temporal test server', { path: candidate });
      return candidate;
    }
  }

  const reasons: string[] = [];
  const [java, mvn] = await Promise.all([findOnPath('java'), findOnPath('mvn')]);
  if (java && mvn) {
    try {
      await fetchTestServer(installDir, log, options.onProgress);
      return wrapper;
    } catch (err) {
      reasons.push(`Maven fetch failed: ${errorText(err)}`);
      log.warn('fetching the Temporal test server failed', { error: errorText(err) });
    }
  } else {
    reasons.push(`no \`temporal-test-server\` on PATH and no ${java ? 'Maven' : 'Java'} to fetch one`);
  }
  return sdkDownloadOrThrow('test-server', reasons, log, options);
}

async function explicitPath(file: string, variable: string): Promise<string> {
  const absolute = path.resolve(file);
  if (!(await isExecutable(absolute))) {
    throw new TemporalBinaryUnavailableError(`${variable}=${file} is not an executable file.`);
  }
  return absolute;
}

function sdkDownloadOrThrow(kind: BinaryKind, reasons: string[], log: Logger, options: ResolveOptions): undefined {
  if (options.allowSdkDownload === false) {
    throw new TemporalBinaryUnavailableError(describeMissingTemporalBinary(kind, reasons), reasons);
  }
  log.warn('no local Temporal binary; falling back to the SDK download (needs internet)', { reasons });
  return undefined;
}

async function buildTemporalCli(binDir: string, log: Logger, onProgress?: (line: string) => void): Promise<string> {
  const binary = path.join(binDir, TEMPORAL_CLI_BINARY);
  log.info('building the Temporal CLI with go build; the first build takes several minutes', { binary });
  onProgress?.(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (once per machine, several minutes; later runs reuse ${binary})…`,
  );
  const started = Date.now();
  // Built to a temporary name and renamed: an interrupted build never leaves a half-written binary behind.
  const staging = `${binary}.tmp-${process.pid}`;
  await run('go', ['build', '-o', staging, TEMPORAL_CLI_MODULE], log, 'go build', TEMPORAL_CLI_GO_MODULE_DIR, {
    onProgress,
    doing: 'building the Temporal CLI',
  });
  await rename(staging, binary);
  if (!(await isExecutable(binary))) throw new Error(`go build succeeded but ${binary} is missing`);
  const seconds = Math.round((Date.now() - started) / 1000);
  log.info('built the Temporal CLI', { path: binary, seconds });
  onProgress?.(`Built the Temporal CLI in ${seconds} s.`);
  return binary;
}

/**
 * The test server is not a fat jar: fetch it with its runtime classpath through a throwaway POM, then write a
 * wrapper that `exec`s java (the SDK kills only the process it spawned). Built in a temp folder and renamed,
 * so that an interrupted fetch never leaves a half-filled cache behind.
 */
async function fetchTestServer(installDir: string, log: Logger, onProgress?: (line: string) => void): Promise<void> {
  const started = Date.now();
  const staging = `${installDir}.tmp-${process.pid}-${randomUUID()}`;
  log.info('fetching the Temporal test server from Maven', { version: TEMPORAL_TEST_SERVER_VERSION, installDir });
  onProgress?.(
    `Fetching the Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} from Maven Central (once per machine; kept in ${installDir})…`,
  );
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(path.join(staging, 'pom.xml'), fetchPom());
    await run(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        path.join(staging, 'pom.xml'),
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${path.join(staging, 'lib')}`,
      ],
      log,
      'mvn dependency:copy-dependencies',
      undefined,
      { onProgress, doing: 'fetching the Temporal test server' },
    );
    const jars = await readdir(path.join(staging, 'lib'));
    if (!jars.some((jar) => jar.startsWith('temporal-test-server-'))) {
      throw new Error('Maven finished but temporal-test-server jar is missing');
    }
    const wrapper = path.join(staging, 'temporal-test-server');
    await writeFile(wrapper, wrapperScript());
    await chmod(wrapper, 0o755);
    // Another process (a second test file) may have finished the same fetch meanwhile: keep its copy.
    if (await isExecutable(path.join(installDir, 'temporal-test-server'))) return;
    await rm(installDir, { recursive: true, force: true });
    await rename(staging, installDir).catch(async (err: unknown) => {
      if (!(await isExecutable(path.join(installDir, 'temporal-test-server')))) throw err;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  log.info('fetched the Temporal test server', { seconds });
  onProgress?.(`Fetched the Temporal test server in ${seconds} s.`);
}

function fetchPom(): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.ice-voice-clone</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEMPORAL_TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

function wrapperScript(): string {
  return `#!/bin/sh
# Temporal time-skipping test server ${TEMPORAL_TEST_SERVER_VERSION} (written by src/local-stack/temporal-binaries.ts).
# Usage: temporal-test-server <port> — time skipping starts locked, as @temporalio/testing expects.
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
JAVA="\${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" ${TEST_SERVER_JVM_FLAGS} -cp "$DIR/lib/*" ${TEST_SERVER_MAIN_CLASS} "$@"
`;
}

/** `go env GOBIN`, else `$(go env GOPATH)/bin`: where the CLI is built to (kept between fresh clones). */
async function goBinDir(): Promise<string | undefined> {
  if (!(await findOnPath('go'))) return undefined;
  try {
    const [gobin, gopath] = (await capture('go', ['env', 'GOBIN', 'GOPATH'])).split('\n').map((s) => s.trim());
    if (gobin) return gobin;
    if (gopath) return path.join(gopath.split(path.delimiter)[0] ?? gopath, 'bin');
  } catch {
    // A broken Go install is the same as none: fall through to the next step.
  }
  return undefined;
}

async function findOnPath(command: string): Promise<string | undefined> {
  try {
    const found = (await capture('sh', ['-c', 'command -v "$1"', 'sh', command])).trim();
    return found.startsWith('/') ? found : undefined;
  } catch {
    return undefined;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function capture(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (err, stdout) => {
      // ExecFileException is Error-shaped but built from Omit<>s, which the type checker does not accept as an Error.
      if (err) reject(new Error(err.message, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** Runs a long build step, saying that it is still alive so that a terminal or CI log does not look hung. */
function run(
  command: string,
  args: string[],
  log: Logger,
  label: string,
  cwd?: string,
  progressLine?: { onProgress?: (line: string) => void; doing: string },
): Promise<void> {
  const started = Date.now();
  const progress = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log.info(`${label} still running`, { seconds });
    progressLine?.onProgress?.(`  … still ${progressLine.doing} (${seconds} s)`);
  }, PROGRESS_INTERVAL_MS);
  return new Promise<void>((resolve, reject) => {
    execFile(command, args, { cwd, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      clearInterval(progress);
      if (!err) return resolve();
      const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${label} exited with ${err.code ?? err.signal ?? 'an error'}: ${output || err.message}`));
    });
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
