import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadLocalToolsConfig, loadTaskQueue, loadWorkerConfig, type LogLevel } from '../../config';
import { demoOutcome, startDemoClone, type DemoClone } from '../../local-stack/demo';
import {
  checkLocalStackPorts,
  LOCAL_STACK_CALLBACK_MODES,
  LOCAL_STACK_DEFAULT_PORTS,
  LOCAL_STACK_DEFAULT_TRAINING_MS,
  startLocalStack,
  type LocalStack,
  type LocalStackCallbacks,
  type LocalStackOptions,
} from '../../local-stack/stack';
import { createLogger, type Logger } from '../../observability/logger';
import {
  EXIT_FAILURE,
  EXIT_OK,
  portOption,
  stringOption,
  UsageError,
  wholeNumberOption,
  type CommandSpec,
  type ParsedValues,
} from '../args';
import type { CliContext, Command } from '../context';
import { describeWorkflowFailure, metricsExporterFailure } from '../errors';
import { formatElapsed, watchCloneProgress } from '../progress';
import { installTemporalRuntime } from '../../observability/temporal-runtime';
import { describeResult } from './start';

type LocalStackFlags = Pick<
  LocalStackOptions,
  'temporalPort' | 'uiPort' | 'callbackPort' | 'emulatorPort' | 'trainingMs' | 'callbacks'
>;

const spec: CommandSpec = {
  name: 'dev',
  summary:
    'Run the whole system locally: a Temporal dev server with the Web UI (SQLite in the data folder, so a restart\n' +
    'keeps workflows), the ICE emulator, the callback receiver (signed callbacks, registered with SetEventCallback)\n' +
    'or an MNS queue and its consumer, and a worker; then a demonstration clone with live progress. Ctrl-C stops\n' +
    'everything.',
  options: {
    callbacks: {
      type: 'string',
      value: '<http|mns|none>',
      description:
        "ICE's events: http (default, the receiver), mns (a queue and its consumer), none (the clone polls).",
    },
    'temporal-port': {
      type: 'string',
      value: '<port>',
      description: `Temporal gRPC port (${LOCAL_STACK_DEFAULT_PORTS.temporal}; 0 = random).`,
    },
    'ui-port': {
      type: 'string',
      value: '<port>',
      description: `Temporal Web UI port (${LOCAL_STACK_DEFAULT_PORTS.ui}; 0 = random).`,
    },
    'callback-port': {
      type: 'string',
      value: '<port>',
      description: `Callback receiver port (${LOCAL_STACK_DEFAULT_PORTS.callback}; 0 = random; http callbacks only).`,
    },
    'emulator-port': {
      type: 'string',
      value: '<port>',
      description: `ICE emulator port (${LOCAL_STACK_DEFAULT_PORTS.emulator}; 0 = random).`,
    },
    'data-dir': { type: 'string', value: '<dir>', description: 'Data folder (VOICE_CLONE_DATA_DIR or .data).' },
    'training-ms': {
      type: 'string',
      value: '<ms>',
      description: `Emulated training time (${LOCAL_STACK_DEFAULT_TRAINING_MS}).`,
    },
    'voice-id': {
      type: 'string',
      value: '<id>',
      description: 'VoiceId of the demonstration clone (default: a new one).',
    },
    'no-demo': { type: 'boolean', description: 'Start the stack without the demonstration clone.' },
    'exit-after-demo': { type: 'boolean', description: 'Stop everything once the demonstration clone has ended.' },
  },
  notes: [
    "Logs (JSON lines) go to <data-dir>/local-stack.log, the dev server's output to <data-dir>/temporal-server.log.",
    'Talk to the stack from another terminal with the default settings, e.g. `ice-voice-clone status <voiceId>`.',
  ],
};

async function runDemo(stack: LocalStack, context: CliContext, voiceId: string | undefined): Promise<boolean> {
  const out = (line: string): void => context.io.out(line);
  const startedAt = Date.now();
  out('');
  const demo: DemoClone = await startDemoClone(stack, { ...(voiceId && { voiceId }), onLine: out });
  const progress = watchCloneProgress(demo.handle, (line) => out(`  ${line}`), { startedAt, intervalMs: 500 });
  const outcome = await Promise.race([demoOutcome(demo), context.stopRequested().then(() => undefined)]);
  await progress.stop();
  if (!outcome) return false;
  const elapsed = formatElapsed(Date.now() - startedAt);
  if (outcome.ok) out(`  ${describeResult(outcome.result)} [${elapsed}]`);
  else out(`  Clone failed after ${elapsed}: ${describeWorkflowFailure(outcome.error)}`);
  return outcome.ok;
}

function stackFlags(values: ParsedValues): LocalStackFlags {
  return {
    temporalPort: portOption(spec, values, 'temporal-port'),
    uiPort: portOption(spec, values, 'ui-port'),
    callbackPort: portOption(spec, values, 'callback-port'),
    emulatorPort: portOption(spec, values, 'emulator-port'),
    trainingMs: wholeNumberOption(spec, values, 'training-ms', 0, 86_400_000),
    callbacks: callbacksOption(values),
  };
}

