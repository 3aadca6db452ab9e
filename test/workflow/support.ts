/**
 * What the clone workflow tests share beyond the harness (test/support/harness.ts, which starts their servers):
 * fresh voice IDs, created voices, recordings, the status query polled, and what the emulator saw.
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { COSYVOICE_VOICE_LIMIT, type RunningEmulator } from '../../src/emulator';
import type { IceClient } from '../../src/ice/types';
import type { VoiceCloneStatus, VoiceCloneTiming, VoiceRecording } from '../../src/workflows/definitions';
import { statusQuery } from '../../src/workflows/definitions';
import { TEST_TIMINGS } from '../support/harness';

let voiceSeq = 0;
/** A fresh VoiceId (letters and digits, ≤ 32) so that tests sharing an emulator never collide. */
export function newVoiceId(prefix = 'Voice'): string {
  voiceSeq += 1;
  return `${prefix}${voiceSeq}x${randomBytes(3).toString('hex')}`.slice(0, 32);
}

/** CreateCustomizedVoiceJob through the real client: every clone starts from a created voice. */
export async function createVoice(ice: IceClient, voiceId: string): Promise<string> {
  const created = await ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
  return created.jobId;
}

/** Recordings 1..count; the ids in `failing` carry the emulator's documented "fail-detection" marker. */
export function recordings(voiceId: string, count: number, failing: number[] = []): VoiceRecording[] {
  return Array.from({ length: count }, (_, index) => {
    const audioRecordId = index + 1;
    const marker = failing.includes(audioRecordId) ? 'fail-detection-' : '';
    return {
      audioRecordId,
      recordUrl: `https://voices.oss-cn-shanghai.aliyuncs.com/${voiceId}/${marker}${audioRecordId}.wav`,
    };
  });
}

/** Short timings for the dev server: training in the emulator takes a few hundred ms. */
export const FAST_TIMING: VoiceCloneTiming = TEST_TIMINGS.fast;

/** Polls the workflow's `status` query until `predicate` holds (the query is the API being tested). */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (status: VoiceCloneStatus) => boolean,
  timeoutMs = 20_000,
): Promise<VoiceCloneStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: VoiceCloneStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (predicate(last)) return last;
    } catch {
      // not started yet, or no worker right now
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`status never matched within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** ICE actions the emulator received, by name. */
export async function iceCalls(emulator: RunningEmulator, voiceId?: string): Promise<string[]> {
  const calls = await emulator.admin.calls();
  return calls
    .filter(
      (call) => voiceId === undefined || call.params.VoiceId === voiceId || call.action === 'ListCustomizedVoiceJobs',
    )
    .map((call) => call.action);
}

export async function jobOf(emulator: RunningEmulator, voiceId: string) {
  const job = (await emulator.admin.jobs()).find((candidate) => candidate.voiceId === voiceId);
  if (!job) throw new Error(`emulator has no job for ${voiceId}`);
  return job;
}

/** Submits CosyVoice voices until the account holds ICE's limit of them: the next CosyVoice submit is refused. */
export async function fillCosyVoiceQuota(emulator: RunningEmulator, ice: IceClient): Promise<void> {
  const voices = (await emulator.admin.jobs()).filter((job) => job.edition === 'CosyVoice').length;
  for (let index = voices; index < COSYVOICE_VOICE_LIMIT; index++) {
    await ice.submitCosyVoiceCustomizedVoiceJob({
      voiceName: `Quota filler ${index}`,
      gender: 'female',
      audios: `filler-${index}`,
      model: 'cosyvoice-v3-flash',
    });
  }
}
