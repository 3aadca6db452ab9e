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
import { closeOnParentRequest, readChildSpec, runChild } from './support/child-entry';

export interface ReceiverSpec {
  address: string;
  namespace: string;
  iceEndpoint: string;
  iceCredentials: IceCredentials;
}

async function main(): Promise<void> {
  const spec = readChildSpec<ReceiverSpec>('BENCH_RECEIVER_SPEC');
  const connection = createReceiverConnection({ address: spec.address });
  const client = new Client({ connection, namespace: spec.namespace });
  const ice = createIceClient(benchIceClientConfig(spec.iceEndpoint, spec.iceCredentials));
  const { receiver, callbackUrl } = await startSignedCallbackReceiver({ client, ice, logger: silentLogger });
  closeOnParentRequest(() => receiver.close().then(() => connection.close()));
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message.type === 'metrics') process.send?.({ type: 'metrics', id: message.id, metrics: receiver.metrics() });
  });
  process.send?.({ type: 'ready', callbackUrl });
}

runChild('receiver-process', main);
