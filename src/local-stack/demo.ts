/**
 * The demonstration clone `npm start` runs against the local stack, the way an app drives the whole voice lifecycle
 * through the workflow: one Update-with-Start call creates the voice and answers the sentences, each recording is
 * an `addRecording` update answered with ICE's detection (one deliberately fails and is recorded again), and
 * `submitTraining` answers once ICE has the job; the training's progress is then reported live.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { startRecordingSession } from '../client/start-recording-session';
import { FAIL_DETECTION_MARKER } from '../emulator/ice-operations';
import {
  addRecordingUpdate,
  submitTrainingUpdate,
  type RecordingAnswer,
  type VoiceCloneInput,
  type VoiceCloneResult,
  type VoiceCloneTiming,
  type VoiceRecording,
} from '../workflows/definitions';
import type { LocalStack } from './stack';

export const DEMO_RECORDING_COUNT = 3;
/** The sentence whose first recording the demonstration sends "noisy" (the emulator fails its detection). */
export const DEMO_NOISY_SENTENCE = 2;

export interface DemoCloneOptions {
  /** Default: `Demo` + a time-based suffix, so each run clones a new voice. */
  voiceId?: string;
  recordingCount?: number;
  /** Each step as it is answered ("sentence 2: failed detection …"), for a person watching. */
  onLine?: (line: string) => void;
}

export interface DemoClone {
  voiceId: string;
  workflowId: string;
  webUiUrl: string;
  handle: WorkflowHandle;
  input: VoiceCloneInput;
  /** Every recording sent, in order, with its answer. */
  answers: RecordingAnswer[];
  /** What submitTraining answered: ICE has the job. */
  jobId: string;
}

/** With no callbacks (`--callbacks none`) nothing ends the callback wait: poll almost at once, every few seconds. */
const DEMO_POLLING_TIMING: VoiceCloneTiming = {
  callbackTimeout: '1 second',
  pollInterval: '2 seconds',
  maxPollInterval: '10 seconds',
};

export function demoVoiceId(now = Date.now()): string {
  return `Demo${now.toString(36)}`;
}

/** Recording URLs in the shape of OSS objects; the emulator's detection passes any https URL. */
export function demoRecordingUrl(voiceId: string, audioId: number): string {
  return `https://demo-bucket.oss-cn-shanghai.aliyuncs.com/recordings/${voiceId}/sentence-${audioId}.wav`;
}

/** A take the emulator fails, as ICE fails a noisy one (its documented "fail-detection" rule). */
function noisyRecordingUrl(voiceId: string, audioId: number): string {
  return `https://demo-bucket.oss-cn-shanghai.aliyuncs.com/recordings/${voiceId}/${FAIL_DETECTION_MARKER}-sentence-${audioId}.wav`;
}

export async function startDemoClone(stack: LocalStack, options: DemoCloneOptions = {}): Promise<DemoClone> {
  const voiceId = options.voiceId ?? demoVoiceId();
  const say = options.onLine ?? (() => undefined);
  const input: VoiceCloneInput = {
    voiceId,
    voice: {
      gender: 'female',
      scenario: 'story',
      voiceName: 'Demo voice',
      voiceDesc: 'Demonstration clone run by the local stack',
    },
    ...(stack.callbacks === 'none' && { timing: DEMO_POLLING_TIMING }),
  };
  const { handle, demonstrations } = await startRecordingSession(stack.client, input, { taskQueue: stack.taskQueue });
  const webUiUrl = stack.workflowUrl(handle.workflowId);
  say(
    `Demonstration clone of voice ${voiceId}: the workflow created the voice and read ${demonstrations.length} sentences`,
  );
  say(`  Web UI: ${webUiUrl}`);

  const answers: RecordingAnswer[] = [];
  const send = async (recording: VoiceRecording, text: string): Promise<RecordingAnswer> => {
    const answer = await handle.executeUpdate(addRecordingUpdate, { args: [recording] });
    answers.push(answer);
    const verdict = answer.pass ? 'passed detection' : `failed detection: ${answer.reason}`;
    say(`  addRecording sentence ${answer.audioRecordId} ("${text}") → ${verdict}`);
    return answer;
  };
  for (const sentence of demonstrations.slice(0, options.recordingCount ?? DEMO_RECORDING_COUNT)) {
    const { audioId, text } = sentence;
    if (audioId === DEMO_NOISY_SENTENCE) {
      const noisy = await send({ audioRecordId: audioId, recordUrl: noisyRecordingUrl(voiceId, audioId) }, text);
      if (!noisy.pass) say(`  … recording sentence ${audioId} again`);
    }
    await send({ audioRecordId: audioId, recordUrl: demoRecordingUrl(voiceId, audioId) }, text);
  }
  const { jobId } = await handle.executeUpdate(submitTrainingUpdate);
  say(`  submitTraining → ICE accepted the training job ${jobId}; training runs`);
  return { voiceId, workflowId: handle.workflowId, webUiUrl, handle, input, answers, jobId };
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
