/**
 * What every worker child process does once its worker exists (worker-process.ts, and a caller's own worker entry
 * such as the bench's baseline): runs it, reports memory, drains on the parent's request or SIGTERM, then exits.
 */
import type { NativeConnection, Worker } from '@temporalio/worker';
import { sendToParent } from './child-entry';

export async function runWorkerChild(worker: Worker, connection: NativeConnection): Promise<void> {
  const memoryTimer = setInterval(() => {
    const usage = process.memoryUsage();
    sendToParent({ type: 'memory', rss: usage.rss, heapUsed: usage.heapUsed });
  }, 1_000);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'shutdown') worker.shutdown();
  });
  process.on('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  sendToParent({ type: 'ready' });
  await running;
  clearInterval(memoryTimer);
  await connection.close();
  sendToParent({ type: 'stopped' });
  process.disconnect?.();
}
