/**
 * A recording session's recordings, one row per demonstration sentence (its audioRecordId): the latest recording
 * sent for a sentence is the one that counts, a detection's answer applies only to the recording it was run for, and
 * the detections of one sentence run one after the other.
 */
import type { DemonstrationSentence, DetectionResult, RecordingStatus } from './definitions';

type DetectionState = RecordingStatus['state'];

interface Row {
  /** Order of acceptance: the latest recording of a sentence is the one that counts. */
  seq: number;
  recordUrl: string;
  state: DetectionState;
  reason: string;
}

/** Which recording a detection's answer belongs to. */
export interface RecordingTicket {
  audioRecordId: number;
  seq: number;
}

export class SentenceRecordings {
  private readonly rows = new Map<number, Row>();
  private seq = 0;
  /**
   * Detections of one sentence run one after the other, so that ICE sees them in the order they were sent.
   * ASSUMPTION (docs/ice-api.md#voice-lifecycle-basic): ICE's later detection of an AudioRecordId replaces the
   * earlier one in the audio it stages for training, as the latest answer does here.
   */
  private readonly chains = new Map<number, Promise<unknown>>();

  /** A recording sent: it replaces the sentence's earlier one and is in detection until its answer comes. */
  sent(audioRecordId: number, recordUrl: string): RecordingTicket {
    const seq = ++this.seq;
    this.rows.set(audioRecordId, { seq, recordUrl, state: 'detecting', reason: '' });
    return { audioRecordId, seq };
  }

  /** Runs `detect` once the sentence's earlier detections have answered. */
  inTurn<T>(audioRecordId: number, detect: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(audioRecordId) ?? Promise.resolve();
    const detection = previous.then(() => detect());
    this.chains.set(
      audioRecordId,
      detection.catch(() => undefined),
    );
    return detection;
  }

  /** Applies a detection's answer; false when a later recording of the sentence replaced this one. */
  answered({ audioRecordId, seq }: RecordingTicket, state: DetectionState, reason: string): boolean {
    const row = this.rows.get(audioRecordId);
    if (!row || row.seq !== seq) return false;
    row.state = state;
    row.reason = reason;
    return true;
  }

  /** Whether a detection is still running. */
  get detecting(): boolean {
    return [...this.rows.values()].some((row) => row.state === 'detecting');
  }

  /** Every sentence's latest recording with its answer, by audioRecordId. */
  results(): DetectionResult[] {
    return [...this.rows.entries()]
      .filter(([, row]) => row.state !== 'detecting')
      .sort(([a], [b]) => a - b)
      .map(([audioRecordId, row]) => ({
        audioRecordId,
        recordUrl: row.recordUrl,
        pass: row.state === 'passed',
        reason: row.reason,
      }));
  }

  /** The status's table, by audioRecordId, each row with its sentence ('' while the sentences are not read). */
  table(sentences: readonly DemonstrationSentence[] = []): RecordingStatus[] {
    const text = new Map(sentences.map((sentence) => [sentence.audioId, sentence.text]));
    return [...this.rows.entries()]
      .sort(([a], [b]) => a - b)
      .map(([audioRecordId, row]) => ({
        audioRecordId,
        text: text.get(audioRecordId) ?? '',
        recordUrl: row.recordUrl,
        state: row.state,
        reason: row.reason,
      }));
  }
}
