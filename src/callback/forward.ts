/**
 * Forwarding of callbacks that are not for a voice clone to the endpoint that had the account's callback URL before
 * (ICE keeps one per account and region: docs/ice-api.md#callback-setting). The target gets what ICE would have
 * sent it: the same body bytes and Content-Type, signed for its own URL with ICE's scheme
 * (docs/ice-api.md#callback-signature) when it has a key. Taken only if it answers 200, as ICE counts a delivery
 * (docs/ice-api.md#callback-delivery).
 */
import { ICE_SIGNATURE_HEADER, ICE_TIMESTAMP_HEADER, signIceCallback } from './signature';

export interface ForwardTarget {
  url: string;
  /** Secret. Unset: forwarded unsigned. */
  authKey?: string;
}

export interface ForwardedCallback {
  body: Buffer;
  /** As ICE sent it; none when ICE sent none. */
  contentType?: string;
  /** Epoch ms by which the target must have answered. */
  deadlineMs: number;
}

export type ForwardResult = { ok: true } | { ok: false; detail: string };

export async function forwardCallback(target: ForwardTarget, callback: ForwardedCallback): Promise<ForwardResult> {
  const remainingMs = callback.deadlineMs - Date.now();
  if (remainingMs <= 0) return { ok: false, detail: 'no time left before the callback deadline' };
  const headers: Record<string, string> = {};
  if (callback.contentType !== undefined) headers['content-type'] = callback.contentType;
  if (target.authKey !== undefined) {
    const timestamp = Math.floor(Date.now() / 1000);
    headers[ICE_TIMESTAMP_HEADER] = String(timestamp);
    headers[ICE_SIGNATURE_HEADER] = signIceCallback(target.url, timestamp, target.authKey);
  }
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers,
      body: callback.body,
      // ICE does not follow redirects either: anything but 200 is a failed delivery.
      redirect: 'manual',
      signal: AbortSignal.timeout(remainingMs),
    });
    await response.body?.cancel();
    return response.status === 200 ? { ok: true } : { ok: false, detail: `forward target answered ${response.status}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    // The URL is not in the detail: it may carry credentials in its query.
    return {
      ok: false,
      detail: timedOut ? `no answer within ${remainingMs} ms` : `forward failed (${describe(error)})`,
    };
  }
}

/** fetch wraps the socket error in a TypeError("fetch failed"); its cause says what happened (ECONNREFUSED, …). */
function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause !== null && typeof cause === 'object' && 'code' in cause ? String(cause.code) : undefined;
  return code ?? (error instanceof Error ? error.name : 'Error');
}
