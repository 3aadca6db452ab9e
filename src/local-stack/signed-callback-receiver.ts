/**
 * The callback receiver of a local stack: on 127.0.0.1, signed callbacks with an auth key generated for this run
 * (kept in memory only), and ICE (the emulator) told to call it. One sequence for `npm start`, the bench and the
 * fault suite, so that they all exercise the receiver as a user's deployment does.
 */
import { configureIceCallback } from '../callback/configure-callback';
import { startCallbackReceiver, type RunningCallbackReceiver } from '../callback/server';
import { loadCallbackReceiverConfig } from '../config';
import type { IceClient } from '../ice/types';
import type { Logger } from '../observability/logger';
import type { Client } from '@temporalio/client';
import { generateCallbackAuthKey } from './auth-key';
import { concretePort } from './ports';

const CALLBACK_HOST = '127.0.0.1';

export interface SignedCallbackReceiverOptions {
  client: Client;
  ice: IceClient;
  /** 0 or unset: a free port. */
  port?: number;
  taskQueue?: string;
  logger?: Logger;
}

export interface SignedCallbackReceiver {
  receiver: RunningCallbackReceiver;
  /** The URL configured in ICE, exactly as signed. */
  callbackUrl: string;
  authKey: string;
}

export async function startSignedCallbackReceiver(
  options: SignedCallbackReceiverOptions,
): Promise<SignedCallbackReceiver> {
  const authKey = generateCallbackAuthKey();
  // The signed string contains the public URL, so the port must be known before the receiver starts.
  const port = await concretePort(options.port ?? 0, CALLBACK_HOST);
  // Every other receiver setting at its default, from the one config module.
  const defaults = loadCallbackReceiverConfig({});
  const callbackUrl = `http://${CALLBACK_HOST}:${port}${defaults.path}`;
  const receiver = await startCallbackReceiver({
    config: { ...defaults, host: CALLBACK_HOST, port, publicUrl: callbackUrl, authKeys: [authKey] },
    client: options.client,
    ice: options.ice,
    taskQueue: options.taskQueue,
    logger: options.logger,
  });
  try {
    // The local stack owns its emulator: a URL left by an earlier run (another port) is its own, not a team's.
    await configureIceCallback(options.ice, { url: callbackUrl, authKey, replace: true });
  } catch (error) {
    await receiver.close();
    throw error;
  }
  return { receiver, callbackUrl, authKey };
}
