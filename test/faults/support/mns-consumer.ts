/**
 * MNS mode on a fault stack: ICE's events go into a queue of the emulator (a short visibility timeout, so that a
 * message received and not deleted comes back within a scenario), read by queue consumers in child processes
 * (mns-consumer-process.ts). The stack's HTTP receiver stays up but idle: ICE no longer calls it.
 */
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import type { IceCallbackConsumerConfig } from '../../../src/callback/consumer';
import type { CallbackConsumerMetrics } from '../../../src/callback/consumer-metrics';
import { loadIceClientConfig } from '../../../src/config';
import { forkChild } from '../../../src/local-stack/forked-child';
import { createMnsSdkClient } from '../../support/mns-sdk';
import type { FaultStack } from './fault-stack';
import type { MnsConsumerSpec } from './mns-consumer-process';

export const FAULT_QUEUE = 'ice-callback-faults';
/** Seconds a received message stays hidden from every consumer (the queue's VisibilityTimeout). */
export const FAULT_VISIBILITY_SECONDS = 5;

export interface MnsConsumerChild {
  readonly pid: number;
  metrics(): Promise<CallbackConsumerMetrics>;
  /** Stops as SIGTERM does: the deliveries in flight finish, the rest stays in the queue. */
  close(): Promise<void>;
  /** SIGKILL: whatever it received and did not delete stays in the queue, invisible until its timeout. */
  kill(): Promise<void>;
}

/** Creates the queue (with its visibility timeout) and sets ICE's callback to it (CallbackType=MNS). */
export async function switchToMnsCallbacks(stack: FaultStack): Promise<void> {
  const sdk = createMnsSdkClient('1', { ...stack.credentials, endpoint: stack.emulator.url });
  await sdk.createQueue(FAULT_QUEUE, { VisibilityTimeout: FAULT_VISIBILITY_SECONDS });
  await stack.ice.setEventCallback({ callbackType: 'MNS', callbackQueueName: FAULT_QUEUE });
}

/** Messages in the queue, visible or not: [visible, received and not deleted]. */
export async function queueCounts(stack: FaultStack): Promise<{ active: number; inactive: number }> {
  const queue = (await stack.emulator.admin.mnsQueues()).find((q) => q.name === FAULT_QUEUE);
  return { active: queue?.activeMessages ?? 0, inactive: queue?.inactiveMessages ?? 0 };
}

const CONSUMER_CONFIG: IceCallbackConsumerConfig = {
  queueName: FAULT_QUEUE,
  batchSize: 16,
  waitSeconds: 2,
  maxDequeue: 50,
  deliveryTimeoutMs: 5_000,
  retryVisibilitySeconds: 1,
  maxInFlight: 32,
};

export async function startMnsConsumer(
  stack: FaultStack,
  options: { temporalAddress?: string; config?: Partial<IceCallbackConsumerConfig> } = {},
): Promise<MnsConsumerChild> {
  const spec: MnsConsumerSpec = {
    temporalAddress: options.temporalAddress ?? stack.server.address,
    namespace: stack.server.namespace,
    ice: { ...loadIceClientConfig({}), endpoint: stack.emulator.url, credentials: stack.credentials },
    mnsEndpoint: stack.emulator.url,
    config: { ...CONSUMER_CONFIG, ...options.config },
  };
  const child = await forkChild<{ type: 'ready' }>(path.join(__dirname, 'mns-consumer-process.ts'), spec);
  return {
    pid: child.pid,
    metrics: async () => (await child.request<{ metrics: CallbackConsumerMetrics }>({ type: 'metrics' })).metrics,
    close: () => child.shutdown(15_000),
    kill: () => child.kill(),
  };
}

/** A Temporal address that accepts connections and never answers: a delivery to it hangs until its timeout. */
export async function startSilentTemporal(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sum of every consumer's deletes, all outcomes. */
export function deletedTotal(metrics: readonly CallbackConsumerMetrics[]): number {
  return metrics.reduce((sum, m) => sum + Object.values(m.deleted).reduce((a, b) => a + (b ?? 0), 0), 0);
}
