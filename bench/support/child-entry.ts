/**
 * The child side shared by bench/worker-process.ts, emulator-process.ts and receiver-process.ts (parent side:
 * test/faults/support/forked-child.ts): the spec from an environment variable (it carries key pairs, which must not
 * appear on a command line), a failure written to stderr with exit code 1, and for the services a clean stop.
 */

export function readChildSpec<Spec>(variable: string): Spec {
  const raw = process.env[variable];
  if (!raw) throw new Error(`${variable} is not set`);
  return JSON.parse(raw) as Spec;
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
  const stop = (): void => {
    void close().finally(() => process.exit(0));
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'shutdown') stop();
  });
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
