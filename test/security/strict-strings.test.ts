/**
 * Strict strings at every edge (issue 24, point 6): a URL (recording, demo audio, callback, forward) or a name or
 * description with an ASCII control character is refused naming the field and the rule, before any ICE call, by
 * the one URL rule and the one text rule (src/workflows/ice-ids.ts). Against a real dev server and the emulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { InvalidVoiceCloneInputError, startRecordingSession, startVoiceClone } from '../../src/client';
import { ConfigError, loadCallbackReceiverConfig, type Env } from '../../src/config';
import { VOICE_CLONE_WORKFLOW_TYPE } from '../../src/workflows/definitions';
import { textProblem, urlProblem } from '../../src/workflows/ice-ids';
import { useEmulatorCredentialsInProcessEnv } from '../cli/support';
import { assertWorkflowFailed, runCli, startTestHarness, TEST_TIMINGS, type TestHarness } from '../support/harness';
import { addRecording, sessionInput, updateFailure } from '../workflow/recording-session-support';
import { newVoiceId, waitForStatus } from '../workflow/support';

const BAD_RECORD_URL = 'https://b.example.com/a\nb\x01.wav';
const BAD_CALLBACK_URL = 'https://h.example.com/c\nb';
const BAD_VOICE_NAME = 'a\nb\x07';

describe('strict strings: the rules', () => {
  test('the URL rule refuses ASCII controls, whitespace and invisible reordering characters', () => {
    for (const url of [
      BAD_RECORD_URL,
      BAD_CALLBACK_URL,
      'https://h.example.com/\x00',
      'https://h.example.com/\x7f',
      'https://h.example.com/\u0085',
      'https://h.example.com/a b',
      'https://h.example.com/\u202Egnp.exe',
      'https://h.example.com/\u2028',
    ]) {
      assert.match(urlProblem(url, ['https:']) ?? 'accepted', /control characters/, JSON.stringify(url));
    }
    assert.equal(urlProblem('https://h.example.com/a%0Ab.wav', ['https:']), undefined);
  });

  test('the text rule refuses the same characters and keeps ordinary text (zero-width joiners included)', () => {
    for (const text of [BAD_VOICE_NAME, 'a\tb', 'a\x7f', 'a\u009b', 'a\u2029', 'a\u2066b']) {
      assert.match(textProblem(text, 32) ?? 'accepted', /control characters/, JSON.stringify(text));
    }
    for (const text of ['Anna', '安娜 的声音', 'family 👨\u200D👩\u200D👧', 'naïve voice, calm']) {
      assert.equal(textProblem(text, 32), undefined, text);
    }
  });

  test('ICE_CALLBACK_URL and ICE_CALLBACK_FORWARD_URL with a control character are ConfigErrors naming the variable', () => {
    const base: Env = { ICE_CALLBACK_ALLOW_UNSIGNED: 'true' };
    for (const variable of ['ICE_CALLBACK_URL', 'ICE_CALLBACK_FORWARD_URL']) {
      const error = catchError(() => loadCallbackReceiverConfig({ ...base, [variable]: BAD_CALLBACK_URL }));
      assert.ok(error instanceof ConfigError, `${variable}: ${String(error)}`);
      assert.equal(error.variable, variable);
      assert.match(error.message, new RegExp(`^${variable}: .*control characters`));
    }
  });
});

describe('strict strings against the dev server and the emulator', () => {
  let stack: TestHarness;
  let env: Env;
  useEmulatorCredentialsInProcessEnv();

  before(async () => {
    stack = await startTestHarness({ name: 'strict-strings', worker: true });
    env = { ICE_ENDPOINT: stack.emulator.url, LOG_LEVEL: 'error' };
  });
  after(async () => {
    await stack?.close();
  });

  test('recordUrl "https://b.example.com/a\\nb\\x01.wav": refused by the client, the workflow and addRecording, no ICE call', async () => {
    const voiceId = newVoiceId('StrictUrl');
    const input = { voiceId, recordings: [{ audioRecordId: 1, recordUrl: BAD_RECORD_URL }], timing: TEST_TIMINGS.fast };
    await stack.emulator.admin.clearCalls();

    const refused = await startVoiceClone(stack.client, input, { taskQueue: stack.taskQueue }).then(
      () => assert.fail('accepted'),
      (thrown: unknown) => thrown,
    );
    assert.ok(refused instanceof InvalidVoiceCloneInputError);
    assert.equal(refused.field, 'recordings[0].recordUrl');
    assert.match(refused.rule, /control characters/);

    const failure = await workflowFailure(input);
    assert.equal(failure.type, 'InvalidInput');
    assert.match(failure.message, /^recordings\[0\]\.recordUrl: .*control characters/);
    assert.deepEqual(await stack.emulator.admin.calls(), [], 'no ICE call');

    const { handle } = await startRecordingSession(stack.client, sessionInput(newVoiceId('StrictRec')), {
      taskQueue: stack.taskQueue,
    });
    await waitForStatus(handle, (status) => status.stage === 'AwaitingRecordings');
    await stack.emulator.admin.clearCalls();
    const rejected = await updateFailure(addRecording(handle, { audioRecordId: 1, recordUrl: BAD_RECORD_URL }));
    assert.equal(rejected.type, 'InvalidInput');
    assert.match(rejected.message, /^addRecording: recordUrl: .*control characters/);
    assert.deepEqual(await stack.emulator.admin.calls(), [], 'no ICE call');
    await handle.terminate('test done');
  });

  test('Basic voice.voiceName "a\\nb\\x07": the workflow fails InvalidInput before CreateCustomizedVoiceJob', async () => {
    await stack.emulator.admin.clearCalls();
    const input = sessionInput(newVoiceId('StrictName'), {
      voice: { gender: 'female', scenario: 'story', voiceName: BAD_VOICE_NAME },
    });
    const failure = await workflowFailure(input);
    assert.equal(failure.type, 'InvalidInput');
    assert.match(failure.message, /^voice\.voiceName: .*control characters/);
    const run = await runCli(
      [
        'start',
        '--voice-id',
        'StrictCli1',
        '--gender',
        'female',
        '--scenario',
        'story',
        '--voice-name',
        BAD_VOICE_NAME,
      ],
      env,
    );
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, /voice\.voiceName: .*control characters/);
    assert.deepEqual(await stack.emulator.admin.calls(), [], 'no ICE call');
  });

  test("configure-callback --url $'https://h.example.com/c\\nb' --replace --dry-run: exit 2, nothing planned, no ICE call", async () => {
    await stack.emulator.admin.clearCalls();
    const run = await runCli(
      ['configure-callback', '--url', BAD_CALLBACK_URL, '--unsigned', '--replace', '--dry-run'],
      env,
    );
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, /--url must be an http or https URL without spaces, control characters/);
    assert.equal(run.out, '');
    assert.deepEqual(await stack.emulator.admin.calls(), [], 'no ICE call');
  });

  function workflowFailure(input: unknown): Promise<ApplicationFailure> {
    return assertWorkflowFailed(
      stack.client.workflow.execute(VOICE_CLONE_WORKFLOW_TYPE, {
        workflowId: `strict-strings-${newVoiceId('Wf')}`,
        taskQueue: stack.taskQueue,
        // An accepted input would wait for recordings or training: fail the test soon instead.
        workflowExecutionTimeout: '20 seconds',
        args: [input],
      }),
    );
  }
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
