import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import { iceErrorFromThrown, scrubSecrets } from '../../src/ice/error-mapping';
import {
  classifyIceError,
  CLIENT_RATE_LIMITED_CODE,
  IceError,
  INVALID_RESPONSE_CODE,
  isIceError,
  isMissingResponseField,
  MissingResponseFieldError,
  NETWORK_ERROR_CODE,
  TIMEOUT_ERROR_CODE,
  type IceErrorKind,
} from '../../src/ice/errors';

const CLASSIFICATION_TABLE: Array<[code: string, status: number | undefined, expected: IceErrorKind]> = [
  ['Throttling', 400, 'retryable'],
  ['Throttling.User', 400, 'retryable'],
  ['Throttling.Api', 400, 'retryable'],
  ['Throttling.User', undefined, 'retryable'],
  ['ServiceUnavailable', 503, 'retryable'],
  ['InternalError', 500, 'retryable'],
  ['InternalError', undefined, 'retryable'],
  ['SomethingNew', 500, 'retryable'],
  ['UnknownError', 502, 'retryable'],
  ['Gateway.Timeout', 504, 'retryable'],
  [NETWORK_ERROR_CODE, undefined, 'retryable'],
  [TIMEOUT_ERROR_CODE, undefined, 'retryable'],
  [INVALID_RESPONSE_CODE, 200, 'retryable'],
  [CLIENT_RATE_LIMITED_CODE, undefined, 'retryable'],
  ['MissingParameter', 400, 'final'],
  ['InvalidParameter', 400, 'final'],
  ['Forbidden', 403, 'final'],
  ['Forbidden.RAM', 403, 'final'],
  ['InvalidAccessKeyId.NotFound', 404, 'final'],
  ['InvalidAccessKeyId.Inactive', 400, 'final'],
  ['SignatureDoesNotMatch', 400, 'final'],
  ['SignatureDoesNotMatch', 403, 'final'],
  ['IncompleteSignature', 400, 'final'],
  ['SignatureNonceUsed', 400, 'final'],
  ['SomethingElse', 409, 'final'],
  ['UnsuccessfulResponse', 200, 'final'],
];

describe('classifyIceError', () => {
  for (const [code, status, expected] of CLASSIFICATION_TABLE) {
    it(`${code} / HTTP ${status ?? '-'} is ${expected}`, () => {
      assert.equal(classifyIceError(code, status), expected);
      const error = new IceError('SubmitCustomizedVoiceJob', code, 'message', status, 'req-1');
      assert.equal(error.kind, expected);
      assert.equal(error.retryable, expected === 'retryable');
    });
  }
});

