/**
 * Checks an MNS request's signature with the emulator's key pairs, answering as MNS answers a missing or malformed
 * Authorization, a missing or stale Date, an unknown AccessKeyId and a wrong signature
 * (docs/ice-api.md#mns-queue-callbacks). The signature itself: ../../mns/signature.ts, shared with the client side.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { IceCredentials } from '../../config';
import { createHash } from 'node:crypto';
import { mnsContentMd5, mnsSignatureMatches, parseMnsAuthorization } from '../../mns/signature';
import { MnsWireError } from './mns-error';

/** ASSUMPTION (docs/ice-api.md#mns-queue-callbacks): MNS allows the same 15 minutes of clock skew as ICE. */
export const MNS_MAX_DATE_SKEW_MS = 15 * 60 * 1000;

export interface MnsSignedRequest {
  method: string;
  /** Path and query exactly as on the request line. */
  resource: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The signature covers Content-MD5, not the body: a body that does not match its Content-MD5 is refused
 * (`InvalidDegist`, MNS's spelling), so that a captured request cannot carry another body. Both forms pass: the
 * SDK's base64 of the hex digest, and RFC 1864's base64 of the raw digest.
 */
function checkContentMd5(request: MnsSignedRequest): void {
  const header = request.headers['content-md5'];
  if (header === undefined || request.body.length === 0) return;
  const raw = createHash('md5').update(request.body).digest('base64');
  if (header !== raw && header !== mnsContentMd5(request.body)) {
    throw new MnsWireError(400, 'InvalidDegist', 'The Content-MD5 you specified is invalid.');
  }
}

function checkDate(headers: IncomingHttpHeaders, nowMs: number): void {
  const date = headers.date;
  if (date === undefined || date === '') {
    throw new MnsWireError(400, 'MissingDateHeader', 'Date header is required.');
  }
  const dateMs = Date.parse(date);
  if (Number.isNaN(dateMs)) throw new MnsWireError(400, 'InvalidDateHeader', 'The Date header format is invalid.');
  if (Math.abs(nowMs - dateMs) > MNS_MAX_DATE_SKEW_MS) {
    throw new MnsWireError(408, 'TimeExpired', 'The http request you sent is expired.');
  }
}

/** Throws the MNS error a real endpoint would answer; returns the AccessKeyId that signed the request. */
export function verifyMnsRequest(
  request: MnsSignedRequest,
  keyPairs: readonly IceCredentials[],
  nowMs: number,
): string {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw new MnsWireError(400, 'MissingAuthorizationHeader', 'Authorization header is required.');
  }
  const authorization = parseMnsAuthorization(header);
  if (!authorization) {
    throw new MnsWireError(400, 'InvalidAuthorizationHeader', 'The Authorization header format is invalid.');
  }
  checkDate(request.headers, nowMs);
  const keyPair = keyPairs.find((pair) => pair.accessKeyId === authorization.accessKeyId);
  if (!keyPair) throw new MnsWireError(403, 'InvalidAccessKeyId', 'The AccessKey Id you provided is not exist.');
  const input = { method: request.method, resource: request.resource, headers: request.headers };
  if (!mnsSignatureMatches(keyPair.accessKeySecret, input, authorization.signature)) {
    throw new MnsWireError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  checkContentMd5(request);
  return keyPair.accessKeyId;
}
