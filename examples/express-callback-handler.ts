/**
 * Mounting the ICE callback receiver in an Express service the team already runs, at a path of its own, next to the
 * service's other routes (README "Mounting the receiver in your own service"). Compiled by `npm run typecheck` and
 * run by test/callback/library-handler.test.ts. In an installed package, import from 'ice-voice-clone' instead of
 * '../src'.
 */
import express, { type Express } from 'express';
import { Client } from '@temporalio/client';
import {
  createIceCallbackHandler,
  createIceClient,
  createReceiverConnection,
  loadCallbackReceiverConfig,
  loadIceClientConfig,
  loadTemporalConnectConfig,
  type IceCallbackHandler,
  type IceCallbackHandlerOptions,
} from '../src';

export interface MediaEventsService {
  app: Express;
  iceCallbacks: IceCallbackHandler;
}

export function createMediaEventsService(options: IceCallbackHandlerOptions): MediaEventsService {
  const app = express();
  const iceCallbacks = createIceCallbackHandler(options);
  // Before any body parser: the handler reads the raw body itself (and forwards those bytes unchanged).
  app.post('/hooks/ice', iceCallbacks);
  app.get('/metrics/ice-callbacks', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(iceCallbacks.renderMetrics());
  });
  // The service's own routes keep their JSON parser.
  app.use(express.json());
  app.post('/hooks/uploads', (req, res) => {
    res.json({ received: req.body as unknown });
  });
  return { app, iceCallbacks };
}

/**
 * The service's entry point, with the package's settings (ICE_CALLBACK_URL = this service's public URL of
 * /hooks/ice, ICE_CALLBACK_AUTH_KEYS, TEMPORAL_*, ICE_*). SIGTERM stops taking requests, then lets the backlog drain.
 */
export async function main(): Promise<void> {
  const config = loadCallbackReceiverConfig();
  const temporal = loadTemporalConnectConfig();
  const connection = createReceiverConnection(temporal.connectionOptions);
  const client = new Client({ connection, namespace: temporal.namespace ?? 'default' });
  const { app, iceCallbacks } = createMediaEventsService({
    config,
    client,
    ice: createIceClient(loadIceClientConfig()),
  });
  const server = app.listen(config.port, config.host);
  process.once('SIGTERM', () => {
    server.close(() => {
      void iceCallbacks.drain().then(() => connection.close());
    });
  });
}

if (require.main === module) void main();
