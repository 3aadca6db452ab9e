/**
 * A callback receiver of a stack: on 127.0.0.1, signed callbacks with an auth key generated for the stack's run
 * (kept in memory only), every other setting at its default. One sequence for `npm start`, the bench and the fault
 * suite, so that they all exercise the receiver as a user's deployment does. Behind a load balancer, each of
 * several receivers verifies signatures against the balancer's URL, the one configured in ICE.
 */
import { configureIceCallback } from '../callback/configure-callback';
import { startCallbackReceiver, type RunningCallbackReceiver } from '../callback/server';
import { loadCallbackReceiverConfig, type CallbackReceiverConfig } from '../config';
import type { IceClient } from '../ice/types';
import type { Logger } from '../observability/logger';
import type { Client } from '@temporalio/client';
import { generateCallbackAuthKey } from './auth-key';
import { concretePort } from './ports';

export const CALLBACK_HOST = '127.0.0.1';

/** The path receivers take callbacks on (ICE_CALLBACK_PATH's default). */
export function callbackPath(): string {
  return loadCallbackReceiverConfig({}).path;
}

/** The callback URL of a receiver listening on `port` of this machine. */
export function localCallbackUrl(port: number): string {
  return `http://${CALLBACK_HOST}:${port}${callbackPath()}`;
}

export interface SignedReceiverSettings {
  /** A concrete port: with no balancer in front, the URL signed is the receiver's own, so it is known up front. */
  port: number;
  authKey: string;
  /** The URL configured in ICE (signed); default the receiver's own. */
  publicUrl?: string;
}

/** Every receiver setting at its default, from the one config module, but these. */
export function signedReceiverConfig(settings: SignedReceiverSettings): CallbackReceiverConfig {
  return {
    ...loadCallbackReceiverConfig({}),
    host: CALLBACK_HOST,
    port: settings.port,
    publicUrl: settings.publicUrl ?? localCallbackUrl(settings.port),
    authKeys: [settings.authKey],
  };
}

export interface ReceiverServiceOptions extends SignedReceiverSettings {
  client: Client;
  ice: IceClient;
  taskQueue?: string;
  logger?: Logger;
}

/** One receiver with these settings; ICE is told nothing (several receivers share one URL). */
export function startSignedReceiver(options: ReceiverServiceOptions): Promise<RunningCallbackReceiver> {
  return startCallbackReceiver({
    config: signedReceiverConfig(options),
    client: options.client,
    ice: options.ice,
    taskQueue: options.taskQueue,
    logger: options.logger,
  });
}

/** Tells ICE (the stack's emulator) to call `url`, signed with `authKey`. */
export async function pointIceCallbackAt(ice: IceClient, url: string, authKey: string): Promise<void> {
  // The stack owns its emulator: a URL left by an earlier run (another port) is its own, not a team's.
  await configureIceCallback(ice, { url, authKey, replace: true });
}

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

/** A lone receiver on its own URL with a fresh auth key, and ICE told to call it. */
export async function startSignedCallbackReceiver(
  options: SignedCallbackReceiverOptions,
): Promise<SignedCallbackReceiver> {
  const authKey = generateCallbackAuthKey();
  const port = await concretePort(options.port ?? 0, CALLBACK_HOST);
  const receiver = await startSignedReceiver({ ...options, port, authKey });
  try {
    await pointIceCallbackAt(options.ice, receiver.callbackUrl, authKey);
  } catch (error) {
    await receiver.close();
    throw error;
  }
  return { receiver, callbackUrl: localCallbackUrl(port), authKey };
}
