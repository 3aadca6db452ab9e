/**
 * The child side of a stack's child process (parent side: forked-child.ts). The spec comes over IPC, not on the
 * command line or in the environment, because it carries key pairs; a failure goes to stderr with exit code 1;
 * a service closes cleanly when asked, on SIGTERM, or when its parent is gone.
 */

/** Every message names its type: 'waiting' and 'ready' here, the rest per entry. */
export function sendToParent(message: { type: string; [field: string]: unknown }): void {
  process.send?.(message);
}

/** Tells the parent it listens, then resolves with the spec the parent sends ({ type: 'spec', spec }). */
export function receiveSpec<Spec>(): Promise<Spec> {
  if (!process.send) return Promise.reject(new Error('a stack child process must be forked with IPC'));
  return new Promise((resolve) => {
    const onMessage = (message: { type?: string; spec?: Spec }): void => {
      if (message.type !== 'spec' || message.spec === undefined) return;
      process.off('message', onMessage);
      resolve(message.spec);
    };
    process.on('message', onMessage);
    sendToParent({ type: 'waiting' });
  });
}

export function runChild(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}

/**
 * Closes and exits on the parent's { type: 'shutdown' }, on SIGTERM, or when the parent is gone (killed, crashed):
 * a service left behind would hold its port and keep sending.
 */
export function closeOnParentRequest(close: () => Promise<unknown>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void close().finally(() => process.exit(0));
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'shutdown') stop();
  });
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
