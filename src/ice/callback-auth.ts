/**
 * ICE's callback authentication, the one copy of its rules (docs/ice-api.md#callback-setting,
 * #callback-signature): the AuthKey rule that SetEventCallback enforces and the signature ICE sends,
 * `X-ICE-SIGNATURE` = lower-case hex md5("<CallbackURL>|<X-ICE-TIMESTAMP>|<AuthKey>") with the CallbackURL exactly
 * as configured and the timestamp in unix seconds. The receiver, its forwarder, configure-callback, the settings and
 * the emulator all use these.
 */
import { createHash } from 'node:crypto';

export const ICE_TIMESTAMP_HEADER = 'x-ice-timestamp';
export const ICE_SIGNATURE_HEADER = 'x-ice-signature';

/** SetEventCallback's limit on CallbackURL. */
export const ICE_CALLBACK_URL_MAX_BYTES = 256;

const AUTH_KEY_PATTERN = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z\d]{1,32}$/;

/** The rule in words, for error messages (which never echo the key itself). */
export const ICE_AUTH_KEY_RULE = '≤32 letters and digits with an upper-case letter, a lower-case letter and a digit';

export function isValidIceAuthKey(key: string): boolean {
  return AUTH_KEY_PATTERN.test(key);
}

/** The signature ICE sends for `callbackUrl` at `timestamp` (unix seconds) with `authKey`. */
export function signIceCallback(callbackUrl: string, timestamp: string | number, authKey: string): string {
  return createHash('md5').update(`${callbackUrl}|${timestamp}|${authKey}`, 'utf8').digest('hex');
}
