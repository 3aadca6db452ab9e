/**
 * MNS (Simple Message Queue) request signature, one implementation for both sides: a client signs with it and the
 * emulator verifies with it. Facts: docs/ice-api.md#mns-queue-callbacks (checked against `@alicloud/mns` 1.2.0).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The API version every MNS request names in `x-mns-version`. */
export const MNS_API_VERSION = '2015-06-06';

/** Header values as Node gives them (lower-case names; repeated headers as arrays). */
export type MnsHeaders = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** What the signature covers: the verb, the resource (path with its query, exactly as sent) and the headers. */
export interface MnsSigningInput {
  method: string;
  /** Path and query as sent on the request line, e.g. `/queues/q/messages?waitseconds=10`. */
  resource: string;
  headers: MnsHeaders;
}

function headerValue(headers: MnsHeaders, name: string): string {
  const value = headers[name];
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The `x-mns-*` headers, names lower-case and sorted, one `name:value\n` line each. */
export function canonicalizedMnsHeaders(headers: MnsHeaders): string {
  const lower = lowerCased(headers);
  return Object.keys(lower)
    .filter((name) => name.startsWith('x-mns-'))
    .sort()
    .map((name) => `${name}:${headerValue(lower, name)}\n`)
    .join('');
}

function lowerCased(headers: MnsHeaders): MnsHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** `VERB\nContent-MD5\nContent-Type\nDate\n<x-mns-* lines><resource>`. */
export function mnsStringToSign(input: MnsSigningInput): string {
  const headers = lowerCased(input.headers);
  return [
    input.method.toUpperCase(),
    headerValue(headers, 'content-md5'),
    headerValue(headers, 'content-type'),
    headerValue(headers, 'date'),
    `${canonicalizedMnsHeaders(headers)}${input.resource}`,
  ].join('\n');
}

/** base64(HMAC-SHA1(secret, string to sign)). */
export function mnsSignature(accessKeySecret: string, input: MnsSigningInput): string {
  return createHmac('sha1', accessKeySecret).update(mnsStringToSign(input), 'utf8').digest('base64');
}

/** The `Authorization: MNS <AccessKeyId>:<Signature>` value. */
export function mnsAuthorization(accessKeyId: string, accessKeySecret: string, input: MnsSigningInput): string {
  return `MNS ${accessKeyId}:${mnsSignature(accessKeySecret, input)}`;
}

export interface ParsedMnsAuthorization {
  accessKeyId: string;
  signature: string;
}

/** Splits `MNS <id>:<signature>`; undefined when the value is not of that shape. */
export function parseMnsAuthorization(value: string | undefined): ParsedMnsAuthorization | undefined {
  const match = /^MNS ([^:\s]+):(\S+)$/.exec(value?.trim() ?? '');
  return match ? { accessKeyId: match[1], signature: match[2] } : undefined;
}

/** Constant-time comparison of the signature a request carries with the one its content calls for. */
export function mnsSignatureMatches(accessKeySecret: string, input: MnsSigningInput, presented: string): boolean {
  const expected = Buffer.from(mnsSignature(accessKeySecret, input));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The Content-MD5 the official SDK sends: base64 of the *hex* MD5 digest (not of the raw digest). The signature
 * covers whatever the header says, so the emulator does not insist on either form.
 */
export function mnsContentMd5(body: string | Buffer): string {
  return Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');
}

export interface MnsRequestToSign {
  method: string;
  resource: string;
  /** The XML body; empty for GET and for most DELETEs. */
  body?: string | Buffer;
  accessKeyId: string;
  accessKeySecret: string;
  /** STS token: sent as `security-token`, outside the signature (as the SDK does). */
  securityToken?: string;
  /** Defaults to now; a parameter so that tests can pin it. */
  date?: Date;
  /** Extra `x-mns-*` (or other) headers; `x-mns-*` ones are signed. */
  extraHeaders?: Readonly<Record<string, string>>;
}

/** The headers of a signed MNS request, as the official SDK builds them (lower-case names). */
export function signMnsRequest(request: MnsRequestToSign): Record<string, string> {
  const date = (request.date ?? new Date()).toUTCString();
  const headers: Record<string, string> = { date, 'x-mns-date': date, 'x-mns-version': MNS_API_VERSION };
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    const body = request.body ?? '';
    headers['content-type'] = 'text/xml';
    headers['content-md5'] = mnsContentMd5(body);
  }
  for (const [name, value] of Object.entries(request.extraHeaders ?? {})) headers[name.toLowerCase()] = value;
  const input = { method, resource: request.resource, headers };
  headers.authorization = mnsAuthorization(request.accessKeyId, request.accessKeySecret, input);
  if (request.securityToken !== undefined) headers['security-token'] = request.securityToken;
  return headers;
}
