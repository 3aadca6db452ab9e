/**
 * The parent side of a stack's child process (child side: child-entry.ts): forked on plain node with IPC (the
 * script from child-script.ts), its spec sent over IPC once it listens (it carries key pairs, which must not appear
 * on a command line or in its environment), its output in a log file, killed if this process exits, and ready once
 * it sends { type: 'ready', ... }.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { childScript } from './child-script';

export interface ForkedChild<Ready> {
  readonly pid: number;
  /** The child's 'ready' message. */
  readonly ready: Ready;
  readonly exited: Promise<number | null>;
  /** Sends `{ ...message, id }` and resolves with the child's answer: the message of the same type and id. */
  request<Reply>(message: { type: string }): Promise<Reply>;
  /** Asks the child to stop ({ type: 'shutdown' }); SIGKILL after `graceMs`. */
  shutdown(graceMs: number): Promise<void>;
  /** SIGKILL, as a crash would: the child gets no chance to close anything. */
  kill(): Promise<void>;
}

export interface ForkOptions {
  /** Where the child's stdout/stderr go; else only a tail of stderr is kept, for the error if it dies early. */
  logFile?: string;
  /** Write a V8 CPU profile of every thread there when the child exits (the bench's --profile-workers). */
  cpuProfileDir?: string;
}

/** Forks the child script with its output in the log file (or dropped), killed if this process exits. */
async function spawnChild(entry: string, options: ForkOptions): Promise<{ child: ChildProcess; stderrTail(): string }> {
  const child = fork(await childScript(entry), [], {
    execArgv: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    child.stdout?.resume();
  }
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
  });
  return { child, stderrTail: () => tail };
}

/** Sends the spec when the child asks for it; resolves with its 'ready' message, rejects if it exits first. */
function awaitReady<Ready>(
  child: ChildProcess,
  spec: unknown,
  exited: Promise<number | null>,
  failure: (code: number | null) => Error,
): Promise<Ready> {
  return new Promise<Ready>((resolve, reject) => {
    const onMessage = (message: { type?: string }): void => {
      if (message.type === 'waiting') child.send({ type: 'spec', spec });
      if (message.type === 'ready') {
        child.off('message', onMessage);
        resolve(message as Ready);
      }
    };
    child.on('message', onMessage);
    void exited.then((code) => reject(failure(code)));
  });
}

/** Request/answer over IPC by type and id; requests still waiting fail together when the child exits. */
function requester(
  child: ChildProcess,
  name: string,
  exited: Promise<number | null>,
  isRunning: () => boolean,
): <Reply>(message: { type: string }) => Promise<Reply> {
  let lastRequestId = 0;
  // One exit hook for all unanswered requests, not one per request.
  const unanswered = new Map<number, (exitCode: number | null) => void>();
  void exited.then((code) => {
    for (const fail of unanswered.values()) fail(code);
    unanswered.clear();
  });
  return <Reply>(message: { type: string }): Promise<Reply> => {
    if (!isRunning()) return Promise.reject(new Error(`${name} is not running (${message.type})`));
    const id = ++lastRequestId;
    return new Promise<Reply>((resolve, reject) => {
      const onMessage = (answer: { type?: string; id?: number }): void => {
        if (answer.type !== message.type || answer.id !== id) return;
        child.off('message', onMessage);
        unanswered.delete(id);
        resolve(answer as Reply);
      };
      child.on('message', onMessage);
      unanswered.set(id, (code) => {
        child.off('message', onMessage);
        reject(new Error(`${name} exited (${code}) before answering ${message.type}`));
      });
      child.send({ ...message, id });
    });
  };
}

/** `entry`: the child's source file (.ts, compiled first) or built file (.js). */
export async function forkChild<Ready extends { type: 'ready' }>(
  entry: string,
  spec: unknown,
  options: ForkOptions = {},
): Promise<ForkedChild<Ready>> {
  const name = path.basename(entry).replace(/\.[jt]s$/, '');
  const spawned = await spawnChild(entry, options);
  const { child } = spawned;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await awaitReady<Ready>(
    child,
    spec,
    exited,
    (code) => new Error(`${name} exited (${code}) before ready:\n${spawned.stderrTail()}`),
  );
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? 0,
    ready,
    exited,
    request: requester(child, name, exited, isRunning),
    shutdown: async (graceMs) => {
      if (!isRunning()) return;
      child.send({ type: 'shutdown' });
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      if (!isRunning()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
