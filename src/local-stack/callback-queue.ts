/**
 * A stack's MNS callback path: a queue in the stack's emulator (CreateQueue through the package's MNS client), ICE's
 * callback setting pointed at it (SetEventCallback CallbackType=MNS), and queue consumers on it, each with the
 * settings `callback-consumer` would load, so that the stack exercises the consumer as a deployment runs it.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { configureIceCallback } from '../callback/configure-callback';
import {
  startIceCallbackConsumer,
  type IceCallbackConsumer,
  type IceCallbackConsumerConfig,
} from '../callback/consumer';
import { loadCallbackConsumerConfig, type IceCredentials } from '../config';
import type { IceClient } from '../ice/types';
import { createMnsQueue, createMnsQueueClient, type MnsQueueClientOptions } from '../mns/client';
import type { Logger } from '../observability/logger';
import { ICE_CALLBACK_QUEUE_PREFIX } from '../workflows/ice-ids';

/** `npm start`'s queue: one name across runs, so that events queued while the stack was down are still consumed. */
export const LOCAL_STACK_CALLBACK_QUEUE = `${ICE_CALLBACK_QUEUE_PREFIX}local-stack`;

/** A queue name of its own (`ice-callback-<8 hex>`), e.g. one per test. */
export function newCallbackQueueName(): string {
  return `${ICE_CALLBACK_QUEUE_PREFIX}${randomBytes(4).toString('hex')}`;
}

/** How a stack starts a consumer; the first one also makes the queue and points ICE at it. */
export interface StackConsumerOptions {
  /** The queue, when the stack has none yet; default `newCallbackQueueName()`. Ignored once the stack has one. */
  queueName?: string;
  /** The queue's VisibilityTimeout when it is made (MNS's default 30 s); short ones bring back unsettled messages fast. */
  visibilityTimeoutSeconds?: number;
  /** Overrides of the consumer's settings (default: `loadCallbackConsumerConfig`'s). */
  config?: Partial<Omit<IceCallbackConsumerConfig, 'queueName'>>;
  /** Default: the stack's ICE client. */
  ice?: IceClient;
}

/** One queue consumer of a stack, in this process. */
export interface StackConsumer {
  readonly queueName: string;
  /** The consumer itself (metrics, health). */
  readonly consumer: IceCallbackConsumer;
  /** Graceful: receiving ends, deliveries in flight finish; what they do not settle stays in the queue. */
  close(): Promise<void>;
}

/** Where the stack's queue lives: the emulator's MNS, signed with its key pair. */
export interface StackQueueAccess {
  endpoint: string;
  credentials: IceCredentials;
}

function queueClientOptions(access: StackQueueAccess, queueName: string): MnsQueueClientOptions {
  const { accessKeyId, accessKeySecret, securityToken } = access.credentials;
  return {
    endpoint: access.endpoint,
    queueName,
    credentials: () => Promise.resolve({ accessKeyId, accessKeySecret, securityToken }),
  };
}

/** Makes the queue (idempotent with the same attributes) and tells ICE to write its events into it. */
export async function pointIceCallbackAtQueue(
  ice: IceClient,
  access: StackQueueAccess,
  queueName: string,
  visibilityTimeoutSeconds?: number,
): Promise<void> {
  await createMnsQueue(queueClientOptions(access, queueName), { visibilityTimeoutSeconds });
  // The stack owns its emulator: a setting left by an earlier run is its own, not a team's.
  await configureIceCallback(ice, { mnsQueue: queueName, replace: true });
}

/** The consumer's settings from the one config module, on this queue and endpoint, then the overrides. */
export function stackConsumerConfig(
  queueName: string,
  endpoint: string,
  overrides: StackConsumerOptions['config'] = {},
): IceCallbackConsumerConfig {
  const loaded = loadCallbackConsumerConfig({ ICE_CALLBACK_MNS_QUEUE: queueName, ICE_MNS_ENDPOINT: endpoint });
  const { address: _address, endpoint: _endpoint, ...config } = loaded;
  return { ...config, ...overrides, queueName };
}

export interface QueueConsumerSettings {
  access: StackQueueAccess;
  queueName: string;
  client: Client;
  ice: IceClient;
  config?: StackConsumerOptions['config'];
  logger: Logger;
}

/** A consumer receiving from the queue at once. */
export function startQueueConsumer(settings: QueueConsumerSettings): StackConsumer {
  const { access, queueName } = settings;
  const consumer = startIceCallbackConsumer({
    config: stackConsumerConfig(queueName, access.endpoint, settings.config),
    client: settings.client,
    ice: settings.ice,
    queue: createMnsQueueClient(queueClientOptions(access, queueName)),
    logger: settings.logger,
  });
  return { queueName, consumer, close: () => consumer.stop() };
}
