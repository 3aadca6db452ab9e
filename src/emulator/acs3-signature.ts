/**
 * Alibaba Cloud V3 request signature (ACS3-HMAC-SHA256), written from the public specification so that the
 * emulator checks what a client sends instead of trusting the client library that produced it.
 * Pure functions only: tests run Alibaba's worked example through them.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** RFC 3986 percent-encoding: only A-Z a-z 0-9 - _ . ~ stay literal (space → %20, never "+"). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Parameters sorted by encoded name, `name=value` pairs joined by `&`; an empty value keeps its `=`. */
export function canonicalQueryString(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Lower-case names, trimmed values, sorted by name, one `name:value\n` line each (repeated values joined by ","). */
export function canonicalHeaders(
  headers: Readonly<Record<string, string | string[]>>,
  signedHeaders: string[],
): string {
  const lower = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const values = (Array.isArray(value) ? value : [value]).map((v) => v.trim());
    lower.set(key, [...(lower.get(key) ?? []), ...values]);
  }
  return [...signedHeaders]
    .sort()
    .map((name) => `${name}:${(lower.get(name) ?? []).sort().join(',')}\n`)
    .join('');
}

export interface CanonicalRequestParts {
  method: string;
  /** Path as sent; `/` for RPC calls. */
  canonicalUri: string;
  query: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string | string[]>>;
  /** Lower-case header names covered by the signature. */
  signedHeaders: string[];
  /** Hex SHA-256 of the body (the `x-acs-content-sha256` value). */
  hashedPayload: string;
}

export function buildCanonicalRequest(parts: CanonicalRequestParts): string {
  const signed = [...parts.signedHeaders].map((h) => h.toLowerCase()).sort();
  return [
    parts.method.toUpperCase(),
    parts.canonicalUri === '' ? '/' : parts.canonicalUri,
    canonicalQueryString(parts.query),
    canonicalHeaders(parts.headers, signed),
    signed.join(';'),
    parts.hashedPayload,
  ].join('\n');
}

export function buildStringToSign(canonicalRequest: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

export function computeSignature(stringToSign: string, accessKeySecret: string): string {
  return createHmac('sha256', accessKeySecret).update(stringToSign).digest('hex');
}

export function buildAuthorization(accessKeyId: string, signedHeaders: string[], signature: string): string {
  const signed = [...signedHeaders].map((h) => h.toLowerCase()).sort();
  return `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`;
}

export interface ParsedAuthorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`; undefined when malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const match = /^\s*(\S+)\s+(.*)$/.exec(header);
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[2].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return {
    algorithm: match[1],
    accessKeyId,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature: signature.toLowerCase(),
  };
}

/** Constant-time comparison of two hex signatures. */
export function signaturesMatch(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Signs a request end to end (used by tests and tools that need to speak to the emulator without the SDK). */
export function signAcs3Request(
  parts: Omit<CanonicalRequestParts, 'signedHeaders'> & { signedHeaders?: string[] },
  credentials: { accessKeyId: string; accessKeySecret: string },
): { authorization: string; signature: string; canonicalRequest: string; stringToSign: string } {
  const signedHeaders =
    parts.signedHeaders ??
    Object.keys(parts.headers)
      .map((h) => h.toLowerCase())
      .filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-'));
  const canonicalRequest = buildCanonicalRequest({ ...parts, signedHeaders });
  const stringToSign = buildStringToSign(canonicalRequest);
  const signature = computeSignature(stringToSign, credentials.accessKeySecret);
  return {
    authorization: buildAuthorization(credentials.accessKeyId, signedHeaders, signature),
    signature,
    canonicalRequest,
    stringToSign,
  };
}
