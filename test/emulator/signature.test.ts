import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EMULATOR_DEV_CREDENTIALS } from '../../src/config';
import {
  buildCanonicalRequest,
  buildStringToSign,
  canonicalQueryString,
  computeSignature,
  parseAuthorization,
  percentEncode,
} from '../../src/emulator/acs3-signature';
import type { RunningEmulator } from '../../src/emulator';
import { createIceTransport } from '../../src/ice/transport';
import type { IceAction } from '../../src/ice/types';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { callIce, wireClient, type WireResponse } from './support/ice-wire';

/**
 * Alibaba's published V3 example (help.aliyun.com, "ROA风格请求体&签名机制" of the V3 signature mechanism): RunInstances
 * on ecs.cn-shanghai with AccessKeyId "YourAccessKeyId" and secret "YourAccessKeySecret".
 */
const EXAMPLE = {
  query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
  headers: {
    host: 'ecs.cn-shanghai.aliyuncs.com',
    'x-acs-action': 'RunInstances',
    'x-acs-version': '2014-05-26',
    'x-acs-date': '2023-10-26T09:01:01Z',
    'x-acs-signature-nonce': 'd410180a5abf7fe235dd9b74aca91fc0',
    'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  },
  secret: 'YourAccessKeySecret',
  authorization:
    'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804',
};

describe('ACS3-HMAC-SHA256 pure functions', () => {
  it("reproduce Alibaba's worked example", () => {
    const parsed = parseAuthorization(EXAMPLE.authorization);
    assert.ok(parsed);
    assert.equal(parsed.accessKeyId, 'YourAccessKeyId');
    const canonical = buildCanonicalRequest({
      method: 'POST',
      canonicalUri: '/',
      query: EXAMPLE.query,
      headers: EXAMPLE.headers,
      signedHeaders: parsed.signedHeaders,
      hashedPayload: createHash('sha256').update('').digest('hex'),
    });
    assert.equal(
      canonical,
      'POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n' +
        'host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\n' +
        'x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n' +
        'x-acs-date:2023-10-26T09:01:01Z\nx-acs-signature-nonce:d410180a5abf7fe235dd9b74aca91fc0\n' +
        'x-acs-version:2014-05-26\n\n' +
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const stringToSign = buildStringToSign(canonical);
    assert.ok(stringToSign.startsWith('ACS3-HMAC-SHA256\n'));
    assert.equal(computeSignature(stringToSign, EXAMPLE.secret), parsed.signature);
  });

  it('encode per RFC 3986 (space as %20, reserved and non-ASCII escaped, unreserved kept)', () => {
    assert.equal(percentEncode("a b+c*d~e_f.g-h!'()"), 'a%20b%2Bc%2Ad~e_f.g-h%21%27%28%29');
    assert.equal(percentEncode('名'), '%E5%90%8D');
    assert.equal(canonicalQueryString({ b: '2', a: '', A: 'x y' }), 'A=x%20y&a=&b=2');
  });
});

describe('emulator signature check over HTTP', () => {
  let harness: IceHarness;
  let emulator: RunningEmulator;
  const good = EMULATOR_DEV_CREDENTIALS;
  const params = { Scenario: 'story' };
  const action = 'GetDemonstrationForCustomizedVoiceJob';

  before(async () => {
    harness = await startTestEmulator({
      keyPairs: [good, { accessKeyId: 'LTAISecondKey', accessKeySecret: 'SecondSecret' }],
    });
    emulator = harness.emulator;
  });
  after(() => harness.close());

  const expectError = (response: WireResponse, status: number, code: string): void => {
    assert.equal(response.status, status, JSON.stringify(response.body));
    assert.equal(response.body.Code, code);
    assert.deepEqual(Object.keys(response.body).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    assert.equal(typeof response.body.RequestId, 'string');
  };

  it('accepts a correctly signed request from each configured key pair', async () => {
    for (const credentials of [good, { accessKeyId: 'LTAISecondKey', accessKeySecret: 'SecondSecret' }]) {
      const response = await callIce(emulator.url, action, params, { credentials });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.headers['x-acs-request-id'], response.body.RequestId);
    }
  });

  it('rejects a tampered query', async () => {
    const response = await callIce(emulator.url, action, params, {
      credentials: good,
      tamperQuery: (query) => ({ ...query, Scenario: 'navigation' }),
    });
    expectError(response, 400, 'SignatureDoesNotMatch');
  });

  it('rejects a tampered signed header', async () => {
    const response = await callIce(emulator.url, action, params, {
      credentials: good,
      extraHeaders: { 'x-acs-custom': 'a' },
      tamperHeaders: (headers) => ({ ...headers, 'x-acs-custom': 'b' }),
    });
    expectError(response, 400, 'SignatureDoesNotMatch');
  });

  it('rejects a wrong secret and an unknown key', async () => {
    expectError(
      await callIce(emulator.url, action, params, { credentials: { ...good, accessKeySecret: 'wrong' } }),
      400,
      'SignatureDoesNotMatch',
    );
    expectError(
      await callIce(emulator.url, action, params, {
        credentials: { accessKeyId: 'LTAIUnknown', accessKeySecret: 'x' },
      }),
      404,
      'InvalidAccessKeyId.NotFound',
    );
  });

  it('rejects a reused nonce', async () => {
    const nonce = 'reused-nonce-0001';
    assert.equal((await callIce(emulator.url, action, params, { credentials: good, nonce })).status, 200);
    expectError(await callIce(emulator.url, action, params, { credentials: good, nonce }), 400, 'SignatureNonceUsed');
  });

  it('rejects an x-acs-date more than 15 minutes off, either way', async () => {
    const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const date of [iso(Date.now() - 16 * 60_000), iso(Date.now() + 16 * 60_000)]) {
      expectError(
        await callIce(emulator.url, action, params, { credentials: good, date }),
        400,
        'InvalidTimeStamp.Expired',
      );
    }
    const nearlyStale = await callIce(emulator.url, action, params, {
      credentials: good,
      date: iso(Date.now() - 14 * 60_000),
    });
    assert.equal(nearlyStale.status, 200);
  });

  it('rejects a wrong version, missing headers and a missing Authorization', async () => {
    expectError(
      await callIce(emulator.url, action, params, { credentials: good, version: '2019-01-01' }),
      400,
      'InvalidVersion',
    );
    expectError(
      await callIce(emulator.url, action, params, { credentials: good, omitHeaders: ['x-acs-date'] }),
      400,
      'MissingParameter',
    );
    expectError(
      await callIce(emulator.url, action, params, { credentials: good, omitHeaders: ['x-acs-signature-nonce'] }),
      400,
      'MissingParameter',
    );
    expectError(
      await callIce(emulator.url, action, params, { credentials: good, omitHeaders: ['authorization'] }),
      400,
      'IncompleteSignature',
    );
  });

  it('rejects a body that does not match x-acs-content-sha256', async () => {
    const response = await callIce(emulator.url, action, params, {
      credentials: good,
      body: 'Scenario=story',
      contentType: 'application/x-www-form-urlencoded',
      tamperHeaders: (headers) => ({
        ...headers,
        'x-acs-content-sha256': createHash('sha256').update('').digest('hex'),
      }),
    });
    expectError(response, 400, 'SignatureDoesNotMatch');
  });

  it('takes business parameters from a signed form body too', async () => {
    const response = await callIce(
      emulator.url,
      action,
      {},
      {
        credentials: good,
        body: 'Scenario=interaction',
        contentType: 'application/x-www-form-urlencoded',
      },
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });

  it("accepts requests signed by Alibaba's own transport (openapi-core), reserved and non-ASCII characters included", async () => {
    // The package's transport is openapi-core configured as the official SDK configures it, signing included.
    const transport = createIceTransport({
      region: 'cn-shanghai',
      endpoint: emulator.url,
      credentials: good,
      connectTimeoutMs: 3_000,
      readTimeoutMs: 3_000,
    });
    const call = async (name: IceAction, query: Record<string, string>): Promise<Record<string, unknown>> =>
      (await transport.call(name, query)).body as Record<string, unknown>;
    const voiceName = "名字 a+b&c=d/?*()!'~%20";
    await call('CreateCustomizedVoiceJob', {
      VoiceId: 'sdkVoice1',
      Gender: 'male',
      Scenario: 'story',
      VoiceName: voiceName,
    });
    const voice = await call('GetCustomizedVoice', { VoiceId: 'sdkVoice1' });
    assert.equal((voice.Data as { CustomizedVoice: { VoiceName: string } }).CustomizedVoice.VoiceName, voiceName);
    const recordUrl = 'https://bucket.oss-cn-shanghai.aliyuncs.com/录音 1.wav?a=1&b=x+y';
    const detect = await call('DetectAudioForCustomizedVoiceJob', {
      VoiceId: 'sdkVoice1',
      RecordUrl: recordUrl,
      AudioRecordId: '1',
    });
    assert.deepEqual(detect.Data, { Pass: true, Reason: '' });
    const calls = await emulator.admin.calls();
    assert.equal(calls.at(-1)?.params.RecordUrl, recordUrl);
  });

  it('records rejected calls too', async () => {
    await emulator.admin.clearCalls();
    const client = wireClient(emulator.url, { ...good, accessKeySecret: 'wrong' });
    await client.raw(action, params);
    const [call] = await emulator.admin.calls();
    assert.equal(call.action, action);
    assert.equal(call.httpStatus, 400);
    assert.equal(call.code, 'SignatureDoesNotMatch');
  });
});
