/**
 * The first and last stages of an ICE request in the emulator: reading the wire request (method, path, body size,
 * parameters) and writing ICE's answer, success or error body. Authentication, faults and the operation run in
 * between (./ice-emulator.ts).
 */
import type http from 'node:http';
import type { BodyRead } from '../net/read-body';
import { IceWireError, recommendUrl } from './wire-error';

/** The largest request body the emulator reads (ICE's own limit is undocumented: docs/ice-api.md#errors). */
export const ICE_MAX_BODY_BYTES = 1_048_576;
/** How much of an oversized body is read and thrown away so that the sender still gets its 413. */
export const ICE_DRAIN_BYTES = 16 * ICE_MAX_BODY_BYTES;

/** A request body the emulator read: within the limit, or over it. */
export type RequestBody = Exclude<BodyRead, { kind: 'aborted' }>;

/** An ICE request as the later stages see it. */
export interface IceRequest {
  method: string;
  /** Always `/`. */
  path: string;
  /** Decoded query parameters exactly as received (what the signature covers). */
  query: Record<string, string>;
  /** Query and form parameters together (the query wins). */
  params: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Query strings and form bodies: `+` means space, `%XX` decodes as UTF-8. Throws URIError on bad encoding. */
export function parseUrlEncoded(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    params[decodeURIComponent(rawName.replace(/\+/g, ' '))] = decodeURIComponent(rawValue.replace(/\+/g, ' '));
  }
  return params;
}

function formParams(headers: http.IncomingHttpHeaders, body: Buffer): Record<string, string> {
  const type = String(headers['content-type'] ?? '');
  return body.length > 0 && type.startsWith('application/x-www-form-urlencoded')
    ? parseUrlEncoded(body.toString('utf8'))
    : {};
}

/** Stage 1: the request as ICE's gateway reads it, or the ICE error it answers. */
export function readIceRequest(
  req: http.IncomingMessage,
  path: string,
  rawQuery: string,
  body: RequestBody,
): IceRequest {
  const method = req.method ?? 'GET';
  if (method !== 'POST' && method !== 'GET') {
    throw new IceWireError(405, 'UnsupportedHTTPMethod', `HTTP method ${method} is not supported.`);
  }
  if (path !== '/') {
    throw new IceWireError(
      404,
      'InvalidAction.NotFound',
      'Specified api is not found, please check your url and method.',
    );
  }
  if (body.kind === 'too_large') {
    // ASSUMPTION (docs/ice-api.md#errors): the status and code for a body over the gateway's limit.
    throw new IceWireError(
      413,
      'RequestEntityTooLarge',
      `The request body must be at most ${ICE_MAX_BODY_BYTES} bytes.`,
    );
  }
  try {
    const query = parseUrlEncoded(rawQuery);
    return {
      method,
      path,
      query,
      params: { ...formParams(req.headers, body.body), ...query },
      headers: req.headers,
      body: body.body,
    };
  } catch {
    throw new IceWireError(400, 'InvalidParameter', 'The query string is not well-formed percent-encoding.');
  }
}

/** ICE's error body `{RequestId, HostId, Code, Message, Recommend}`. */
export function iceErrorBody(
  error: IceWireError,
  requestId: string,
  host: string | undefined,
): Record<string, unknown> {
  return {
    RequestId: requestId,
    HostId: host ?? 'ice.cn-shanghai.aliyuncs.com',
    Code: error.code,
    Message: error.message,
    Recommend: recommendUrl(error.code, requestId),
  };
}

/** The last stage: ICE's JSON answer with its request id header. */
export function writeIceAnswer(
  res: http.ServerResponse,
  status: number,
  body: Record<string, unknown>,
  requestId: string,
): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId });
  res.end(JSON.stringify(body));
}