function callbacksOption(values: ParsedValues): LocalStackCallbacks {
  const raw = stringOption(values, 'callbacks') ?? 'http';
  const mode = LOCAL_STACK_CALLBACK_MODES.find((candidate) => candidate === raw);
  if (mode === undefined) throw new UsageError(`${spec.name}: --callbacks must be http, mns or none, got "${raw}"`);
  return mode;
}

function describeCallbacks(stack: LocalStack): string {
  if (stack.receiver) return `${stack.receiver.callbackUrl} (signed; auth key generated for this run, kept in memory)`;
  if (stack.callbackQueue) return `MNS queue ${stack.callbackQueue} in the emulator, read by the queue consumer`;
  return 'none (clones poll ICE)';
}

interface StackLog {
  logger: Logger;
  close(): Promise<void>;
}

/** The stack's log file, and Temporal's runtime logging into it (with the metrics exporter when asked for). */
async function openStackLog(
  dataDir: string,
  logLevel: LogLevel,
  metricsAddress: string | undefined,
): Promise<StackLog> {
  await mkdir(dataDir, { recursive: true });
  const logStream = createWriteStream(path.join(dataDir, 'local-stack.log'), { flags: 'a' });
  const logger = createLogger('local-stack', logLevel, (line) => logStream.write(line + '\n'));
  const close = (): Promise<void> => new Promise((resolve) => logStream.end(resolve));
  try {
    // The stack stops its parts in order itself: no shutdown signals for the runtime.
    installTemporalRuntime({ logger, sdkLogLevel: logLevel, metricsAddress, shutdownSignals: [] });
  } catch (error) {
    await close();
    throw metricsExporterFailure(error, metricsAddress);
  }
  return { logger, close };
}

function describeStack(stack: LocalStack, dataDir: string, metricsAddress: string | undefined): string {
  const metrics = metricsAddress ? `, Prometheus metrics on http://${metricsAddress}/metrics` : '';
  return [
    'Local stack running:',
    `  Temporal      ${stack.temporal.address} (namespace ${stack.temporal.namespace})`,
    `  Web UI        ${stack.temporal.uiUrl}`,
    `  ICE emulator  ${stack.emulator.url} (ICE_ENDPOINT for other commands; dev key pair)`,
    `  Callbacks     ${describeCallbacks(stack)}`,
    `  Worker        task queue ${stack.taskQueue}${metrics}`,
    `  Data, logs    ${dataDir}`,
  ].join('\n');
}

/** The demonstration (unless --no-demo), then Ctrl-C (unless --exit-after-demo): the command's exit code. */
async function serveUntilDone(
  stack: LocalStack,
  context: CliContext,
  values: ParsedValues,
  stopped: Promise<string>,
): Promise<number> {
  let demoOk = true;
  if (values['no-demo'] !== true) {
    const stoppedFirst = await Promise.race([
      stopped.then(() => true),
      runDemo(stack, context, stringOption(values, 'voice-id')).then((ok) => {
        demoOk = ok;
        return false;
      }),
    ]);
    if (stoppedFirst) return EXIT_OK;
  }
  if (values['exit-after-demo'] === true) return demoOk ? EXIT_OK : EXIT_FAILURE;
  context.io.out('\nReady. Ctrl-C stops everything.');
  await stopped;
  return EXIT_OK;
}

export const command: Command = {
  spec,
  async run({ values }, context) {
    // Handlers first: a Ctrl-C while starting must still stop the dev server (it runs in its own process group).
    const stopped = context.stopRequested();
    const tools = loadLocalToolsConfig(context.env);
    const dataDir = path.resolve(stringOption(values, 'data-dir') ?? tools.dataDir);
    const flags = stackFlags(values);
    const { metricsAddress } = loadWorkerConfig(context.env);
    const taskQueue = loadTaskQueue(context.env);
    // Before the runtime and log file: a busy port is the most common start failure and needs one clear line.
    await checkLocalStackPorts(flags);
    const log = await openStackLog(dataDir, context.logLevel, metricsAddress);

    const callbackPart = { http: 'callback receiver, ', mns: 'MNS queue consumer, ', none: '' }[
      flags.callbacks ?? 'http'
    ];
    context.io.out(`Starting the local stack (Temporal dev server, ICE emulator, ${callbackPart}worker)…`);
    let stack: LocalStack | undefined;
    try {
      const onProgress = (line: string): void => context.io.out(line);
      stack = await startLocalStack({
        tools: { ...tools, dataDir },
        ...flags,
        taskQueue,
        logger: log.logger,
        onProgress,
      });
      context.io.out(describeStack(stack, dataDir, metricsAddress));
      return await serveUntilDone(stack, context, values, stopped);
    } finally {
      if (stack) {
        context.io.out('Stopping the local stack…');
        await stack.close();
        context.io.out('Stopped.');
      }
      await log.close();
    }
  },
};