describe('iceErrorFromThrown (what openapi-core and httpx actually throw)', () => {
  const secrets = ['TopSecretAccessKeyValue'];

  it('keeps Code, status and RequestId of a ThrottlingError and calls it retryable', () => {
    const thrown = new ThrottlingError({
      statusCode: 400,
      code: 'Throttling.User',
      message: 'code: 400, Request was denied due to user flow control. request id: R-1',
      requestId: 'R-1',
      data: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.', RequestId: 'R-1' },
    });
    const error = iceErrorFromThrown('GetCustomizedVoiceJob', thrown, secrets);
    assert.equal(error.operation, 'GetCustomizedVoiceJob');
    assert.equal(error.code, 'Throttling.User');
    assert.equal(error.statusCode, 400);
    assert.equal(error.requestId, 'R-1');
    assert.equal(error.kind, 'retryable');
  });

  it('treats a ClientError by its code: InvalidParameter is final, Throttling in a ClientError is retryable', () => {
    const invalid = new ClientError({ statusCode: 400, code: 'InvalidParameter', requestId: 'R-2', data: {} });
    assert.equal(iceErrorFromThrown('CreateCustomizedVoiceJob', invalid, secrets).kind, 'final');
    const throttled = new ClientError({ statusCode: 400, code: 'Throttling.Api', requestId: 'R-3', data: {} });
    assert.equal(iceErrorFromThrown('CreateCustomizedVoiceJob', throttled, secrets).kind, 'retryable');
  });

  it('maps a 5xx without Code (openapi-core writes "undefined") to UnknownError, retryable, no fake RequestId', () => {
    const thrown = new ServerError({ statusCode: 502, code: 'undefined', requestId: 'undefined', data: {} });
    const error = iceErrorFromThrown('SubmitCustomizedVoiceJob', thrown, secrets);
    assert.equal(error.code, 'UnknownError');
    assert.equal(error.requestId, undefined);
    assert.equal(error.kind, 'retryable');
  });

  it('wraps socket errors by errno code as NetworkError and httpx timers as Timeout', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    assert.equal(iceErrorFromThrown('SubmitCustomizedVoiceJob', reset, secrets).code, NETWORK_ERROR_CODE);
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND ice.example'), { code: 'ENOTFOUND' });
    assert.equal(iceErrorFromThrown('SubmitCustomizedVoiceJob', dns, secrets).code, NETWORK_ERROR_CODE);
    const readTimeout = Object.assign(new Error('ReadTimeout(100). '), { name: 'RequestTimeoutError' });
    assert.equal(iceErrorFromThrown('SubmitCustomizedVoiceJob', readTimeout, secrets).code, TIMEOUT_ERROR_CODE);
    const osTimeout = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    assert.equal(iceErrorFromThrown('SubmitCustomizedVoiceJob', osTimeout, secrets).code, TIMEOUT_ERROR_CODE);
  });

  it('maps a non-JSON body to InvalidResponse and an empty credential chain to a final InvalidCredentials', () => {
    const garbled = iceErrorFromThrown('GetCustomizedVoiceJob', new SyntaxError('Unexpected token <'), secrets);
    assert.equal(garbled.code, INVALID_RESPONSE_CODE);
    assert.ok(!isMissingResponseField(garbled), 'a gateway page is not an incomplete ICE answer: not bounded');
    const chain = new Error('unable to get credentials from any of the providers in the chain: nothing');
    const noCredentials = iceErrorFromThrown('GetCustomizedVoiceJob', chain, secrets);
    assert.equal(noCredentials.code, 'InvalidCredentials');
    assert.equal(noCredentials.kind, 'final');
  });
});

describe('MissingResponseFieldError (a 2xx ICE answer without a field the clone needs)', () => {
  it('is an InvalidResponse IceError, retryable, recognisable, with the field and the RequestId', () => {
    const error = new MissingResponseFieldError(
      'GetCustomizedVoiceJob',
      'Data.CustomizedVoiceJob.Status',
      'unexpected response shape: Data.CustomizedVoiceJob.Status is missing or not a string',
      'R-9',
    );
    assert.ok(isIceError(error) && isMissingResponseField(error));
    assert.equal(error.code, INVALID_RESPONSE_CODE);
    assert.equal(error.kind, 'retryable');
    assert.equal(error.field, 'Data.CustomizedVoiceJob.Status');
    assert.match(
      error.message,
      /^GetCustomizedVoiceJob failed: InvalidResponse \(HTTP 200\): .*Status.* \[RequestId R-9\]$/,
    );
    assert.equal(iceErrorFromThrown('GetCustomizedVoiceJob', error, []), error, 'kept as it is');
  });
});

describe('scrubSecrets', () => {
  it('removes secret values, URL query strings and signatures', () => {
    const text =
      'connect ECONNREFUSED 127.0.0.1:1POST http://127.0.0.1:1/?AuthKey=Abc123Key&CallbackURL=x failed. ' +
      'Authorization: ACS3-HMAC-SHA256 Credential=AK,Signature=deadbeef key TopSecretAccessKeyValue';
    const scrubbed = scrubSecrets(text, ['TopSecretAccessKeyValue', 'Abc123Key', undefined]);
    assert.doesNotMatch(scrubbed, /Abc123Key|TopSecretAccessKeyValue|deadbeef/);
    assert.match(scrubbed, /127\.0\.0\.1:1 POST http:\/\/127\.0\.0\.1:1\/\?\[query removed\]/);
  });
});
