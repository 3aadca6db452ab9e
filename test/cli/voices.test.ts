/**
 * `voices` and `delete-job` against the real emulator over real HTTP with signed requests: voices of every edition
 * with their jobs (table, --json, --edition, CosyVoice listed under either Type), a failed job deleted, a trained
 * one refused with ICE's Code and RequestId (exit 1), bad usage refused before any call (exit 2).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runCliInProcess, useEmulatorCredentialsInProcessEnv, type CliRun } from './support';
import { EMULATOR_DEV_CREDENTIALS, type Env } from '../../src/config';
import { JOB_STATUS_CODE, type RunningEmulator } from '../../src/emulator';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { createIceClient } from '../../src/ice';
import type { IceClient } from '../../src/ice/types';
import type { VoiceSummary } from '../../src/client';

describe('voices and delete-job against the emulator', () => {
  let harness: IceHarness;
  let emulator: RunningEmulator;
  let ice: IceClient;
  let env: Env;
  useEmulatorCredentialsInProcessEnv();
  beforeEach(async () => {
    harness = await startTestEmulator({ trainingMs: 60_000 });
    emulator = harness.emulator;
    ice = createIceClient({
      region: 'cn-shanghai',
      endpoint: emulator.url,
      connectTimeoutMs: 2_000,
      readTimeoutMs: 5_000,
      credentials: EMULATOR_DEV_CREDENTIALS,
    });
    env = { ICE_ENDPOINT: emulator.url, LOG_LEVEL: 'error' };
  });
  afterEach(() => harness.close());

  async function runCli(argv: string[]): Promise<CliRun> {
    return runCliInProcess(argv, env);
  }

  /** One voice of each edition: a Basic one created (Initialization), a Standard and a CosyVoice one training. */
  async function voiceOfEachEdition() {
    const basic = await ice.createCustomizedVoiceJob({ voiceId: 'Anna2026', gender: 'female', scenario: 'story' });
    const standard = await ice.submitStandardCustomizedVoiceJob({
      voiceName: 'Narrator Bo',
      gender: 'male',
      authentication: 'auth-1',
      audios: ['audio-1', 'audio-2'],
    });
    const cosyVoice = await ice.submitCosyVoiceCustomizedVoiceJob({
      voiceName: 'Host Mei',
      gender: 'female',
      audios: 'audio-3',
      model: 'cosyvoice-v3-plus',
    });
    return { basic, standard, cosyVoice };
  }

  it('lists the voices of every edition with their jobs, as a table and as JSON', async () => {
    const { basic, standard, cosyVoice } = await voiceOfEachEdition();
    const table = await runCli(['voices']);
    assert.equal(table.code, 0, table.err);
    const lines = table.out.trim().split('\n');
    assert.match(lines[0], /^TYPE +VOICE ID +VOICE NAME +GENDER +JOB ID +STATUS +CREATED$/);
    assert.match(table.out, new RegExp(`Basic +Anna2026 +- +female +${basic.jobId} +Initialization`));
    assert.match(table.out, new RegExp(`Standard +Voice-\\w+ +Narrator Bo +male +${standard.jobId} +PreTraining`));
    assert.match(table.out, new RegExp(`CosyVoice +${cosyVoice.voiceId} +Host Mei +female +${cosyVoice.jobId} +`));

    const json = await runCli(['voices', '--json']);
    assert.equal(json.code, 0, json.err);
    const voices = JSON.parse(json.out) as VoiceSummary[];
    assert.deepEqual(voices.map((voice) => voice.type).sort(), ['Basic', 'CosyVoice', 'Standard']);
    const host = voices.find((voice) => voice.voiceName === 'Host Mei');
    assert.equal(host?.voiceId, cosyVoice.voiceId);
    assert.deepEqual(
      host?.jobs.map((job) => job.jobId),
      [cosyVoice.jobId],
    );

    const only = await runCli(['voices', '--edition', 'standard', '--json']);
    assert.deepEqual(
      (JSON.parse(only.out) as VoiceSummary[]).map((voice) => voice.voiceName),
      ['Narrator Bo'],
    );
  });

  it('--edition cosyvoice finds CosyVoice voices also where ICE lists them as Standard', async () => {
    const { cosyVoice } = await voiceOfEachEdition();
    await emulator.admin.updateSettings({ cosyVoiceJobType: 'Standard' });
    const run = await runCli(['voices', '--edition', 'cosyvoice', '--json']);
    assert.equal(run.code, 0, run.err);
    const voices = JSON.parse(run.out) as VoiceSummary[];
    assert.ok(
      voices.some((voice) => voice.voiceId === cosyVoice.voiceId),
      run.out,
    );
    const all = JSON.parse((await runCli(['voices', '--json'])).out) as VoiceSummary[];
    assert.equal(all.filter((voice) => voice.voiceId === cosyVoice.voiceId).length, 1, 'listed once');
  });

  it('delete-job deletes a failed job; a trained one is refused with ICE Code and RequestId', async () => {
    const { standard, cosyVoice } = await voiceOfEachEdition();
    await emulator.admin.finishJob(cosyVoice.jobId, { status: 'Fail' });
    const deleted = await runCli(['delete-job', cosyVoice.jobId]);
    assert.equal(deleted.code, 0, deleted.err);
    assert.match(deleted.out, new RegExp(`Deleted voice job ${cosyVoice.jobId} \\[RequestId \\S+\\]`));
    assert.ok(!(await emulator.admin.jobs()).some((job) => job.jobId === cosyVoice.jobId));

    await emulator.admin.finishJob(standard.jobId, { status: 'Success' });
    const refused = await runCli(['delete-job', standard.jobId]);
    assert.equal(refused.code, 1);
    const call = (await emulator.admin.calls()).find(
      (candidate) => candidate.action === 'DeleteCustomizedVoiceJob' && candidate.params.JobId === standard.jobId,
    );
    assert.equal(call?.code, JOB_STATUS_CODE);
    assert.match(refused.err, new RegExp(`${JOB_STATUS_CODE.replace('.', '\\.')}.*RequestId ${call.requestId}`));
    assert.equal(refused.err.trim().split('\n').length, 1, 'one line');
    const json = await runCli(['delete-job', standard.jobId, '--json']);
    assert.equal(json.code, 1);
    const answer = JSON.parse(json.out) as { ok: boolean; code: string; requestId: string };
    assert.deepEqual([answer.ok, answer.code], [false, JOB_STATUS_CODE]);
    assert.ok(answer.requestId.length > 0);
    assert.ok(
      (await emulator.admin.jobs()).some((job) => job.jobId === standard.jobId),
      'the trained job stays',
    );
  });

  it('bad usage exits 2 before any ICE call', async () => {
    for (const [argv, pattern] of [
      [['delete-job'], /missing <jobId>/],
      [['delete-job', 'x" OR 1'], /<jobId> must be 1-128/],
      [['voices', '--edition', 'premium'], /--edition must be one of basic, standard, cosyvoice/],
    ] as const) {
      const run = await runCli([...argv]);
      assert.equal(run.code, 2, argv.join(' '));
      assert.match(run.err, pattern);
    }
    assert.deepEqual(await emulator.admin.calls(), []);
  });
});
