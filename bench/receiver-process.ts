/**
 * The callback receiver in its own process, as it runs in production (a service of its own behind ICE's callback
 * URL): in the bench process it shared one event loop with the bench's Temporal client and its counting queries,
 * so that under the scale burst ICE's 3-s answer window measured the bench as much as the receiver. Runs compiled on
 * plain node, like the bench's workers, with the receiver service's own Temporal connection (no SDK retries, short
 * reconnect back-off). The spec arrives in BENCH_RECEIVER_SPEC (it carries the ICE key pair); the callback auth key
 * is generated here and never leaves this process.
 *
 * Messages to the parent: { type: 'ready', callbackUrl }, and { type: 'metrics', id, metrics } answering
 * { type: 'metrics', id }. Message from the parent: { type: 'shutdown' } closes and exits.
 */
import { Client } from '@temporalio/client';
import { createReceiverConnection } from '../src/callback/temporal-connection';
import type { IceCredentials } from '../src/config';
import { createIceClient } from '../src/ice/client';
import { startSignedCallbackReceiver } from '../src/local-stack/signed-callback-receiver';
import { silentLogger } from '../src/observability/logger';
import { benchIceClientConfig } from './support/bench-ice-client';

export interface ReceiverSpec {
  address: string;
  namespace: string;
  iceEndpoint: string;
  iceCredentials: IceCredentials;
}

async function main(): Promise<void> {
  const raw = process.env.BENCH_RECEIVER_SPEC;
  if (!raw) throw new Error('BENCH_RECEIVER_SPEC is not set');
  const spec = JSON.parse(raw) as ReceiverSpec;
  const connection = createReceiverConnection({ address: spec.address });
  const client = new Client({ connection, namespace: spec.namespace });
  const ice = createIceClient(benchIceClientConfig(spec.iceEndpoint, spec.iceCredentials));
  const { receiver, callbackUrl } = await startSignedCallbackReceiver({ client, ice, logger: silentLogger });
  const stop = (): void => {
    void receiver
      .close()
      .then(() => connection.close())
      .finally(() => process.exit(0));
  };
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message.type === 'shutdown') stop();
    if (message.type === 'metrics') process.send?.({ type: 'metrics', id: message.id, metrics: receiver.metrics() });
  });
  process.on('SIGTERM', stop);
  // The parent is gone: a receiver left behind would hold its port and keep signalling.
  process.on('disconnect', stop);
  process.send?.({ type: 'ready', callbackUrl });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `receiver-process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
