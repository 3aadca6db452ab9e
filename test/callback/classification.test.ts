/**
 * What a callback costs, counted where the calls land: ICE calls in the emulator's call log, Temporal calls as the
 * RPCs the receiver's (real) client sent. Another ICE feature's event costs nothing; a VoiceId costs one signal; a
 * JobId one ICE read and one signal; an id found to belong to no clone nothing the next time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCallbackReceiver, type RunningCallbackReceiver } from '../../src/callback/server';
import { ICE_FOREIGN_EVENT_TYPES } from '../../src/callback/event-types';
import { startEmulator, type RunningEmulator, emulatorIceClient } from '../../src/emulator';
import { silentLogger } from '../../src/observability/logger';
import type { IceClient } from '../../src/ice/types';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import { startDevServer } from '../support/temporal';
import { createVoice } from '../workflow/support';
import {
  NEW_KEY,
  countingTemporalClient,
  mapConcurrently,
  postCallback,
  receiverConfig,
  signedHeaders,
  uniquelySignedHeaders,
  voiceJobEvent,
  type CountingTemporalClient,
} from './support';

const SIGNAL_RPC = '/temporal.api.workflowservice.v1.WorkflowService/SignalWorkflowExecution';

describe('what a callback costs', () => {
  let env: TestWorkflowEnvironment;
  let emulator: RunningEmulator;
  let ice: IceClient;
  let temporal: CountingTemporalClient;
  let receiver: RunningCallbackReceiver;
  let typedReceiver: RunningCallbackReceiver;

  before(async () => {
    env = await startDevServer();
    emulator = await startEmulator();
    ice = emulatorIceClient(emulator, 2_000);
    temporal = await countingTemporalClient(env.connection.options.address);
    receiver = await startCallbackReceiver({
      config: receiverConfig(),
      client: temporal.client,
      ice,
      logger: silentLogger,
    });
    typedReceiver = await startCallbackReceiver({
      config: receiverConfig({ voiceEventTypes: ['CustomizedVoiceJobComplete'] }),
      client: temporal.client,
      ice,
      logger: silentLogger,
    });
  });

  after(async () => {
    await typedReceiver?.close();
    await receiver?.close();
    await temporal?.connection.close();
    await emulator?.close();
    await env?.teardown();
  });

  /** An open clone without a worker: a signal lands in its history whether or not anything runs it. */
  async function openClone(voiceId: string): Promise<string> {
    const workflowId = voiceCloneWorkflowId(voiceId);
    await env.client.workflow.start('callbackRecorderWorkflow', { taskQueue: 'no-worker-needed', workflowId });
    return workflowId;
  }

  async function signalsIn(workflowId: string): Promise<number> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  }

  /** ICE calls and Temporal RPCs made while `run` ran. */
  async function costOf(run: () => Promise<void>): Promise<{ ice: string[]; temporal: string[] }> {
    const iceBefore = (await emulator.admin.calls()).length;
    const rpcsBefore = temporal.rpcs.length;
    await run();
    const iceCalls = (await emulator.admin.calls()).slice(iceBefore).map((call) => call.action);
    return { ice: iceCalls, temporal: temporal.rpcs.slice(rpcsBefore) };
  }

  test("100 events of other ICE features, many with a JobId or an open clone's VoiceId, cost no ICE and no Temporal call", async () => {
    const workflowId = await openClone('VoiceNotForeign');
    const types = [...ICE_FOREIGN_EVENT_TYPES];
    const events = Array.from({ length: 100 }, (_, n) => {
      const eventType = types[n % types.length];
      const bodies = [
        { JobId: randomBytes(16).toString('hex'), Status: 'Success' },
        { MediaId: `media-${n}`, JobId: randomBytes(16).toString('hex') },
        // A VoiceId of an open clone in another feature's event is still not a voice callback.
        { VoiceId: 'VoiceNotForeign', JobId: `job-${n}` },
        // Ids the voice path would refuse (400) are not ours to judge here: the event is another feature's.
        { JobId: 'not/a voice job id', Extra: { nested: [n] } },
        {},
      ];
      return { EventType: eventType, UserId: 1, EventTime: new Date().toISOString(), MessageBody: bodies[n % 5] };
    });
    const before = receiver.metrics();
    const cost = await costOf(async () => {
      const answers = await mapConcurrently(events, 10, (event) =>
        postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY)),
      );
      assert.deepEqual(
        answers.filter((answer) => answer.status !== 200 || answer.body.status !== 'ignored'),
        [],
        'every event answered 200 "ignored"',
      );
    });
    assert.deepEqual(cost, { ice: [], temporal: [] });
    const after = receiver.metrics();
    assert.equal(after.ignored - before.ignored, 100);
    assert.equal(after.signalled + after.unmatched, before.signalled + before.unmatched);
    for (const type of types) {
      const expected = events.filter((event) => event.EventType === type).length;
      const counted = (after.foreignByEventType[type] ?? 0) - (before.foreignByEventType[type] ?? 0);
      assert.equal(counted, expected, type);
    }
    const text = await (await fetch(`${receiver.url}/metrics`)).text();
    assert.match(text, /^ice_callback_foreign_total\{event_type="TranscodeComplete"\} [1-9]\d*$/m);
    assert.equal(await signalsIn(workflowId), 0);
  });

  test('with ICE_CALLBACK_VOICE_EVENT_TYPES set, only those types are voice callbacks', async () => {
    const workflowId = await openClone('VoiceTyped');
    const unlisted = await costOf(async () => {
      const answer = await postCallback(
        typedReceiver.callbackUrl,
        voiceJobEvent({ VoiceId: 'VoiceTyped', JobId: randomBytes(16).toString('hex') }, 'SomeNewFeatureComplete'),
        signedHeaders(NEW_KEY),
      );
      assert.deepEqual(answer, { status: 200, body: { status: 'ignored' } });
    });
    assert.deepEqual(unlisted, { ice: [], temporal: [] });
    const listed = await costOf(async () => {
      const answer = await postCallback(
        typedReceiver.callbackUrl,
        voiceJobEvent({ VoiceId: 'VoiceTyped', Status: 'Training' }, 'CustomizedVoiceJobComplete'),
        signedHeaders(NEW_KEY),
      );
      assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } });
    });
    assert.deepEqual(listed, { ice: [], temporal: [SIGNAL_RPC] });
    assert.equal(await signalsIn(workflowId), 1);
  });

  test('a VoiceId costs one signal and no ICE read; a JobId alone one ICE read and one signal', async () => {
    const voiceId = `VoiceCost${randomBytes(3).toString('hex')}`;
    const jobId = await createVoice(ice, voiceId);
    const workflowId = await openClone(voiceId);
    const byVoice = await costOf(async () => {
      const answer = await postCallback(
        receiver.callbackUrl,
        voiceJobEvent({ VoiceId: voiceId, JobId: jobId, Status: 'Training' }),
        signedHeaders(NEW_KEY),
      );
      assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } });
    });
    assert.deepEqual(byVoice, { ice: [], temporal: [SIGNAL_RPC] });
    const byJob = await costOf(async () => {
      const answer = await postCallback(
        receiver.callbackUrl,
        voiceJobEvent({ JobId: jobId, Status: 'Training' }),
        signedHeaders(NEW_KEY),
      );
      assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } });
    });
    assert.deepEqual(byJob, { ice: ['GetCustomizedVoiceJob'], temporal: [SIGNAL_RPC] });
    assert.equal(await signalsIn(workflowId), 2);
  });

  test('a JobId ICE does not know costs one ICE read the first time and nothing after', async () => {
    const event = voiceJobEvent({ JobId: randomBytes(16).toString('hex'), Status: 'Success' }, 'MysteryJobComplete');
    const first = await costOf(async () => {
      const answer = await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY));
      assert.deepEqual(answer, { status: 200, body: { status: 'ignored' } });
    });
    assert.deepEqual(first, { ice: ['GetCustomizedVoiceJob'], temporal: [] });
    const remembered = receiver.metrics().remembered;
    const repeats = await costOf(async () => {
      // ICE's retries, each signed anew (the same signature with the same body would be answered from memory).
      for (let n = 0; n < 3; n++) {
        const answer = await postCallback(receiver.callbackUrl, event, uniquelySignedHeaders());
        assert.deepEqual(answer, { status: 200, body: { status: 'ignored' } });
      }
    });
    assert.deepEqual(repeats, { ice: [], temporal: [] });
    assert.equal(receiver.metrics().remembered, remembered + 3);
    assert.equal(receiver.metrics().foreignByEventType.MysteryJobComplete, 4);
  });

  test('a VoiceId with no open clone costs one signal attempt the first time and nothing after', async () => {
    const event = voiceJobEvent({ VoiceId: `NoClone${randomBytes(3).toString('hex')}`, Status: 'Success' });
    const first = await costOf(async () => {
      const answer = await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY));
      assert.deepEqual(answer, { status: 200, body: { status: 'unmatched' } });
    });
    assert.deepEqual(first, { ice: [], temporal: [SIGNAL_RPC] });
    const repeat = await costOf(async () => {
      const answer = await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY));
      assert.deepEqual(answer, { status: 200, body: { status: 'unmatched' } });
    });
    assert.deepEqual(repeat, { ice: [], temporal: [] });
  });
});
