/**
 * A command of the package's bin (or another Node entry) as a process of its own, for a test of that command
 * itself: its flags, what it prints, how it stops on a signal. Its output is collected; what a test leaves running
 * is killed when the test process exits.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'ice-voice-clone.js');

export interface NodeProcess {
  readonly pid: number | undefined;
  /** Standard output so far. */
  out(): string;
  /** Standard error so far. */
  err(): string;
  /** Both, in the order they arrived. */
  all(): string;
  /** The first match of `pattern` in standard output; fails if the process exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Sends `signal` (default SIGINT) unless it has ended, then waits for its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface NodeProcessOptions {
  /** Its whole environment; default this process's. */
  env?: NodeJS.ProcessEnv;
}

const running = new Set<NodeProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
});

/** Runs `node <args>` in the repository root. */
export function startNodeProcess(args: string[], options: NodeProcessOptions = {}): NodeProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: options.env ?? process.env, stdio: 'pipe' });
  let out = '';
  let err = '';
  let all = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    all += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    all += chunk.toString();
  });
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    // 'close', not 'exit': by then its output has been read to the end.
    child.once('close', (code) => {
      ended = true;
      running.delete(handle);
      resolve(code);
    }),
  );
  const handle: NodeProcess = {
    pid: child.pid,
    out: () => out,
    err: () => err,
    all: () => all,
    exited,
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      for (const deadline = Date.now() + timeoutMs; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
        const match = pattern.exec(out);
        if (match) return match;
        if (ended) throw new Error(`exited before printing ${pattern}:\n${all}`);
        if (Date.now() > deadline) throw new Error(`did not print ${pattern} within ${timeoutMs} ms:\n${all}`);
      }
    },
    stop: (signal = 'SIGINT') => {
      if (!ended) child.kill(signal);
      return exited;
    },
  };
  running.add(handle);
  return handle;
}

/** Runs `ice-voice-clone <argv>` through the bin launcher, as a user would. */
export function startCliProcess(argv: string[], options: NodeProcessOptions = {}): NodeProcess {
  return startNodeProcess([BIN, ...argv], options);
}
