/**
 * Bad inputs: each is refused with a message naming the field and the rule — by the client helper before any
 * call, and by the workflow itself (a caller may bypass the helper) as a non-retryable `InvalidInput` with zero
 * ICE calls. Runs on a dev server WITHOUT the search attributes registered, where a good clone must still work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidVoiceCloneInputError, startVoiceClone } from '../../src/client';
import {
  SEARCH_ATTRIBUTE_NAMES,
  VOICE_CLONE_WORKFLOW_TYPE,
  voiceCloneWorkflowId,
} from '../../src/workflows/definitions';
import { validateRecording, validateVoiceCloneInput } from '../../src/workflows/validation';
import { createVoice, FAST_TIMING, newVoiceId, recordings } from './support';
import { startTestHarness, type TestHarness } from '../support/harness';

const URL_OK = 'https://voices.oss-cn-shanghai.aliyuncs.com/v/1.wav';
const many = (count: number) => Array.from({ length: count }, (_, i) => ({ audioRecordId: i + 1, recordUrl: URL_OK }));

/** [what, input, field named in the message] */
const BAD_INPUTS: [string, unknown, string][] = [
  ['no input at all', null, 'input'],
  ['missing voiceId', {}, 'voiceId'],
  ['voiceId with a space', { voiceId: 'my voice' }, 'voiceId'],
  ['voiceId of 33 characters', { voiceId: 'a'.repeat(33) }, 'voiceId'],
  ['numeric voiceId', { voiceId: 12345 }, 'voiceId'],
  ['unknown top-level field', { voiceId: 'Anna1', accessKeySecret: 'x' }, 'accessKeySecret'],
  ['jobId with a quote', { voiceId: 'Anna1', jobId: 'abc" OR 1' }, 'jobId'],
  ['empty jobId', { voiceId: 'Anna1', jobId: '' }, 'jobId'],
  ['numeric jobId', { voiceId: 'Anna1', jobId: 42 }, 'jobId'],
  ['http demo URL', { voiceId: 'Anna1', demoAudioMediaUrl: 'http://bucket.example.com/demo.wav' }, 'demoAudioMediaUrl'],
  [
    'demo URL with credentials',
    { voiceId: 'Anna1', demoAudioMediaUrl: 'https://u:p@bucket.example.com/d.wav' },
    'demoAudioMediaUrl',
  ],
  ['empty recordings', { voiceId: 'Anna1', recordings: [] }, 'recordings'],
  ['21 recordings', { voiceId: 'Anna1', recordings: many(21) }, 'recordings'],
  [
    'audioRecordId 0',
    { voiceId: 'Anna1', recordings: [{ audioRecordId: 0, recordUrl: URL_OK }] },
    'recordings[0].audioRecordId',
  ],
  [
    'audioRecordId 21',
    { voiceId: 'Anna1', recordings: [...many(2), { audioRecordId: 21, recordUrl: URL_OK }] },
    'recordings[2].audioRecordId',
  ],
  [
    'fractional audioRecordId',
    { voiceId: 'Anna1', recordings: [{ audioRecordId: 1.5, recordUrl: URL_OK }] },
    'recordings[0].audioRecordId',
  ],
  [
    'duplicate audioRecordId',
    { voiceId: 'Anna1', recordings: [...many(2), { audioRecordId: 2, recordUrl: URL_OK }] },
    'recordings[2].audioRecordId',
  ],
  [
    'ftp recordUrl',
    { voiceId: 'Anna1', recordings: [...many(2), { audioRecordId: 3, recordUrl: 'ftp://x/y.wav' }] },
    'recordings[2].recordUrl',
  ],
  [
    'not a URL',
    { voiceId: 'Anna1', recordings: [{ audioRecordId: 1, recordUrl: 'voice.wav' }] },
    'recordings[0].recordUrl',
  ],
  [
    'unknown recording field',
    { voiceId: 'Anna1', recordings: [{ audioRecordId: 1, recordUrl: URL_OK, text: 'x' }] },
    'recordings[0].text',
  ],
  ['unparseable duration', { voiceId: 'Anna1', timing: { pollInterval: 'soon' } }, 'timing.pollInterval'],
  ['negative duration', { voiceId: 'Anna1', timing: { callbackTimeout: -5 } }, 'timing.callbackTimeout'],
  [
    'training timeout over 30 days',
    { voiceId: 'Anna1', timing: { trainingTimeout: '31 days' } },
    'timing.trainingTimeout',
  ],
  [
    'poll interval above its maximum',
    { voiceId: 'Anna1', timing: { pollInterval: '10m', maxPollInterval: '1m' } },
    'timing.pollInterval',
  ],
  [
    'callback timeout above training timeout',
    { voiceId: 'Anna1', timing: { callbackTimeout: '2h', trainingTimeout: '1h' } },
    'timing.callbackTimeout',
  ],
  ['unknown timing field', { voiceId: 'Anna1', timing: { retries: 3 } }, 'timing.retries'],
  [
    'recording timeout over 30 days',
    { voiceId: 'Anna1', timing: { recordingTimeout: '31 days' } },
    'timing.recordingTimeout',
  ],
  ['voice not an object', { voiceId: 'Anna1', voice: 'female' }, 'voice'],
  ['voice without gender', { voiceId: 'Anna1', voice: { scenario: 'story' } }, 'voice.gender'],
  ['voice of an unknown scenario', { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'news' } }, 'voice.scenario'],
  [
    'voiceName of 33 characters',
    { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'story', voiceName: 'n'.repeat(33) } },
    'voice.voiceName',
  ],
  ['unknown voice field', { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'story', age: 30 } }, 'voice.age'],
  [
    'autoSubmitAfter 0',
    { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'story' }, autoSubmitAfter: 0 },
    'autoSubmitAfter',
  ],
  [
    'autoSubmitAfter 21',
    { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'story' }, autoSubmitAfter: 21 },
    'autoSubmitAfter',
  ],
  // Strict strings: a URL or a name with a control character or an invisible reordering one never reaches ICE.
  [
    'recordUrl with a newline and a control character',
    { voiceId: 'Anna1', recordings: [{ audioRecordId: 1, recordUrl: 'https://b.example.com/a\nb\x01.wav' }] },
    'recordings[0].recordUrl',
  ],
  [
    'recordUrl with a space',
    { voiceId: 'Anna1', recordings: [{ audioRecordId: 1, recordUrl: 'https://b.example.com/a b.wav' }] },
    'recordings[0].recordUrl',
  ],
  [
    'demo URL with a tab',
    { voiceId: 'Anna1', demoAudioMediaUrl: 'https://b.example.com/\td.wav' },
    'demoAudioMediaUrl',
  ],
  [
    'Basic voice name with a newline and a bell',
    { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'story', voiceName: 'a\nb\x07' } },
    'voice.voiceName',
  ],
  [
    'Basic voice description with DEL',
    { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'story', voiceDesc: 'calm\x7f' } },
    'voice.voiceDesc',
  ],
  [
    'Basic voice name with a right-to-left override',
    { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'story', voiceName: 'Anna\u202Evaw.exe' } },
    'voice.voiceName',
  ],
  [
    'Standard voiceName with a line separator',
    {
      edition: 'standard',
      voiceName: 'Anna\u2028Bob',
      gender: 'female',
      authenticationMediaId: 'auth1',
      audioMediaIds: ['a1'],
    },
    'voiceName',
  ],
  [
    'Standard demo URL with a carriage return',
    {
      edition: 'standard',
      voiceName: 'Anna',
      gender: 'female',
      authenticationMediaId: 'auth1',
      audioMediaIds: ['a1'],
      demoAudioMediaUrl: 'https://b.example.com/d\r.wav',
    },
    'demoAudioMediaUrl',
  ],
  [
    'CosyVoice voiceName with a NUL',
    { edition: 'cosyvoice', voiceName: 'An\u0000na', gender: 'female', audioMediaId: 'a1', model: 'cosyvoice-v3-plus' },
    'voiceName',
  ],
  ['autoSubmitAfter without voice', { voiceId: 'Anna1', autoSubmitAfter: 3 }, 'autoSubmitAfter'],
  [
    'autoSubmitAfter with recordings up front',
    { voiceId: 'Anna1', voice: { gender: 'male', scenario: 'story' }, recordings: many(3), autoSubmitAfter: 3 },
    'autoSubmitAfter',
  ],
];

