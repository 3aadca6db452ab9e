/**
 * `ice-voice-clone <command>`: dispatches to one file per command. Commands are loaded on demand so that
 * `--help` and client commands do not load the worker's native runtime.
 */
import { loadLogLevel, processEnv, type Env } from '../config';
import { EXIT_OK, EXIT_USAGE, parseCommandArgs, renderHelp, UsageError } from './args';
import { processIo, stopSignalWaiter, type CliIo, type Command } from './context';
import { exitCodeFor, formatError } from './errors';

interface CommandModule {
  command: Command;
}

interface CommandEntry {
  summary: string;
  load: () => CommandModule;
}

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, and require (unlike import()) works
   both compiled and under tsx's CommonJS hook, which the bin launcher uses. */

export const COMMANDS: Record<string, CommandEntry> = {
  dev: {
    summary:
      'Run the local stack (Temporal dev server + Web UI, ICE emulator, callback receiver, worker) and a demo clone',
    load: () => require('./commands/dev') as CommandModule,
  },
  worker: {
    summary: 'Run the voice-clone worker against ICE and the configured Temporal',
    load: () => require('./commands/worker') as CommandModule,
  },
  start: {
    summary: 'Start (or attach to) the clone of a voice; --wait shows progress',
    load: () => require('./commands/start') as CommandModule,
  },
  status: {
    summary: "Show a clone's stage, ICE status and timings",
    load: () => require('./commands/status') as CommandModule,
  },
  voices: {
    summary: "List the account's cloned voices and their jobs (--edition, --json)",
    load: () => require('./commands/voices') as CommandModule,
  },
  'delete-job': {
    summary: 'Delete a voice job that is not in Training or Success (DeleteCustomizedVoiceJob)',
    load: () => require('./commands/delete-job') as CommandModule,
  },
  'callback-server': {
    summary: 'Run the ICE callback receiver (HTTP → workflow signal)',
    load: () => require('./commands/callback-server') as CommandModule,
  },
  'callback-consumer': {
    summary: "Run the ICE callback queue consumer (ICE's MNS queue → workflow signal)",
    load: () => require('./commands/callback-consumer') as CommandModule,
  },
  'configure-callback': {
    summary: "Set ICE's event callback (SetEventCallback) and print it back",
    load: () => require('./commands/configure-callback') as CommandModule,
  },
  emulator: { summary: 'Run the local ICE emulator', load: () => require('./commands/emulator') as CommandModule },
  batch: {
    summary: 'Clone a batch of voices from a JSON-lines file as one durable run; --wait shows progress',
    load: () => require('./commands/batch') as CommandModule,
  },
  'batch-status': {
    summary: "Show a batch's progress while it runs, or its report once it ended",
    load: () => require('./commands/batch-status') as CommandModule,
  },
};

/* eslint-enable @typescript-eslint/no-require-imports */

export function renderGlobalHelp(): string {
  const lines = [
    'Usage: ice-voice-clone <command> [options]',
    '',
    'Alibaba Cloud ICE voice cloning as a durable Temporal workflow.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(20)} ${entry.summary}`),
    '',
    'Run `ice-voice-clone <command> --help` for the options of a command. Settings come from environment variables',
    '(see the README). Exit codes: 0 success, 1 failure, 2 bad usage or settings.',
  ];
  return lines.join('\n') + '\n';
}

export async function main(argv: string[], env: Env = processEnv(), io: CliIo = processIo): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(renderGlobalHelp());
      return name === undefined ? EXIT_USAGE : EXIT_OK;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    const { command } = entry.load();
    const args = parseCommandArgs(command.spec, rest);
    if (args.help) {
      io.out(renderHelp(command.spec));
      return EXIT_OK;
    }
    // Settings every command shares: a bad one is exit 2 whatever the command, even one that never logs.
    const logLevel = loadLogLevel(env);
    return await command.run(args, { env, logLevel, io, debug, stopRequested: stopSignalWaiter() });
  } catch (error) {
    io.err(formatError(error, debug));
    return exitCodeFor(error);
  }
}

/** Entry point when run as a program (`tsx src/cli/main.ts`, or bin/ice-voice-clone.js). */
export function runMain(argv: string[] = process.argv.slice(2)): void {
  void main(argv).then((code) => {
    process.exitCode = code;
    // Native Temporal handles can outlive a command by a moment; never let them keep a finished CLI alive.
    setTimeout(() => process.exit(code), 3_000).unref();
  });
}

if (require.main === module) runMain();
