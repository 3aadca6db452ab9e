/** Tiny workflows that prove a test server works: long timers, search attribute upserts. */
import { sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { searchAttributes } from '../../src/workflows/definitions';

/** Returns how much workflow time passed across a 1-hour timer (the time-skipping server skips it). */
export async function sleepOneHour(): Promise<number> {
  const before = Date.now();
  await sleep('1 hour');
  return Date.now() - before;
}

/** Upserts two of the clone's search attributes, then reports what the workflow sees. */
export async function tagVoice(voiceId: string): Promise<{ voiceId?: string; stage?: string }> {
  upsertSearchAttributes([
    { key: searchAttributes.iceVoiceId, value: voiceId },
    { key: searchAttributes.voiceCloneStage, value: 'Smoke' },
  ]);
  const seen = workflowInfo().typedSearchAttributes;
  return { voiceId: seen.get(searchAttributes.iceVoiceId), stage: seen.get(searchAttributes.voiceCloneStage) };
}
