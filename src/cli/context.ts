/**
 * What every command receives: its arguments, the environment it may read settings from (through src/config.ts
 * only), the settings every command shares, and where to write. Passing these in keeps commands testable in-process and free of global state.
 */
import type { Env, LogLevel } from '../config';
import type { CommandSpec, ParsedArgs } from './args';

export interface CliIo {
  /** Command output (human text or JSON). */
  out(text: string): void;
  /** Progress and error lines for humans. Structured logs go to stderr through the logger, not here. */
  err(text: string): void;
}

export interface CliContext {
  env: Env;
  /** LOG_LEVEL, read (and refused when bad) before any command runs. */
  logLevel: LogLevel;
  io: CliIo;
  debug: boolean;
  /** Resolves when the user asks the process to stop (SIGINT/SIGTERM); handlers are installed on first call. */
  stopRequested(): Promise<string>;
}

export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, context: CliContext): Promise<number>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

/** Resolves with the signal's name on the first SIGINT or SIGTERM after the first call; later calls share it. */
export function stopSignalWaiter(): () => Promise<string> {
  let stopped: Promise<string> | undefined;
  return () => (stopped ??= onStopSignal());
}

/**
 * After the first signal the handler stays installed and ignores repeats: a Ctrl-C in a terminal reaches npm, tsx
 * and this process at once, and tsx relays it again, so a second SIGINT must not kill us mid-cleanup (the dev
 * server, in its own process group, would be left behind).
 */
function onStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    let first: string | undefined;
    const stop = (signal: NodeJS.Signals): void => {
      if (first === undefined) {
        first = signal;
        resolve(signal);
      }
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
