import type { DetectionResult, VoiceRecording } from './definitions';
import { voiceCloneFailure } from './failures';
import { iceCalls, summary } from './ice-activities';
import { mapWithin } from './sliding-window';

/** Detection calls in flight at once: enough to finish 20 recordings quickly, gentle on ICE's QPS. */
export const DETECTION_CONCURRENCY = 4;

/**
 * Runs DetectAudioForCustomizedVoiceJob for every recording (bounded concurrency, every result kept) and fails
 * with `AudioDetectionFailed` listing each failing recording with ICE's reason.
 */
export function verifyDetection(voiceId: string, recordings: VoiceRecording[]): Promise<DetectionResult[]> {
  return mapWithin(DETECTION_CONCURRENCY, recordings, (recording) =>
    iceCalls.detectVoiceRecording.executeWithOptions(
      summary('DetectAudioForCustomizedVoiceJob', voiceId, `audioRecordId=${recording.audioRecordId}`),
      [{ voiceId, ...recording }],
    ),
  );
}

export function assertDetectionPassed(voiceId: string, results: DetectionResult[]): void {
  const failing = results.filter((result) => !result.pass);
  if (failing.length === 0) return;
  const reasons = failing.map((result) => `audioRecordId ${result.audioRecordId}: ${result.reason || '(no reason)'}`);
  throw voiceCloneFailure(
    'AudioDetectionFailed',
    `audio detection failed for voice ${voiceId} (${failing.length} of ${results.length}): ${reasons.join('; ')}`,
    failing,
  );
}
