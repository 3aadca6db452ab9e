/**
 * Callbacks of Standard and CosyVoice jobs, whose VoiceIds ICE assigns (`Voice-…`) and no workflow ID holds: the
 * envelope accepts them, and one ICE read names the clone (`voice-clone-<edition>-<VoiceName>`). Costs are counted
 * where the calls land: ICE calls in the emulator's call log, Temporal calls as the receiver's client's RPCs.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { classifyCallback } from '../../src/callback/intake';
import { startCallbackReceiver, type RunningCallbackReceiver } from '../../src/callback/server';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { createIceClient } from '../../src/ice';
import { silentLogger } from '../../src/observability/logger';
import type { IceClient } from '../../src/ice/types';
import { voiceCloneWorkflowId, type NamedVoiceEdition } from '../../src/workflows/definitions';
import { startDevServer } from '../support/temporal';
import {
  NEW_KEY,
  countingTemporalClient,
  postCallback,
  receiverConfig,
  signedHeaders,
  voiceJobEvent,
  type CountingTemporalClient,
} from './support';

const SIGNAL_RPC = '/temporal.api.workflowservice.v1.WorkflowService/SignalWorkflowExecution';

describe('callbacks of the editions ICE names', () => {
  let env: TestWorkflowEnvironment;
  let emulator: RunningEmulator;
  let ice: IceClient;
  let temporal: CountingTemporalClient;
  let receiver: RunningCallbackReceiver;
  let seq = 0;

  before(async () => {
    env = await startDevServer();
    emulator = await startEmulator({ trainingMs: 600_000 });
    ice = createIceClient({
      region: 'cn-shanghai',
      endpoint: emulator.url,
      connectTimeoutMs: 2_000,
      readTimeoutMs: 2_000,
      credentials: emulator.credentials,
    });
    temporal = await countingTemporalClient(env.connection.options.address);
    receiver = await startCallbackReceiver({
      config: receiverConfig(),
      client: temporal.client,
      ice,
      logger: silentLogger,
    });
  });
  beforeEach(() => emulator.admin.updateSettings({ cosyVoiceJobType: 'CosyVoice' }));
  after(async () => {
    await receiver?.close();
    await temporal?.connection.close();
    await emulator?.close();
    await env?.teardown();
  });

  /** A job of this edition at ICE, and an open clone of its VoiceName without a worker (signals still land). */
  async function openNamedClone(edition: NamedVoiceEdition) {
    seq += 1;
    const voiceName = `Named ${edition} ${seq}`;
    const job =
      edition === 'standard'
        ? await ice.submitStandardCustomizedVoiceJob({
            voiceName,
            gender: 'female',
            authentication: 'a',
            audios: ['b'],
          })
        : await ice.submitCosyVoiceCustomizedVoiceJob({
            voiceName,
            gender: 'female',
            audios: 'c',
            model: 'cosyvoice-v3-plus',
          });
    const { customizedVoiceJob } = await ice.getCustomizedVoiceJob({ jobId: job.jobId });
    const workflowId = voiceCloneWorkflowId({ edition, voiceName });
    await env.client.workflow.start('callbackRecorderWorkflow', { taskQueue: 'no-worker-needed', workflowId });
    return { workflowId, jobId: job.jobId, voiceId: customizedVoiceJob.voiceId };
  }

  async function signalsIn(workflowId: string): Promise<number> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  }

  /** Posts one event; the ICE calls and Temporal RPCs it cost. */
  async function post(body: Record<string, string>): Promise<{ status: number; ice: string[]; temporal: string[] }> {
    const iceBefore = (await emulator.admin.calls()).length;
    const rpcsBefore = temporal.rpcs.length;
    const answer = await postCallback(
      receiver.callbackUrl,
      voiceJobEvent({ ...body, Status: 'Success' }),
      signedHeaders(NEW_KEY),
    );
    return {
      status: answer.status,
      ice: (await emulator.admin.calls()).slice(iceBefore).map((call) => call.action),
      temporal: temporal.rpcs.slice(rpcsBefore),
    };
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
    await emulator.admin.updateSettings({ cosyVoiceJobType: 'Standard' });
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
    await assert.rejects(env.client.workflow.getHandle(voiceCloneWorkflowId(clone.voiceId)).describe());
  });
});