describe('validateVoiceCloneInput (pure)', () => {
  test('names the field and the rule for every bad input', () => {
    for (const [what, input, field] of BAD_INPUTS) {
      const result = validateVoiceCloneInput(input);
      assert.equal(result.ok, false, what);
      if (result.ok) continue;
      assert.equal(result.field, field, what);
      assert.ok(result.rule.length > 0, what);
      assert.equal(result.message, `${field}: ${result.rule}`, what);
    }
  });

  test('accepts a full input and resolves durations to milliseconds, with defaults', () => {
    const result = validateVoiceCloneInput({
      voiceId: 'Anna2026',
      demoAudioMediaUrl: 'https://bucket.oss-cn-shanghai.aliyuncs.com/demo.wav',
      recordings: many(20),
      timing: { callbackTimeout: '15 minutes', pollInterval: 10_000 },
    });
    assert.ok(result.ok && result.value.edition === 'basic');
    assert.deepEqual(result.value.timing, {
      callbackTimeoutMs: 900_000,
      pollIntervalMs: 10_000,
      maxPollIntervalMs: 300_000,
      trainingTimeoutMs: 86_400_000,
      recordingTimeoutMs: 604_800_000,
    });
    assert.equal(result.value.recordings?.length, 20);
  });

  test('accepts a recording session: voice, autoSubmitAfter and recordingTimeout', () => {
    const result = validateVoiceCloneInput({
      voiceId: 'Anna2027',
      voice: { gender: 'female', scenario: 'navigation', voiceName: 'Anna', voiceDesc: 'Anna, navigation' },
      autoSubmitAfter: 20,
      timing: { recordingTimeout: '2 days' },
    });
    assert.ok(result.ok && result.value.edition === 'basic');
    assert.deepEqual(result.value.voice, {
      gender: 'female',
      scenario: 'navigation',
      voiceName: 'Anna',
      voiceDesc: 'Anna, navigation',
    });
    assert.equal(result.value.autoSubmitAfter, 20);
    assert.equal(result.value.timing.recordingTimeoutMs, 2 * 86_400_000);
  });

  test('refuses the recording session fields for Standard and CosyVoice (the session is Basic only)', () => {
    const standard = {
      edition: 'standard',
      voiceName: 'Anna',
      gender: 'female',
      authenticationMediaId: 'auth1',
      audioMediaIds: ['a1'],
    };
    const cosyvoice = {
      edition: 'cosyvoice',
      voiceName: 'Anna',
      gender: 'female',
      audioMediaId: 'a1',
      model: 'cosyvoice-v3-plus',
    };
    for (const base of [standard, cosyvoice]) {
      for (const [field, value] of [
        ['voice', { gender: 'female', scenario: 'story' }],
        ['autoSubmitAfter', 2],
      ] as const) {
        const result = validateVoiceCloneInput({ ...base, [field]: value });
        assert.ok(!result.ok, `${base.edition} with ${field}`);
        assert.equal(result.field, field);
      }
    }
  });

  test("validateRecording (addRecording's argument) names the field and the rule", () => {
    const cases: [unknown, string][] = [
      [null, 'recording'],
      [{ audioRecordId: 0, recordUrl: URL_OK }, 'audioRecordId'],
      [{ audioRecordId: '3', recordUrl: URL_OK }, 'audioRecordId'],
      [{ audioRecordId: 3 }, 'recordUrl'],
      [{ audioRecordId: 3, recordUrl: 'https://u:p@x.example/a.wav' }, 'recordUrl'],
      [{ audioRecordId: 3, recordUrl: URL_OK, text: 'x' }, 'text'],
      [{ audioRecordId: 3, recordUrl: 'https://b.example.com/a\nb\x01.wav' }, 'recordUrl'],
    ];
    for (const [raw, field] of cases) {
      const result = validateRecording(raw);
      assert.equal(result.ok, false, JSON.stringify(raw));
      if (!result.ok) assert.equal(result.message, `${field}: ${result.rule}`);
    }
    assert.deepEqual(validateRecording({ audioRecordId: 20, recordUrl: URL_OK }), {
      ok: true,
      value: { audioRecordId: 20, recordUrl: URL_OK },
    });
  });
});

