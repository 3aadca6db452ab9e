/**
 * A Temporal client for the CLI's client commands, from Temporal's environment configuration
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS, profiles; see src/config.ts).
 */
import { Client, Connection } from '@temporalio/client';
import { loadTemporalConnectConfig, type Env } from '../config';
import { CliFailure } from './errors';

export interface CliTemporal {
  client: Client;
  address: string;
  namespace: string;
  close(): Promise<void>;
}

export async function connectTemporal(env: Env): Promise<CliTemporal> {
  const config = loadTemporalConnectConfig(env);
  const address = config.connectionOptions.address ?? 'localhost:7233';
  const namespace = config.namespace ?? 'default';
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...config.connectionOptions, connectTimeout: '5s' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliFailure(`cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${reason}`);
  }
  return {
    client: new Client({ connection, namespace }),
    address,
    namespace,
    close: () => connection.close(),
  };
}
