/**
 * The queue consumer in its own process, so that a scenario can SIGKILL it with messages received and not deleted
 * (parent side: mns-consumer.ts). Its settings come over IPC (they carry the key pair), its receive wait and retry
 * back-off short, so that a scenario stays small. Messages: { type: 'ready' }, and { type: 'metrics', id, metrics }
 * answering { type: 'metrics', id }; { type: 'shutdown' } stops it as SIGTERM does (deliveries in flight finish).
 */
import { Client } from '@temporalio/client';
import { startIceCallbackConsumer, type IceCallbackConsumerConfig } from '../../../src/callback/consumer';
import { createReceiverConnection } from '../../../src/callback/temporal-connection';
import type { IceClientConfig, IceCredentials } from '../../../src/config';
import { createIceClient } from '../../../src/ice/client';
import { closeOnParentRequest, receiveSpec, runChild, sendToParent } from '../../../src/local-stack/child-entry';
import { createMnsQueueClient } from '../../../src/mns/client';
import { silentLogger } from '../../../src/observability/logger';

export interface MnsConsumerSpec {
  temporalAddress: string;
  namespace: string;
  ice: IceClientConfig & { credentials: IceCredentials };
  mnsEndpoint: string;
  config: IceCallbackConsumerConfig;
}

async function main(): Promise<void> {
  const spec = await receiveSpec<MnsConsumerSpec>();
  const connection = createReceiverConnection({ address: spec.temporalAddress });
  const { credentials } = spec.ice;
  const consumer = startIceCallbackConsumer({
    config: spec.config,
    client: new Client({ connection, namespace: spec.namespace }),
    ice: createIceClient(spec.ice),
    queue: createMnsQueueClient({
      endpoint: spec.mnsEndpoint,
      queueName: spec.config.queueName,
      credentials: () => Promise.resolve(credentials),
    }),
    logger: silentLogger,
  });
  closeOnParentRequest(() => consumer.stop().then(() => connection.close()));
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message.type === 'metrics')
      sendToParent({ type: 'metrics', id: message.id, metrics: consumer.metrics().queue });
  });
  sendToParent({ type: 'ready' });
}

runChild('mns-consumer-process', main);
