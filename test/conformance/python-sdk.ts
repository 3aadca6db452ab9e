/**
 * Alibaba's official Python SDK for ICE in a venv under .cache/python-sdk/ (gitignored), installed from PyPI with
 * pip on first use and again only when requirements.txt changes. Never skipped: a machine without python3, its venv
 * module or pip fails with what to install.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const REQUIREMENTS = path.join(__dirname, 'requirements.txt');
const VENV = path.join(ROOT, '.cache', 'python-sdk', 'venv');
const STAMP = path.join(VENV, 'installed-requirements.txt');
const INSTALL_HINT =
  'install Python 3 with its venv module and pip (Debian: apt-get install python3 python3-venv python3-pip)';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT: not installed). */
  spawnError?: NodeJS.ErrnoException;
}

/** Runs a program without blocking the event loop (the emulator under test answers in this same process). */
export function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 600_000,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const errno = error as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (errno && typeof errno.code === 'string') {
        resolve({ code: -1, stdout, stderr, spawnError: errno });
        return;
      }
      const code = errno ? (typeof errno.code === 'number' ? errno.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const tail = (text: string): string => text.trim().split('\n').slice(-15).join('\n');

/** The venv's python, with the pinned SDK installed. Throws with what to install when the machine lacks Python. */
export async function ensurePythonSdk(log: (line: string) => void = (line) => console.error(line)): Promise<string> {
  const python = path.join(VENV, 'bin', 'python');
  const requirements = await readFile(REQUIREMENTS, 'utf8');
  if (existsSync(python) && existsSync(STAMP) && (await readFile(STAMP, 'utf8')) === requirements) return python;

  const version = await run('python3', ['--version']);
  if (version.spawnError)
    throw new Error(`the Python SDK conformance test needs python3, which is not on PATH: ${INSTALL_HINT}`);
  if (version.code !== 0) throw new Error(`python3 --version failed (${tail(version.stderr)}): ${INSTALL_HINT}`);
  if (!existsSync(python)) {
    await mkdir(path.dirname(VENV), { recursive: true });
    const venv = await run('python3', ['-m', 'venv', VENV]);
    if (venv.code !== 0) {
      throw new Error(
        `python3 -m venv failed (${tail(venv.stderr || venv.stdout)}): the venv module is missing: ${INSTALL_HINT}`,
      );
    }
  }
  const pip = await run(python, ['-m', 'pip', '--version']);
  if (pip.code !== 0) throw new Error(`the venv has no pip (${tail(pip.stderr)}): ${INSTALL_HINT}`);

  const pinned = requirements
    .split('\n')
    .find((line) => line.startsWith('alibabacloud-ice20201109=='))
    ?.trim();
  log(
    `python-sdk: pip install ${pinned ?? 'alibabacloud-ice20201109'} and its Alibaba dependencies from PyPI into ${path.relative(ROOT, VENV)} (first run only)`,
  );
  const install = await run(python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-input',
    '-r',
    REQUIREMENTS,
  ]);
  if (install.code !== 0) {
    throw new Error(
      `pip install -r ${path.relative(ROOT, REQUIREMENTS)} failed (PyPI must be reachable):\n${tail(install.stderr || install.stdout)}`,
    );
  }
  await writeFile(STAMP, requirements);
  return python;
}