describe('bad inputs against a real server (search attributes not registered)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'invalid-input', worker: true, devServer: { searchAttributes: false } });
  });
  after(async () => {
    await stack?.close();
  });

  test('startVoiceClone throws InvalidVoiceCloneInputError before starting anything', async () => {
    for (const [what, input, field] of BAD_INPUTS) {
      const error = await startVoiceClone(stack.client, input as never, { taskQueue: stack.taskQueue }).then(
        () => assert.fail(`${what}: accepted`),
        (thrown: unknown) => thrown,
      );
      assert.ok(error instanceof InvalidVoiceCloneInputError, what);
      assert.equal(error.field, field, what);
      assert.equal(error.code, 'InvalidInput');
    }
    await assert.rejects(
      stack.client.workflow.getHandle(voiceCloneWorkflowId('Anna1')).describe(),
      WorkflowNotFoundError,
    );
  });

  test(`the workflow refuses ${BAD_INPUTS.length} bad inputs as InvalidInput with zero ICE calls`, async () => {
    await stack.emulator.admin.clearCalls();
    await Promise.all(
      BAD_INPUTS.map(async ([what, input, field], index) => {
        const error = await stack.client.workflow
          .execute(VOICE_CLONE_WORKFLOW_TYPE, {
            workflowId: `invalid-input-${index}-${Date.now()}`,
            taskQueue: stack.taskQueue,
            args: [input],
          })
          .then(
            () => assert.fail(`${what}: accepted`),
            (thrown: unknown) => thrown,
          );
        assert.ok(error instanceof WorkflowFailedError, what);
        const cause = error.cause;
        assert.ok(cause instanceof ApplicationFailure, what);
        assert.equal(cause.type, 'InvalidInput', what);
        assert.equal(cause.nonRetryable, true, what);
        assert.ok(cause.message.startsWith(`${field}: `), `${what}: ${cause.message}`);
      }),
    );
    assert.deepEqual(await stack.emulator.admin.calls(), [], 'no ICE call was made');
  });

  test('a good clone still succeeds where the search attributes are not registered', async () => {
    const voiceId = newVoiceId('NoAttrs');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 1), timing: { ...FAST_TIMING, callbackTimeout: '500ms' } },
      { taskQueue: stack.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    const description = await handle.describe();
    const ours = description.typedSearchAttributes
      .getAll()
      .filter((pair) => SEARCH_ATTRIBUTE_NAMES.includes(pair.key.name));
    assert.deepEqual(ours, []);
    assert.equal(await description.staticSummary(), `Clone ICE voice ${voiceId}`);
  });
});
