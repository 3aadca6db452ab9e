/**
 * ICE callback authentication: `X-ICE-SIGNATURE` = lower-case hex md5("<CallbackURL>|<X-ICE-TIMESTAMP>|<AuthKey>")
 * (docs/ice-api.md#callback-signature). Only the URL and the timestamp are signed, not the body, so a valid
 * signature proves the sender and freshness; the workflow still confirms the job state with GetCustomizedVoiceJob.
 *
 * ICE's own worked example only adds up with the key lower-cased (docs/ice-api.md#callback-signature): either the
 * page has a typo or ICE lower-cases the key. Both forms are accepted, and the result says which one matched.
 */
import { timingSafeEqual } from 'node:crypto';
import { signIceCallback } from '../ice/callback-auth';

export { ICE_SIGNATURE_HEADER, ICE_TIMESTAMP_HEADER, signIceCallback } from '../ice/callback-auth';

export type SignatureRejection = 'missing_signature' | 'malformed_signature' | 'stale_timestamp' | 'bad_signature';

/** Which form of a configured key the signature was computed with. */
export type SignatureKeyForm = 'as-configured' | 'lower-case';

export type SignatureCheck =
  { ok: true; keyForm: SignatureKeyForm } | { ok: false; reason: SignatureRejection; message: string };

export interface SignatureCheckInput {
  /** The callback URL exactly as configured in ICE's SetEventCallback. */
  publicUrl: string;
  timestamp: string | undefined;
  signature: string | undefined;
  /** Every currently accepted key (old and new during a rotation). */
  keys: readonly string[];
  maxSkewSeconds: number;
  nowMs: number;
}

const TIMESTAMP_PATTERN = /^\d{1,12}$/;
const MD5_HEX_PATTERN = /^[0-9a-f]{32}$/;

/**
 * Checks a callback's `X-ICE-TIMESTAMP`/`X-ICE-SIGNATURE` against every accepted key, in constant time per key.
 * Never throws: the answer is ok with the key form that matched, or the reason to refuse (answered 401).
 */
export function verifyIceCallbackSignature(input: SignatureCheckInput): SignatureCheck {
  const { timestamp, signature } = input;
  if (timestamp === undefined || timestamp === '' || signature === undefined || signature === '') {
    return { ok: false, reason: 'missing_signature', message: 'X-ICE-TIMESTAMP and X-ICE-SIGNATURE are required' };
  }
  const presented = signature.toLowerCase();
  if (!TIMESTAMP_PATTERN.test(timestamp) || !MD5_HEX_PATTERN.test(presented)) {
    return { ok: false, reason: 'malformed_signature', message: 'malformed X-ICE-TIMESTAMP or X-ICE-SIGNATURE' };
  }
  // Both directions: a timestamp far in the future is as suspicious as an old one (replay prepared in advance).
  const skewSeconds = Math.abs(input.nowMs / 1000 - Number(timestamp));
  if (skewSeconds > input.maxSkewSeconds) {
    return { ok: false, reason: 'stale_timestamp', message: 'X-ICE-TIMESTAMP outside the accepted window' };
  }
  const presentedBytes = Buffer.from(presented, 'hex');
  // Compare against every form of every key without stopping early, so timing does not reveal which one (if any)
  // matched.
  let matched: SignatureKeyForm | undefined;
  for (const key of input.keys) {
    const candidates: [SignatureKeyForm, string][] = [
      ['as-configured', key],
      ['lower-case', key.toLowerCase()],
    ];
    for (const [form, candidate] of candidates) {
      const expected = Buffer.from(signIceCallback(input.publicUrl, timestamp, candidate), 'hex');
      if (expected.length === presentedBytes.length && timingSafeEqual(expected, presentedBytes)) matched ??= form;
    }
  }
  return matched !== undefined
    ? { ok: true, keyForm: matched }
    : { ok: false, reason: 'bad_signature', message: 'signature does not match' };
}
