/**
 * The callback receiver in its own process, as it runs in production (a service of its own behind ICE's callback
 * URL, one of several behind a load balancer): in the process of the stack's caller it would share one event loop
 * with the caller's Temporal client and queries, and could not be killed alone. Runs on plain node
 * (child-script.ts) with the receiver service's own Temporal connection (no SDK retries, short reconnect back-off).
 * Parent side: receiver-child.ts.
 *
 * Messages to the parent: { type: 'ready', callbackUrl }, and { type: 'metrics', id, metrics } answering
 * { type: 'metrics', id }. Message from the parent: { type: 'shutdown' } closes and exits.
 */
import { Client } from '@temporalio/client';
import { createReceiverConnection } from '../callback/temporal-connection';
import type { IceClientConfig } from '../config';
import { createIceClient } from '../ice/client';
import { silentLogger } from '../observability/logger';
import { closeOnParentRequest, receiveSpec, runChild, sendToParent } from './child-entry';
import { startSignedReceiver, type SignedReceiverSettings } from './signed-callback-receiver';

export interface ReceiverSpec extends SignedReceiverSettings {
  address: string;
  namespace: string;
  ice: IceClientConfig;
}

async function main(): Promise<void> {
  const spec = await receiveSpec<ReceiverSpec>();
  const connection = createReceiverConnection({ address: spec.address });
  const client = new Client({ connection, namespace: spec.namespace });
  const receiver = await startSignedReceiver({
    client,
    ice: createIceClient(spec.ice),
    port: spec.port,
    authKey: spec.authKey,
    publicUrl: spec.publicUrl,
    logger: silentLogger,
  });
  closeOnParentRequest(() => receiver.close().then(() => connection.close()));
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message.type === 'metrics') sendToParent({ type: 'metrics', id: message.id, metrics: receiver.metrics() });
  });
  sendToParent({ type: 'ready', callbackUrl: receiver.callbackUrl });
}

runChild('receiver-process', main);
