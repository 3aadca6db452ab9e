/**
 * ICE's HTTP callback authentication: `X-ICE-SIGNATURE` = lower-case hex md5("<CallbackURL>|<timestamp>|<AuthKey>"),
 * with the CallbackURL exactly as configured in SetEventCallback and the timestamp in unix seconds.
 */
import { createHash } from 'node:crypto';

export function signIceCallback(callbackUrl: string, timestamp: number | string, authKey: string): string {
  return createHash('md5').update(`${callbackUrl}|${timestamp}|${authKey}`, 'utf8').digest('hex');
}
