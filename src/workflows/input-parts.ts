/**
 * The parts a clone's input is made of (timing, recordings, the voice to create). Workflow-safe and free of the
 * editions, so that ./editions.ts builds each edition's input from them and ./definitions.ts re-exports them: no
 * module of the contract imports its own importer.
 */
import type { VoiceGender, VoiceScenario } from '../ice/types';

/** A Temporal duration string ("30s", "10 minutes") or milliseconds. */
export type DurationInput = string | number;

/** The clone's waits, each a duration string or milliseconds; an omitted one takes its `DEFAULT_TIMING` value. */
export interface VoiceCloneTiming {
  /** How long to wait for ICE's callback after submitting before polling starts. Default 10 min. */
  callbackTimeout?: DurationInput;
  /** First polling interval. Default 30 s. */
  pollInterval?: DurationInput;
  /** Polling backs off up to this interval. Default 5 min. */
  maxPollInterval?: DurationInput;
  /** Give up when training has not ended this long after submit. Default 24 h. */
  trainingTimeout?: DurationInput;
  /** A recording session (input `voice`, no `recordings`) unsubmitted this long fails RecordingTimedOut. Default 7 d. */
  recordingTimeout?: DurationInput;
}

/** The waits a clone uses when its input's `timing` leaves them out. */
export const DEFAULT_TIMING = {
  callbackTimeout: '10 minutes',
  pollInterval: '30 seconds',
  maxPollInterval: '5 minutes',
  trainingTimeout: '24 hours',
  recordingTimeout: '7 days',
} as const satisfies Required<VoiceCloneTiming>;

/** One recording of a demonstration sentence, as ICE's detection and the training submit take it. */
export interface VoiceRecording {
  /** The demonstration sentence's AudioId, 1..20. */
  audioRecordId: number;
  /** https URL of the recording in OSS (same account and region as ICE). */
  recordUrl: string;
}

/** CreateCustomizedVoiceJob's parameters (docs/ice-api.md#voice-lifecycle-basic), the VoiceId aside. */
export interface VoiceToCreate {
  gender: VoiceGender;
  /** Chooses the 20 demonstration sentences the recordings must read. */
  scenario: VoiceScenario;
  /** ≤ 32 characters. */
  voiceName?: string;
  /** ≤ 256 characters. */
  voiceDesc?: string;
}
