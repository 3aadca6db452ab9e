/**
 * MNS's request signature as the consumer's client needs it (docs/mns.md#signature): Authorization
 * `MNS <AccessKeyId>:base64(HMAC-SHA1(secret, VERB\nContent-MD5\nContent-Type\nDate\n<x-mns-* headers><resource>))`.
 * The emulator's signature module (src/mns/signature.ts) is the shared one; this stays only until the two meet.
 */
import { createHmac } from 'node:crypto';

/** What the signature covers of one request. */
export interface MnsSignedRequest {
  method: string;
  /** Lower-case names. */
  headers: Readonly<Record<string, string>>;
  /** Path with its query, exactly as sent. */
  resource: string;
}

/** `x-mns-*` headers, lower-case, sorted, each `name:value\n`. */
function canonicalMnsHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.keys(headers)
    .filter((name) => name.startsWith('x-mns-'))
    .sort()
    .map((name) => `${name}:${headers[name]}\n`)
    .join('');
}

export function signMnsRequest(accessKeySecret: string, request: MnsSignedRequest): string {
  const { method, headers, resource } = request;
  const text =
    `${method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers.date ?? ''}\n` +
    `${canonicalMnsHeaders(headers)}${resource}`;
  return createHmac('sha1', accessKeySecret).update(text, 'utf8').digest('base64');
}
