/**
 * The receiver's Temporal connection. Lazy, so the receiver starts (and answers 503) while Temporal is down, and
 * with a short gRPC reconnect back-off: ICE retries only twice, 1 s apart, so after an outage the channel must be
 * ready again within about a second, not after grpc-js's default back-off of up to two minutes.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { ClientConnectConfig } from '@temporalio/envconfig';
import type { IceClientConfig } from '../config';
import { createIceClient } from '../ice';
import type { IceClient } from '../ice/types';
import type { Logger } from '../observability/logger';

export const RECEIVER_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.min_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1_000,
} as const;

/**
 * A lazy Temporal connection tuned for the receiver (reconnects within about a second, no SDK retries): nothing
 * is dialled until the first signal, so it never throws for an unreachable server. Close it when done.
 */
export function createReceiverConnection(options: ConnectionOptions): Connection {
  return Connection.lazy({
    ...options,
    channelArgs: { ...options.channelArgs, ...RECEIVER_CHANNEL_ARGS },
    // No SDK retry interceptor: its back-off timers ignore the call deadline and could fire after the answer
    // (even after the connection closed). delivery.ts retries UNAVAILABLE itself, within the deadline.
    interceptors: [],
  });
}

/** What a callback front door (receiver or queue consumer) delivers through: Temporal on that connection, and ICE. */
export interface IntakeClients {
  connection: Connection;
  client: Client;
  ice: IceClient;
}

/** The front door's clients from settings already read (so that a bad one failed before anything started). */
export function createIntakeClients(
  connectConfig: ClientConnectConfig,
  iceConfig: IceClientConfig,
  logger: Logger,
): IntakeClients {
  const connection = createReceiverConnection(connectConfig.connectionOptions);
  const client = new Client({ connection, namespace: connectConfig.namespace ?? 'default' });
  return { connection, client, ice: createIceClient(iceConfig, { logger }) };
}
