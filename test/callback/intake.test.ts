/** The receiver's pure decisions (intake.ts): what a body is, when a waiting callback may go to the backlog. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ICE_FOREIGN_EVENT_TYPES } from '../../src/callback/event-types';
import {
  backlogAtArrival,
  backlogAtDeadline,
  classifyCallback,
  mayBacklog,
  replyForForward,
  type AdmissionView,
} from '../../src/callback/intake';
import { UnmatchedIds, NO_OPEN_CLONE_TTL_MS, JOB_UNKNOWN_TTL_MS } from '../../src/callback/unmatched-ids';

const body = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

test('every documented type of another feature is foreign, whatever its MessageBody', () => {
  assert.equal(ICE_FOREIGN_EVENT_TYPES.size, 28);
  for (const eventType of ICE_FOREIGN_EVENT_TYPES) {
    for (const messageBody of [{ JobId: 'abc' }, { VoiceId: 'Voice1' }, { JobId: 'x" OR 1' }, 'not an object']) {
      const intake = classifyCallback(body({ EventType: eventType, MessageBody: messageBody }));
      assert.equal(intake.kind, 'foreign', `${eventType} ${JSON.stringify(messageBody)}`);
    }
  }
});

test('voice event types, when set, are the only ones read as voice callbacks', () => {
  const types = new Set(['CustomizedVoiceJobComplete']);
  const other = classifyCallback(body({ EventType: 'NewThing', MessageBody: { VoiceId: 'Voice1' } }), types);
  assert.deepEqual(other, { kind: 'foreign', eventType: 'NewThing', detail: 'not in ICE_CALLBACK_VOICE_EVENT_TYPES' });
  const listed = classifyCallback(
    body({ EventType: 'CustomizedVoiceJobComplete', MessageBody: { VoiceId: 'Voice1' } }),
    types,
  );
  assert.equal(listed.kind, 'voice');
  // Unset: any other type with an id may be a clone's.
  assert.equal(classifyCallback(body({ EventType: 'NewThing', MessageBody: { JobId: 'j1' } })).kind, 'voice');
});

test('a possible voice callback is validated strictly; one without ids is not a clone’s', () => {
  const invalid = classifyCallback(body({ EventType: 'NewThing', MessageBody: { JobId: 'x" OR 1' } }));
  assert.equal(invalid.kind === 'rejected' && invalid.reply.rejection, 'invalid_envelope');
  const noIds = classifyCallback(body({ EventType: 'NewThing', MessageBody: { MediaId: 'm' } }));
  assert.deepEqual(noIds, { kind: 'foreign', eventType: 'NewThing', detail: 'no VoiceId or JobId' });
  const voiceNamed = classifyCallback(body({ EventType: 'CustomizedVoiceJobComplete', MessageBody: {} }));
  assert.equal(voiceNamed.kind === 'rejected' && voiceNamed.reply.status, 400);
});

test('a clone gets a bounded fact, never the body; a field out of bounds is 400 naming it', () => {
  const event = {
    EventType: 'CustomizedVoiceJobComplete',
    UserId: 1,
    EventTime: '2026-01-01T00:00:00Z',
    MessageBody: { JobId: 'j1', VoiceId: 'Voice1', Status: 'Success', Message: 'x'.repeat(50_000), Extra: [1, 2] },
  };
  const voice = classifyCallback(body(event));
  assert.deepEqual(voice.kind === 'voice' && voice.fact, {
    eventType: 'CustomizedVoiceJobComplete',
    jobId: 'j1',
    voiceId: 'Voice1',
    status: 'Success',
    eventTime: '2026-01-01T00:00:00Z',
  });
  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['Status too long', { MessageBody: { JobId: 'j1', Status: 'S'.repeat(129) } }, /MessageBody\.Status/],
    ['Status a number', { MessageBody: { JobId: 'j1', Status: 3 } }, /MessageBody\.Status/],
    ['Status with a newline', { MessageBody: { JobId: 'j1', Status: 'Success\nFail' } }, /MessageBody\.Status/],
    ['EventTime an object', { EventTime: { at: 1 } }, /EventTime/],
    ['EventTime too long', { EventTime: '2'.repeat(129) }, /EventTime/],
    ['JobId too long', { MessageBody: { JobId: 'j'.repeat(129) } }, /MessageBody\.JobId/],
    ['VoiceId too long', { MessageBody: { VoiceId: 'v'.repeat(65) } }, /MessageBody\.VoiceId/],
  ];
  for (const [name, change, field] of refused) {
    const intake = classifyCallback(body({ ...event, ...change }));
    assert.equal(intake.kind === 'rejected' && intake.reply.status, 400, name);
    assert.match(intake.kind === 'rejected' ? String(intake.reply.body.message) : '', field, name);
  }
});

test('a body nested deeper than 32 levels is 400, however deep (no stack overflow)', () => {
  for (const depth of [40, 20_000]) {
    const raw = `{"EventType":"X","MessageBody":{"JobId":"j1","x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const intake = classifyCallback(body(raw));
    assert.equal(intake.kind === 'rejected' && intake.reply.status, 400, String(depth));
  }
  const shallow = `{"EventType":"X","MessageBody":{"JobId":"j1","x":${'['.repeat(20)}${']'.repeat(20)}}}`;
  assert.equal(classifyCallback(body(shallow)).kind, 'voice');
});

test('anything that is not JSON is 400 malformed_json; JSON that is not an object is 400 invalid_envelope', () => {
  for (const raw of ['', 'a=b', '{"EventType":', '<xml/>']) {
    const intake = classifyCallback(body(raw));
    assert.equal(intake.kind === 'rejected' && intake.reply.rejection, 'malformed_json', raw);
  }
  for (const raw of ['[]', '42', '"TranscodeComplete"', 'null']) {
    const intake = classifyCallback(body(raw));
    assert.equal(intake.kind === 'rejected' && intake.reply.rejection, 'invalid_envelope', raw);
  }
});

test('the backlog: at arrival only behind a full round, at the deadline while there is room, never when barred', () => {
  const view = (overrides: Partial<AdmissionView>): AdmissionView => ({
    queued: 0,
    slots: 4,
    backlogDepth: 0,
    maxBacklog: 10,
    mayBacklog: true,
    ...overrides,
  });
  assert.equal(backlogAtArrival(view({ queued: 3 })), false);
  assert.equal(backlogAtArrival(view({ queued: 4 })), true);
  assert.equal(backlogAtArrival(view({ queued: 4, backlogDepth: 10 })), false);
  assert.equal(backlogAtArrival(view({ queued: 4, mayBacklog: false })), false);
  assert.equal(backlogAtDeadline(view({})), true);
  assert.equal(backlogAtDeadline(view({ backlogDepth: 10 })), false);
  assert.equal(backlogAtDeadline(view({ mayBacklog: false })), false);
  // With forwarding on, a callback without a VoiceId may be another feature's: ICE must get the target's answer.
  assert.equal(mayBacklog(true, undefined), false);
  assert.equal(mayBacklog(true, 'Voice1'), true);
  assert.equal(mayBacklog(false, undefined), true);
});

test('a forward is 200 only when the target took it, else 502', () => {
  assert.equal(replyForForward({ ok: true }, {}, 'd').status, 200);
  const failed = replyForForward({ ok: false, detail: 'forward target answered 500' }, {}, 'd');
  assert.deepEqual([failed.status, failed.outcome], [502, 'forward_failed']);
});

test('the memory of ids of no clone is bounded in size and in time', () => {
  let now = 0;
  const memory = new UnmatchedIds(3, () => now);
  memory.remember({ jobId: 'j1' }, 'job-unknown-to-ice');
  memory.remember({ voiceId: 'v1', jobId: 'j9' }, 'no-open-clone');
  assert.equal(memory.recall({ jobId: 'j1' }), 'job-unknown-to-ice');
  // Keyed by the id a callback is routed by: its VoiceId when it has one.
  assert.equal(memory.recall({ voiceId: 'v1' }), 'no-open-clone');
  assert.equal(memory.recall({ jobId: 'j9' }), undefined);
  memory.remember({ jobId: 'j2' }, 'job-unknown-to-ice');
  memory.remember({ jobId: 'j3' }, 'job-unknown-to-ice');
  assert.equal(memory.size, 3);
  assert.equal(memory.recall({ jobId: 'j1' }), undefined, 'the oldest went first');
  now = NO_OPEN_CLONE_TTL_MS;
  assert.equal(memory.recall({ voiceId: 'v1' }), undefined, 'a clone may open again for the same voice');
  assert.equal(memory.recall({ jobId: 'j2' }), 'job-unknown-to-ice');
  now = JOB_UNKNOWN_TTL_MS;
  assert.equal(memory.recall({ jobId: 'j2' }), undefined);
});
