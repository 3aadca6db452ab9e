/**
 * Callbacks of Standard and CosyVoice jobs, whose VoiceIds ICE assigns (`Voice-…`) and no workflow ID holds: the
 * envelope accepts them, and one ICE read names the clone (`voice-clone-<edition>-<VoiceName>`). Costs are counted
 * where the calls land: ICE calls in the emulator's call log, Temporal calls as the receiver's client's RPCs.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { classifyCallback } from '../../src/callback/intake';
import type { RunningCallbackReceiver } from '../../src/callback/server';
import { voiceCloneWorkflowId, type NamedVoiceEdition } from '../../src/workflows/definitions';
import {
  NEW_KEY,
  SIGNAL_RPC,
  postCallback,
  signedHeaders,
  startCountingStand,
  voiceJobEvent,
  type CountingStand,
} from './support';

describe('callbacks of the editions ICE names', () => {
  let stand: CountingStand;
  let receiver: RunningCallbackReceiver;
  let seq = 0;

  before(async () => {
    stand = await startCountingStand('callback-editions', { trainingMs: 600_000 });
    receiver = await stand.startReceiver();
  });
  beforeEach(() => stand.h.emulator.admin.updateSettings({ cosyVoiceJobType: 'CosyVoice' }));
  after(() => stand?.h.close());

  /** A job of this edition at ICE, and an open clone of its VoiceName without a worker (signals still land). */
  async function openNamedClone(edition: NamedVoiceEdition) {
    seq += 1;
    const voiceName = `Named ${edition} ${seq}`;
    const job =
      edition === 'standard'
        ? await stand.ice.submitStandardCustomizedVoiceJob({
            voiceName,
            gender: 'female',
            authentication: 'a',
            audios: ['b'],
          })
        : await stand.ice.submitCosyVoiceCustomizedVoiceJob({
            voiceName,
            gender: 'female',
            audios: 'c',
            model: 'cosyvoice-v3-plus',
          });
    const { customizedVoiceJob } = await stand.ice.getCustomizedVoiceJob({ jobId: job.jobId });
    const workflowId = voiceCloneWorkflowId({ edition, voiceName });
    await stand.openClone(workflowId);
    return { workflowId, jobId: job.jobId, voiceId: customizedVoiceJob.voiceId };
  }

  const signalsIn = (workflowId: string) => stand.signalsIn(workflowId);

  /** Posts one event; the ICE calls and Temporal RPCs it cost. */
  async function post(body: Record<string, string>): Promise<{ status: number; ice: string[]; temporal: string[] }> {
    let status = 0;
    const cost = await stand.costOf(async () => {
      const event = voiceJobEvent({ ...body, Status: 'Success' });
      status = (await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY))).status;
    });
    return { status, ...cost };
  }

  test('the envelope accepts a VoiceId ICE assigned; the one rule still refuses what it never assigns', () => {
    const body = (messageBody: Record<string, unknown>) =>
      Buffer.from(JSON.stringify({ EventType: 'CustomizedVoiceJobComplete', MessageBody: messageBody }));
    assert.equal(classifyCallback(body({ VoiceId: 'Voice-l8k2j3h4g5' })).kind, 'voice');
    for (const voiceId of ['Voice-a"b', 'Voice a', 'V'.repeat(65)]) {
      assert.equal(classifyCallback(body({ VoiceId: voiceId })).kind, 'rejected', voiceId);
    }
  });

  for (const edition of ['standard', 'cosyvoice'] as const) {
    test(`${edition}: a callback with JobId and assigned VoiceId costs one GetCustomizedVoiceJob and one signal`, async () => {
      const clone = await openNamedClone(edition);
      const cost = await post({ JobId: clone.jobId, VoiceId: clone.voiceId });
      assert.equal(cost.status, 200);
      assert.deepEqual(cost.ice, ['GetCustomizedVoiceJob']);
      assert.deepEqual(cost.temporal, [SIGNAL_RPC]);
      assert.equal(await signalsIn(clone.workflowId), 1);
    });
  }

  test('a CosyVoice job reported as Standard reaches its clone: one read, the Standard clone tried first', async () => {
    await stand.h.emulator.admin.updateSettings({ cosyVoiceJobType: 'Standard' });
    const cosyVoice = await openNamedClone('cosyvoice');
    const cost = await post({ JobId: cosyVoice.jobId, VoiceId: cosyVoice.voiceId });
    assert.equal(cost.status, 200);
    assert.deepEqual(cost.ice, ['GetCustomizedVoiceJob']);
    assert.deepEqual(
      cost.temporal,
      [SIGNAL_RPC, SIGNAL_RPC],
      'voice-clone-standard-… is not open, the CosyVoice one is',
    );
    assert.equal(await signalsIn(cosyVoice.workflowId), 1);
    // A Standard job under the same assumption costs one signal: its clone is the first tried.
    const standard = await openNamedClone('standard');
    const standardCost = await post({ JobId: standard.jobId });
    assert.deepEqual([standardCost.ice, standardCost.temporal], [['GetCustomizedVoiceJob'], [SIGNAL_RPC]]);
    assert.equal(await signalsIn(standard.workflowId), 1);
  });

  test('an assigned VoiceId without a JobId is read with GetCustomizedVoice, never signalled as a Basic id', async () => {
    const clone = await openNamedClone('standard');
    const cost = await post({ VoiceId: clone.voiceId });
    assert.equal(cost.status, 200);
    assert.deepEqual(cost.ice, ['GetCustomizedVoice']);
    assert.deepEqual(cost.temporal, [SIGNAL_RPC]);
    assert.equal(await signalsIn(clone.workflowId), 1);
    await assert.rejects(stand.h.client.workflow.getHandle(voiceCloneWorkflowId(clone.voiceId)).describe());
  });
});
