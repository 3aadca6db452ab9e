/**
 * What a callback costs, counted where the calls land: ICE calls in the emulator's call log, Temporal calls as the
 * RPCs the receiver's (real) client sent. Another ICE feature's event costs nothing; a VoiceId costs one signal; a
 * JobId one ICE read and one signal; an id found to belong to no clone nothing the next time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RunningCallbackReceiver } from '../../src/callback/server';
import { ICE_FOREIGN_EVENT_TYPES } from '../../src/callback/event-types';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import { createVoice } from '../workflow/support';
import {
  NEW_KEY,
  SIGNAL_RPC,
  mapConcurrently,
  postCallback,
  signedHeaders,
  startCountingStand,
  uniquelySignedHeaders,
  voiceJobEvent,
  type CountingStand,
} from './support';

describe('what a callback costs', () => {
  let stand: CountingStand;
  let receiver: RunningCallbackReceiver;
  let typedReceiver: RunningCallbackReceiver;

  before(async () => {
    stand = await startCountingStand('callback-classification');
    receiver = await stand.startReceiver();
    typedReceiver = await stand.startReceiver({ voiceEventTypes: ['CustomizedVoiceJobComplete'] });
  });

  after(() => stand?.h.close());

  const openClone = (voiceId: string) => stand.openClone(voiceCloneWorkflowId(voiceId));
  const signalsIn = (workflowId: string) => stand.signalsIn(workflowId);
  const costOf = (run: () => Promise<void>) => stand.costOf(run);

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
    const jobId = await createVoice(stand.ice, voiceId);
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
