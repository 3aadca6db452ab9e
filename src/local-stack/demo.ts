/**
 * The demonstration clone `npm start` runs against the local stack, the way a user drives real ICE:
 * CreateCustomizedVoiceJob, GetDemonstrationForCustomizedVoiceJob, one recording per sentence (the emulator
 * accepts any https URL), then the clone workflow with those recordings, whose progress is reported live.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { startVoiceClone } from '../client/start-voice-clone';
import type { VoiceCloneInput, VoiceCloneResult, VoiceRecording } from '../workflows/definitions';
import type { LocalStack } from './stack';

export const DEMO_RECORDING_COUNT = 3;

export interface DemoCloneOptions {
  /** Default: `Demo` + a time-based suffix, so each run clones a new voice. */
  voiceId?: string;
  recordingCount?: number;
}

export interface DemoClone {
  voiceId: string;
  workflowId: string;
  webUiUrl: string;
  handle: WorkflowHandle;
  input: VoiceCloneInput;
}

export function demoVoiceId(now = Date.now()): string {
  return `Demo${now.toString(36)}`;
}

/** Recording URLs in the shape of OSS objects; the emulator's detection passes any https URL. */
export function demoRecordingUrl(voiceId: string, audioId: number): string {
  return `https://demo-bucket.oss-cn-shanghai.aliyuncs.com/recordings/${voiceId}/sentence-${audioId}.wav`;
}

export async function startDemoClone(stack: LocalStack, options: DemoCloneOptions = {}): Promise<DemoClone> {
  const voiceId = options.voiceId ?? demoVoiceId();
  const { jobId } = await stack.ice.createCustomizedVoiceJob({
    voiceId,
    gender: 'female',
    scenario: 'story',
    voiceName: 'Demo voice',
    voiceDesc: 'Demonstration clone run by the local stack',
  });
  const { demonstrationList } = await stack.ice.getDemonstrationForCustomizedVoiceJob({ scenario: 'story' });
  const recordings: VoiceRecording[] = demonstrationList
    .slice(0, options.recordingCount ?? DEMO_RECORDING_COUNT)
    .map((sentence) => ({ audioRecordId: sentence.audioId, recordUrl: demoRecordingUrl(voiceId, sentence.audioId) }));
  // Passing the JobId CreateCustomizedVoiceJob returned makes the workflow's lookup one read.
  const input: VoiceCloneInput = { voiceId, jobId, recordings };
  const handle = await startVoiceClone(stack.client, input, { taskQueue: stack.taskQueue });
  return { voiceId, workflowId: handle.workflowId, webUiUrl: stack.workflowUrl(handle.workflowId), handle, input };
}

export type DemoOutcome = { ok: true; result: VoiceCloneResult } | { ok: false; error: WorkflowFailedError };

export async function demoOutcome(demo: DemoClone): Promise<DemoOutcome> {
  try {
    return { ok: true, result: (await demo.handle.result()) as VoiceCloneResult };
  } catch (error) {
    if (error instanceof WorkflowFailedError) return { ok: false, error };
    throw error;
  }
}
