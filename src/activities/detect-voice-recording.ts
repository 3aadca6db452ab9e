import type { DetectionResult } from '../workflows/definitions';
import type { IceActivityDeps } from './deps';
import { callIce } from './to-activity-failure';

export interface DetectVoiceRecordingInput {
  voiceId: string;
  audioRecordId: number;
  recordUrl: string;
}

/** DetectAudioForCustomizedVoiceJob for one recording. A failed check is a result (Pass=false), not an error. */
export function createDetectVoiceRecording({ ice }: IceActivityDeps) {
  return async function detectVoiceRecording(input: DetectVoiceRecordingInput): Promise<DetectionResult> {
    const response = await callIce(() => ice.detectAudioForCustomizedVoiceJob(input));
    return {
      audioRecordId: input.audioRecordId,
      recordUrl: input.recordUrl,
      pass: response.pass,
      reason: response.reason,
    };
  };
}
