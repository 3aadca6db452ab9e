/**
 * Checks one incoming RPC request the way Alibaba's API gateway does before ICE sees it: required headers,
 * version, timestamp window, known AccessKey, payload hash, V3 signature, then the nonce (only after the signature
 * holds, so that a forged request cannot burn a caller's nonce).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { IceCredentials } from '../config';
import { ICE_API_VERSION } from '../ice/types';
import {
  ACS3_ALGORITHM,
  buildCanonicalRequest,
  buildStringToSign,
  computeSignature,
  parseAuthorization,
  type ParsedAuthorization,
  sha256Hex,
  signaturesMatch,
} from './acs3-signature';
import { IceWireError, missingParameter } from './wire-error';

/** Alibaba allows 15 minutes between the caller's x-acs-date and the server clock. */
export const MAX_DATE_SKEW_MS = 15 * 60 * 1000;

/** Headers that must be present and covered by the signature. */
const REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce'];

/** Remembers nonces for twice the date window: an older request is refused by its date anyway. */
export class NonceStore {
  private readonly seen = new Map<string, number>();

  /** True when the nonce is new (and records it). */
  claim(nonce: string, nowMs: number): boolean {
    this.prune(nowMs);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, nowMs);
    return true;
  }

  clear(): void {
    this.seen.clear();
  }

  private prune(nowMs: number): void {
    for (const [nonce, at] of this.seen) {
      if (nowMs - at <= 2 * MAX_DATE_SKEW_MS) break; // insertion order = time order
      this.seen.delete(nonce);
    }
  }
}

export interface IncomingSignedRequest {
  method: string;
  path: string;
  /** Decoded query parameters exactly as received. */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(',') : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/** The gateway's first checks: version, an ACS3 Authorization header, and every required header present and signed. */
function readAuthorization(headers: IncomingHttpHeaders): ParsedAuthorization {
  for (const name of ['x-acs-action', 'x-acs-version']) {
    if (header(headers, name) === undefined) throw missingParameter(name);
  }
  const version = header(headers, 'x-acs-version');
  if (version !== ICE_API_VERSION) {
    // ASSUMPTION (docs/ice-api.md#errors): code and status follow Alibaba's gateway convention ("InvalidVersion", 400).
    throw new IceWireError(400, 'InvalidVersion', `Specified parameter Version "${version}" is not valid.`);
  }
  const authorizationHeader = header(headers, 'authorization');
  if (authorizationHeader === undefined) {
    throw new IceWireError(400, 'IncompleteSignature', 'The request signature is missing the Authorization header.');
  }
  const authorization = parseAuthorization(authorizationHeader);
  if (!authorization || authorization.algorithm !== ACS3_ALGORITHM) {
    throw new IceWireError(
      400,
      'IncompleteSignature',
      `The Authorization header must read "${ACS3_ALGORITHM} Credential=...,SignedHeaders=...,Signature=...".`,
    );
  }
  for (const name of ['x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
    if (header(headers, name) === undefined) throw missingParameter(name);
  }
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (!authorization.signedHeaders.includes(name)) {
      throw new IceWireError(400, 'IncompleteSignature', `The header "${name}" must be part of SignedHeaders.`);
    }
  }
  for (const name of authorization.signedHeaders) {
    if (headers[name] === undefined) {
      throw new IceWireError(400, 'IncompleteSignature', `The signed header "${name}" is not in the request.`);
    }
  }
  return authorization;
}

function checkDate(headers: IncomingHttpHeaders, nowMs: number): void {
  const date = header(headers, 'x-acs-date') ?? '';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(date) || Number.isNaN(Date.parse(date))) {
    // ASSUMPTION (docs/ice-api.md#errors): Alibaba gateway codes for a malformed / stale timestamp.
    throw new IceWireError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
  }
  if (Math.abs(nowMs - Date.parse(date)) > MAX_DATE_SKEW_MS) {
    throw new IceWireError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }
}

function checkSignature(request: IncomingSignedRequest, authorization: ParsedAuthorization, secret: string): void {
  const hashedPayload = header(request.headers, 'x-acs-content-sha256') ?? '';
  if (hashedPayload.toLowerCase() !== sha256Hex(request.body)) {
    throw new IceWireError(400, 'SignatureDoesNotMatch', 'x-acs-content-sha256 does not match the request body.');
  }
  const canonicalRequest = buildCanonicalRequest({
    method: request.method,
    canonicalUri: request.path,
    query: request.query,
    headers: request.headers as Record<string, string | string[]>,
    signedHeaders: authorization.signedHeaders,
    hashedPayload,
  });
  const stringToSign = buildStringToSign(canonicalRequest);
  if (!signaturesMatch(computeSignature(stringToSign, secret), authorization.signature)) {
    // Like Alibaba, show the server's string to sign (no secret in it) so a client author can debug.
    throw new IceWireError(
      400,
      'SignatureDoesNotMatch',
      `Specified signature does not match our calculation. server string to sign is:${stringToSign.replace('\n', ' ')}`,
    );
  }
}

/** Returns the verified AccessKey id, or throws the ICE error the gateway would answer. */
export function verifySignedRequest(
  request: IncomingSignedRequest,
  keyPairs: readonly IceCredentials[],
  nonces: NonceStore,
  nowMs: number,
): string {
  const authorization = readAuthorization(request.headers);
  checkDate(request.headers, nowMs);
  const keyPair = keyPairs.find((pair) => pair.accessKeyId === authorization.accessKeyId);
  if (!keyPair) throw new IceWireError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  checkSignature(request, authorization, keyPair.accessKeySecret);
  if (!nonces.claim(header(request.headers, 'x-acs-signature-nonce') ?? '', nowMs)) {
    // ASSUMPTION (docs/ice-api.md#errors): Alibaba gateway code for a replayed nonce.
    throw new IceWireError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  return keyPair.accessKeyId;
}
