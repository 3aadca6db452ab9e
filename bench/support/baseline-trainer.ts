/**
 * Stands in for the emulator + callback receiver on the baseline path: the baseline's "submit" activity POSTs
 * here, and after the training time this process signals the workflow, as the receiver does for a real callback.
 */
import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';

export interface BaselineTrainer {
  url: string;
  /** workflowId → epoch ms when the signal was accepted by Temporal. */
  signalledAt: Map<string, number>;
  close(): Promise<void>;
}

export async function startBaselineTrainer(client: Client, trainingMs: number): Promise<BaselineTrainer> {
  const signalledAt = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const workflowId = new URL(request.url ?? '/', 'http://local').searchParams.get('workflowId');
    response.end('ok');
    if (!workflowId) return;
    setTimeout(() => {
      client.workflow
        .getHandle(workflowId)
        .signal('iceCallback', {
          EventType: 'BaselineDone',
          UserId: 0,
          EventTime: new Date().toISOString(),
          MessageBody: {},
        })
        .then(() => signalledAt.set(workflowId, Date.now()))
        .catch((error: unknown) =>
          process.stderr.write(`baseline signal failed for ${workflowId}: ${String(error)}\n`),
        );
    }, trainingMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/train`,
    signalledAt,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
