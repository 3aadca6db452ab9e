/**
 * The admin API's HTTP edge: who may call it and what a body must be, before ./admin-routes.ts sees the request.
 * No authentication, by design, on loopback; what keeps a browser page on another site out is that a request with
 * an `Origin` must come from the emulator's own origin, and a body must be `application/json` (which a page can
 * only send cross-origin after a CORS preflight, which the emulator never grants).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AdminAnswer } from './admin-routes';
import { ADMIN_MAX_JSON_DEPTH, jsonDepth } from './admin-validation';

/** The origins a page of the emulator itself would have: its loopback names and its bind address, on its port. */
export function ownOrigins(host: string, port: number): ReadonlySet<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]', host.includes(':') ? `[${host}]` : host];
  return new Set(names.map((name) => `http://${name}:${port}`));
}

function refused(status: number, field: string, message: string): AdminAnswer {
  return { status, body: { error: `${field}: ${message}`, field } };
}

/** A refusal of the request's origin or body type, or undefined when it may go on. */
export function adminGuard(
  headers: IncomingHttpHeaders,
  bodyBytes: number,
  origins: ReadonlySet<string>,
): AdminAnswer | undefined {
  const origin = headers.origin;
  if (origin !== undefined && !origins.has(origin)) {
    return refused(403, 'origin', `cross-origin admin requests are refused (${origin.slice(0, 100)})`);
  }
  const mediaType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (bodyBytes > 0 && mediaType !== 'application/json') {
    return refused(415, 'content-type', 'an admin request body must be application/json');
  }
  return undefined;
}

/** The body as JSON (undefined when empty), or the 400 answer naming why not. */
export function parseAdminBody(body: Buffer): { value: unknown } | { refusal: AdminAnswer } {
  if (body.length === 0) return { value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { refusal: refused(400, 'body', 'must be JSON') };
  }
  if (jsonDepth(value) > ADMIN_MAX_JSON_DEPTH) {
    return { refusal: refused(400, 'body', `must not nest deeper than ${ADMIN_MAX_JSON_DEPTH} levels`) };
  }
  return { value };
}

export function adminTooLarge(limitBytes: number): AdminAnswer {
  return refused(413, 'body', `must be at most ${limitBytes} bytes`);
}
