/**
 * Attacks on the ICE emulator over real HTTP (issue 24 point 8): hostile admin requests are refused with the field
 * they got wrong and never take the emulator down; oversized bodies are answered 413; a browser page on another
 * origin cannot drive the admin API; a bind beyond loopback warns. And the local stack's callback key (point 9)
 * stays out of the state file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EMULATOR_DEV_CREDENTIALS } from '../../src/config';
import { EMULATOR_EXPOSED_WARNING, type RunningEmulator } from '../../src/emulator';
import { createLogger } from '../../src/observability/logger';
import { startWiredEmulator, withWiredEmulator, type WiredEmulator } from '../emulator/support/emulator';
import { sendHttp, waitFor, wireClient, type WireClient } from '../emulator/support/ice-wire';
import { startTestEmulator } from '../support/harness';
import { submitVoice } from '../emulator/support/voice-flow';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

/** One HTTP request exactly as given, its JSON answer parsed (an empty one is undefined). */
async function rawRequest(
  baseUrl: string,
  method: string,
  requestPath: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  const { status, headers, text } = await sendHttp(baseUrl, method, requestPath, options);
  return { status, headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM = 'application/x-www-form-urlencoded';

describe('emulator under attack through its own API', () => {
  let harness: WiredEmulator;
  let emulator: RunningEmulator;
  let ice: WireClient;
  const admin = (method: string, adminPath: string, body?: unknown, headers: Record<string, string> = JSON_TYPE) =>
    rawRequest(emulator.url, method, `/__emulator${adminPath}`, {
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** The emulator is alive: it answers ICE, and a training it runs ends (through the fault rules) and is read. */
  async function assertStillServes(voiceId: string): Promise<void> {
    const jobId = await submitVoice(ice, voiceId);
    const status = await waitFor(async () => {
      const body = await ice.ok('GetCustomizedVoiceJob', { JobId: jobId });
      const job = (body.Data as { CustomizedVoiceJob: { Status: string } }).CustomizedVoiceJob;
      return ['Success', 'Fail'].includes(job.Status) ? job.Status : undefined;
    }, 10_000);
    assert.equal(status, 'Success');
  }

  before(async () => {
    harness = await startWiredEmulator({ trainingMs: 200 });
    ({ emulator, wire: ice } = harness);
  });
  after(() => harness.close());

  it('refuses a faults body with a number for the voice list (400 naming the field) and lives on', async () => {
    const answer = await admin('PUT', '/faults', { failTrainingVoiceIds: 5 });
    assert.equal(answer.status, 400);
    assert.equal(answer.body?.field, 'failTrainingVoiceIds');
    assert.deepEqual(await emulator.admin.faults(), {}, 'the faults did not change');
    // Before the fix this answered 204 and the next finished training crashed the process.
    await assertStillServes('attackFaults01');
  });

  it('refuses every malformed admin body with the field it got wrong, and still trains a voice afterwards', async () => {
    const attacks: Array<[method: string, adminPath: string, body: unknown, field: string]> = [
      ['PUT', '/faults', [], 'body'],
      ['PUT', '/faults', 'text', 'body'],
      ['PUT', '/faults', { failTrainingVoiceIds: [1, 2] }, 'failTrainingVoiceIds[0]'],
      ['PUT', '/faults', { failTrainingVoiceIds: [''] }, 'failTrainingVoiceIds[0]'],
      ['PUT', '/faults', { operations: 5 }, 'operations'],
      ['PUT', '/faults', { operations: { constructor: {} } }, 'operations.constructor'],
      ['PUT', '/faults', { operations: { '*': { latencyMs: 'slow' } } }, 'operations.*.latencyMs'],
      ['PUT', '/faults', { operations: { '*': { latencyMs: 1e12 } } }, 'operations.*.latencyMs'],
      ['PUT', '/faults', { operations: { '*': { throttle: 1 } } }, 'operations.*.throttle'],
      ['PUT', '/faults', { operations: { '*': { throttle: { rate: 2 } } } }, 'operations.*.throttle.rate'],
      ['PUT', '/faults', { operations: { '*': { serverError: { count: -1 } } } }, 'operations.*.serverError.count'],
      ['PUT', '/faults', { callbacks: { drop: { count: 'x' } } }, 'callbacks.drop.count'],
      ['PUT', '/faults', { callbacks: { delayMs: -5 } }, 'callbacks.delayMs'],
      [
        'PUT',
        '/faults',
        { jobStatusOverrides: [{ voiceId: 7, status: 'x', reads: 1 }] },
        'jobStatusOverrides[0].voiceId',
      ],
      ['PUT', '/faults', { jobStatusOverrides: {} }, 'jobStatusOverrides'],
      ['PUT', '/faults', { seed: 'abc' }, 'seed'],
      ['PUT', '/faults', { failTrainingVoiceId: ['typo'] }, 'failTrainingVoiceId'],
      ['PATCH', '/settings', { trainingMs: -1 }, 'trainingMs'],
      ['PATCH', '/settings', { trainingMs: 1e308 }, 'trainingMs'],
      ['PATCH', '/settings', { lowerCaseCallbackKey: 'yes' }, 'lowerCaseCallbackKey'],
      ['PATCH', '/settings', null, 'body'],
      ['POST', '/events', { eventType: 5, messageBody: {} }, 'eventType'],
      ['POST', '/events', { eventType: 'X', messageBody: [] }, 'messageBody'],
      ['POST', '/events', { eventType: 'X', messageBody: {}, userId: 1.5 }, 'userId'],
      ['POST', '/jobs/abc/finish', { status: 'Maybe' }, 'status'],
      ['POST', '/jobs/abc/finish', { message: 42 }, 'message'],
      ['POST', '/jobs/abc/finish', 'Fail', 'body'],
    ];
    for (const [method, adminPath, body, field] of attacks) {
      const answer = await admin(method, adminPath, body);
      const what = `${method} ${adminPath} ${JSON.stringify(body)}`;
      assert.equal(answer.status, 400, what);
      assert.equal(answer.body?.field, field, what);
      assert.ok(String(answer.body?.error).startsWith(`${field}: `), what);
    }
    const deep = `{"eventType":"X","messageBody":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const nested = await rawRequest(emulator.url, 'POST', '/__emulator/events', { headers: JSON_TYPE, body: deep });
    assert.equal(nested.status, 400);
    assert.equal(nested.body?.field, 'body');
    const notJson = await rawRequest(emulator.url, 'PUT', '/__emulator/faults', { headers: JSON_TYPE, body: '{' });
    assert.equal(notJson.status, 400);
    assert.deepEqual(await emulator.admin.faults(), {});
    await assertStillServes('attackBodies01');
  });

  it('refuses a job id that is not valid percent-encoding (400, not 500)', async () => {
    const answer = await rawRequest(emulator.url, 'POST', '/__emulator/jobs/%E0%A4%A/finish', {});
    assert.equal(answer.status, 400);
    assert.equal(answer.body?.field, 'jobId');
    const unknown = await rawRequest(emulator.url, 'POST', '/__emulator/jobs/%E0%A4%A4/finish', {});
    assert.equal(unknown.status, 404, 'a well-encoded unknown id is still a 404');
    await assertStillServes('attackPercent01');
  });

  it("answers a signed ICE request over 1 MiB with 413 in ICE's error shape, and an oversized admin body with 413", async () => {
    const body = `Scenario=story&Pad=${'a'.repeat(1_200_000)}`;
    const answer = await ice.raw('GetDemonstrationForCustomizedVoiceJob', {}, { body, contentType: FORM });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.Code, 'RequestEntityTooLarge');
    for (const name of ['RequestId', 'HostId', 'Message', 'Recommend']) assert.ok(answer.body[name], name);
    assert.equal(answer.headers['x-acs-request-id'], answer.body.RequestId);
    const logged = (await emulator.admin.calls()).at(-1);
    assert.equal(logged?.httpStatus, 413);
    assert.equal(logged?.performed, false);

    const adminAnswer = await rawRequest(emulator.url, 'PUT', '/__emulator/faults', {
      headers: JSON_TYPE,
      body: Buffer.alloc(2 * 1_048_576, 0x20),
    });
    assert.equal(adminAnswer.status, 413);
    assert.equal(adminAnswer.body?.field, 'body');
    // A sender that keeps going far past the limit is answered too (and cut off), not left hanging.
    const huge = await rawRequest(emulator.url, 'PUT', '/__emulator/faults', {
      headers: JSON_TYPE,
      body: Buffer.alloc(20 * 1_048_576, 0x20),
    }).catch((error: Error) => error);
    if (!(huge instanceof Error)) assert.equal(huge.status, 413);
    await assertStillServes('attackLarge01');
  });

  it('keeps no parameters of an unsigned request in its call log, and cuts long values of a signed one', async () => {
    await emulator.admin.clearCalls();
    const body = `Scenario=story&Pad=${'a'.repeat(900_000)}`;
    const forged = wireClient(emulator.url, { ...EMULATOR_DEV_CREDENTIALS, accessKeySecret: 'not-the-secret' });
    const refused = await forged.raw('GetDemonstrationForCustomizedVoiceJob', {}, { body, contentType: FORM });
    assert.equal(refused.body.Code, 'SignatureDoesNotMatch');
    const signed = await ice.raw('GetDemonstrationForCustomizedVoiceJob', {}, { body, contentType: FORM });
    assert.equal(signed.status, 200);
    const [unsignedCall, signedCall] = await emulator.admin.calls();
    assert.deepEqual(unsignedCall.params, {});
    assert.equal(signedCall.params.Scenario, 'story');
    assert.ok(signedCall.params.Pad.length < 5_000, `logged ${signedCall.params.Pad.length} characters`);
  });

  it('refuses a cross-origin text/plain POST from a browser page, and a non-JSON body from anywhere', async () => {
    const faults = JSON.stringify({ operations: { '*': { serverError: { rate: 1 } } } });
    // What `fetch(url, { method: 'POST', mode: 'no-cors', body })` from https://evil.example sends: no preflight.
    const crossOrigin = await rawRequest(emulator.url, 'POST', '/__emulator/reset', {
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8' },
      body: faults,
    });
    assert.equal(crossOrigin.status, 403);
    assert.equal(crossOrigin.body?.field, 'origin');
    const crossPut = await rawRequest(emulator.url, 'PUT', '/__emulator/faults', {
      headers: { origin: 'https://evil.example', ...JSON_TYPE },
      body: faults,
    });
    assert.equal(crossPut.status, 403);
    // A DNS-rebinding page has the emulator's port but not its name.
    const rebound = await rawRequest(emulator.url, 'GET', '/__emulator/calls', {
      headers: { origin: `http://rebound.example:${emulator.port}` },
    });
    assert.equal(rebound.status, 403);
    const plain = await rawRequest(emulator.url, 'PUT', '/__emulator/faults', {
      headers: { 'content-type': 'text/plain' },
      body: faults,
    });
    assert.equal(plain.status, 415);
    assert.equal(plain.body?.field, 'content-type');
    assert.deepEqual(await emulator.admin.faults(), {}, 'no refused request changed the faults');

    // The emulator's own origin (a page it served, or a tool that sends one) is let through.
    const sameOrigin = await rawRequest(emulator.url, 'PUT', '/__emulator/faults', {
      headers: { origin: emulator.url, ...JSON_TYPE },
      body: JSON.stringify({ seed: 7 }),
    });
    assert.equal(sameOrigin.status, 204);
    await emulator.admin.setFaults({});
    await assertStillServes('attackOrigin01');
  });
});

describe('emulator bound beyond loopback', () => {
  it('warns loudly, in its log and as a process warning', async () => {
    const lines: string[] = [];
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      if ((warning as Error & { code?: string }).code === EMULATOR_EXPOSED_WARNING) warnings.push(warning);
    };
    process.on('warning', onWarning);
    const exposed = await startTestEmulator({
      host: '0.0.0.0',
      logger: createLogger('emulator', 'info', (line) => lines.push(line)),
    });
    const local = await startTestEmulator({ logger: createLogger('emulator', 'info', (line) => lines.push(line)) });
    try {
      await waitFor(() => Promise.resolve(warnings.length > 0 ? true : undefined), 2_000);
      assert.equal(warnings.length, 1, 'only the exposed emulator warns');
      assert.match(warnings[0].message, /no authentication/);
      const logged = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
      const warned = logged.filter((entry) => entry.level === 'warn');
      assert.equal(warned.length, 1);
      assert.match(warned[0].msg, /0\.0\.0\.0 port \d+/);
    } finally {
      process.off('warning', onWarning);
      await exposed.close();
      await local.close();
    }
  });
});

describe("the local stack's callback key", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ice-emulator-key-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const KEY = 'LocalStackKey0123456789abcdefXYZ';
  const setCallback = ({ wire }: WiredEmulator) =>
    wire.ok('SetEventCallback', { CallbackURL: 'http://127.0.0.1:9/ice/callback', AuthSwitch: 'on', AuthKey: KEY });

  it('is not written to the state file when kept in memory, and a restart answers no callback setting', async () => {
    const stateFile = path.join(dir, 'memory.json');
    await withWiredEmulator({ stateFile, callbackAuthKeyOnDisk: false }, async (first) => {
      await setCallback(first);
      await submitVoice(first.wire, 'keyMemory01');
    });
    const saved = await readFile(stateFile, 'utf8');
    assert.ok(!saved.includes(KEY), 'the key is not on disk');
    assert.ok(saved.includes('keyMemory01'), 'the jobs are');

    await withWiredEmulator({ stateFile, callbackAuthKeyOnDisk: false }, async (second) => {
      const callback = await second.wire.ok('GetEventCallback');
      assert.equal(callback.CallbackURL, undefined, 'no setting without its key');
    });
  });

  it('is kept as ICE keeps it by a standalone emulator (file mode 0600), and scrubbed when the stack takes over', async () => {
    const stateFile = path.join(dir, 'ice-like.json');
    await withWiredEmulator({ stateFile }, setCallback);
    assert.ok((await readFile(stateFile, 'utf8')).includes(KEY));
    assert.equal((await stat(stateFile)).mode & 0o777, 0o600);

    await withWiredEmulator({ stateFile }, async (restarted) => {
      const callback = await restarted.wire.ok('GetEventCallback');
      assert.equal(callback.AuthKey, KEY, 'a restarted emulator answers the key, as ICE does');
    });

    const stack = await startTestEmulator({ stateFile, callbackAuthKeyOnDisk: false });
    await stack.close();
    assert.ok(!(await readFile(stateFile, 'utf8')).includes(KEY), 'a key found on disk is gone after the next write');
  });
});
