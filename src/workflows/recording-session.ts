/**
 * The recording session of a clone started with `voice` and no `recordings`: the workflow holds the voice's
 * demonstration sentences and the detection result of each recording, and answers Workflow Updates synchronously
 * (`demonstrations`, `addRecording`, `submitTraining`, `awaitSubmitted`). Validators run before anything enters
 * history and make no ICE call: a rejected update leaves no trace. Results live in workflow state rebuilt from
 * history (./sentence-recordings.ts), so a worker that dies mid-session loses none of them.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  TemporalFailure,
} from '@temporalio/workflow';
import type { VoiceJobSnapshot } from '../activities/types';
import {
  RecordingUpdateRejections,
  type DemonstrationSentence,
  type DetectionResult,
  type RecordingAnswer,
  type RecordingStatus,
  type SubmittedClone,
  type VoiceCloneResult,
  type VoiceRecording,
} from './definitions';
import { asWorkflowFailure, failureSummary, voiceCloneFailure } from './failures';
import { formatDuration } from './human-duration';
import { iceCalls, summary } from './ice-activities';
import type { VoiceCloneProgress } from './progress';
import { SentenceRecordings, type RecordingTicket } from './sentence-recordings';
import { SlidingWindow } from './sliding-window';
import { validateRecording, type ValidBasicVoiceCloneInput, type VoiceCloneInputValidation } from './validation';
import { assertDetectionPassed, DETECTION_CONCURRENCY } from './verify-detection';

/** DemoAudio URLs expire 12 hours after ICE's read (docs/ice-api.md#voice-lifecycle-basic): re-read after 11. */
export const DEMONSTRATIONS_MAX_AGE_MS = 11 * 60 * 60 * 1000;

type Phase =
  /** Looking the voice up or creating it: updates are accepted and wait. */
  | 'preparing'
  /** Waiting for recordings and for the submit. */
  | 'recording'
  /** Decided: the workflow submits now. */
  | 'submitting'
  /** ICE has the job (submitted, or found training or trained). */
  | 'accepted'
  /** The clone has ended (its failure, if any, is kept). */
  | 'ended';

export class RecordingSession {
  private phase: Phase = 'preparing';
  private jobId: string | undefined;
  private submittedWith: DetectionResult[] = [];
  private failure: unknown;
  private readonly recordings = new SentenceRecordings();
  /** Detection calls in flight at once, as for recordings given up front. */
  private readonly detections = new SlidingWindow(DETECTION_CONCURRENCY);
  private deciding: Promise<void> | undefined;
  private demonstrations: { sentences: DemonstrationSentence[]; readAtMs: number } | undefined;
  private demonstrationsRead: Promise<DemonstrationSentence[]> | undefined;
  /** The session's ICE calls; cancelled when the clone ends, so that no handler outlives it. */
  private readonly scope = new CancellationScope();

  /** `validation`: the clone's input, validated once by the workflow. Its handlers are set by the workflow. */
  constructor(
    private readonly validation: VoiceCloneInputValidation,
    private readonly progress: VoiceCloneProgress,
  ) {
    if (this.holdsRecordings) progress.recordingsChanged([]);
  }

  private get valid(): ValidBasicVoiceCloneInput | undefined {
    return this.validation.ok && this.validation.value.edition === 'basic' ? this.validation.value : undefined;
  }

  /** Input `voice` without `recordings`: the clone waits for recordings sent as updates. */
  get holdsRecordings(): boolean {
    const valid = this.valid;
    return valid !== undefined && valid.voice !== undefined && valid.recordings === undefined;
  }

  // ---------------------------------------------------------------------------------------------------------
  // The workflow's side
  // ---------------------------------------------------------------------------------------------------------

  /**
   * Waits for recordings until the submit is decided (`submitTraining`, or `autoSubmitAfter` passed recordings);
   * fails `RecordingTimedOut` after `timing.recordingTimeout`. Returns the detection results to submit with.
   */
  async collectRecordings(seen: VoiceJobSnapshot): Promise<DetectionResult[]> {
    const valid = this.valid;
    if (!valid) throw new Error('collectRecordings needs a valid input');
    this.phase = 'recording';
    this.progress.enter('AwaitingRecordings');
    // Read at once: the first `demonstrations` update then answers without waiting for ICE.
    this.freshDemonstrations().catch(() => undefined); // a failed read is tried again by the next update
    this.submitIfEnoughPassed();
    const decided = await condition(() => this.phase === 'submitting', valid.timing.recordingTimeoutMs);
    if (!decided) throw this.timedOut(valid, seen);
    const results = this.recordings.results();
    this.progress.detected(results);
    return results;
  }

  /** ICE has the job: awaitSubmitted answers, submitTraining answers this JobId from now on. */
  jobAccepted(jobId: string, detection: DetectionResult[] = []): void {
    if (this.phase === 'accepted' || this.phase === 'ended') return;
    this.jobId = jobId;
    this.submittedWith = detection;
    this.phase = 'accepted';
  }

  /** The clone succeeded: every running update finishes first (none is left unanswered). */
  async finish(result: VoiceCloneResult): Promise<VoiceCloneResult> {
    this.jobAccepted(result.jobId, result.detection);
    await this.end(undefined);
    return result;
  }

  /** The clone ends (with `failure` when it failed): waiting updates get the failure, detections are cancelled. */
  async end(failure: unknown): Promise<void> {
    this.failure = failure;
    this.phase = 'ended';
    this.scope.cancel();
    this.detections.close();
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Validators (the workflow sets them): synchronous, no ICE call, nothing in history when they throw
  // ---------------------------------------------------------------------------------------------------------

  validateDemonstrations(): void {
    this.assertValidInput('demonstrations');
    if (this.valid?.voice === undefined) {
      throw rejection(
        'NoRecordingSession',
        'demonstrations: this clone was started without `voice`, so it knows no scenario to read sentences for',
      );
    }
    if (this.phase === 'ended') throw rejection('RecordingsClosed', 'demonstrations: this clone has ended');
  }

  validateAddRecording(recording: unknown): void {
    this.assertSession('addRecording');
    const checked = validateRecording(recording);
    if (!checked.ok) {
      throw ApplicationFailure.create({
        type: RecordingUpdateRejections.InvalidInput,
        message: `addRecording: ${checked.message}`,
        nonRetryable: true,
        details: [{ field: checked.field, rule: checked.rule }],
      });
    }
    const closed = this.closedReason();
    if (closed) throw rejection('RecordingsClosed', `addRecording: ${closed}`);
    if (this.deciding) {
      throw rejection(
        'RecordingsClosed',
        `addRecording: submitTraining is checking the recordings of voice ${this.voiceId}; ` +
          'if it fails, send this recording again',
      );
    }
  }

  validateSubmitTraining(): void {
    this.assertSession('submitTraining');
    if (this.phase === 'ended' && this.jobId === undefined) {
      throw rejection('RecordingsClosed', `submitTraining: the clone of voice ${this.voiceId} has ended`);
    }
  }

  private assertValidInput(update: string): void {
    if (!this.validation.ok) {
      throw rejection('NoRecordingSession', `${update}: the clone's input is invalid (${this.validation.message})`);
    }
  }

  private assertSession(update: string): void {
    this.assertValidInput(update);
    if (!this.holdsRecordings) {
      const why = this.valid?.voice === undefined ? 'without `voice`' : 'with `recordings` given up front';
      throw rejection(
        'NoRecordingSession',
        `${update}: this clone was started ${why}, so it holds no recording session`,
      );
    }
  }

  /** Why recordings can no longer change, if they cannot. */
  private closedReason(): string | undefined {
    switch (this.phase) {
      case 'submitting':
        return `voice ${this.voiceId} is being submitted for training: recordings can no longer change`;
      case 'accepted':
        return `ICE has the training job of voice ${this.voiceId} (job ${this.jobId}): recordings can no longer change`;
      case 'ended':
        return `the clone of voice ${this.voiceId} has ended`;
      default:
        return undefined;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Update handlers (the workflow sets them)
  // ---------------------------------------------------------------------------------------------------------

  async addRecording(recording: VoiceRecording): Promise<RecordingAnswer> {
    const { audioRecordId, recordUrl } = recording;
    const ticket = this.recordings.sent(audioRecordId, recordUrl);
    this.showRecordings();
    try {
      const result = await this.recordings.inTurn(audioRecordId, () => this.detect(recording));
      this.record(ticket, result.pass ? 'passed' : 'failed', result.reason);
      return { audioRecordId, pass: result.pass, reason: result.reason };
    } catch (error) {
      const failure = this.phase === 'ended' ? this.endedFailure() : asUpdateFailure(error);
      const { type, message } = failureSummary(failure);
      this.record(ticket, 'failed', `detection did not answer: ${type}: ${message}`);
      throw failure;
    }
  }

  /** One DetectAudioForCustomizedVoiceJob once the voice exists in ICE and the detection window has room. */
  private async detect(recording: VoiceRecording): Promise<DetectionResult> {
    await condition(() => this.phase !== 'preparing');
    if (this.phase !== 'recording') throw this.notRecording();
    return this.detections.run(async () => {
      if (this.ended) throw this.endedFailure(); // let through by end() while waiting for room
      return this.scope.run(() =>
        iceCalls.detectVoiceRecording.executeWithOptions(
          summary('DetectAudioForCustomizedVoiceJob', this.voiceId, `audioRecordId=${recording.audioRecordId}`),
          [{ voiceId: this.voiceId, ...recording }],
        ),
      );
    });
  }

  async submitTraining(): Promise<{ jobId: string }> {
    if (this.phase === 'preparing' || this.phase === 'recording') {
      this.deciding ??= this.decide().finally(() => (this.deciding = undefined));
      await this.deciding;
    }
    await condition(() => this.phase === 'accepted' || this.phase === 'ended');
    if (this.jobId === undefined) throw this.endedFailure();
    return { jobId: this.jobId };
  }

  /**
   * Submit only when every sentence's latest recording passed: fails AudioDetectionFailed or VoiceNotReady.
   * ASSUMPTION (docs/ice-api.md#voice-lifecycle-basic): how many passed sentences ICE trains on is undocumented;
   * one is enough here, and a submit ICE refuses fails the clone with ICE's Code.
   */
  private async decide(): Promise<void> {
    await condition(() => this.phase !== 'preparing');
    if (this.phase !== 'recording') return; // found training or trained, or ended: the caller answers from that
    await condition(() => this.phase !== 'recording' || !this.recordings.detecting);
    if (this.phase !== 'recording') return;
    const results = this.recordings.results();
    assertDetectionPassed(this.voiceId, results);
    if (results.length === 0) {
      throw voiceCloneFailure(
        'VoiceNotReady',
        `voice ${this.voiceId} has no recording that passed detection: send recordings with addRecording first`,
      );
    }
    this.phase = 'submitting';
  }

  async awaitSubmitted(): Promise<SubmittedClone> {
    await condition(() => this.phase === 'accepted' || this.phase === 'ended');
    if (this.jobId === undefined) throw this.endedFailure();
    return { jobId: this.jobId, detection: this.submittedWith };
  }

  /** The held sentences, re-read when older than 11 hours (one read at a time, shared by concurrent updates). */
  async freshDemonstrations(): Promise<DemonstrationSentence[]> {
    const held = this.demonstrations;
    if (held && Date.now() - held.readAtMs < DEMONSTRATIONS_MAX_AGE_MS) return held.sentences;
    this.demonstrationsRead ??= this.readDemonstrations().finally(() => (this.demonstrationsRead = undefined));
    return this.demonstrationsRead;
  }

  private async readDemonstrations(): Promise<DemonstrationSentence[]> {
    const scenario = this.valid?.voice?.scenario;
    if (scenario === undefined) throw new Error('demonstrations need input.voice');
    try {
      const read = await this.scope.run(() =>
        iceCalls.readDemonstrations.executeWithOptions(
          summary('GetDemonstrationForCustomizedVoiceJob', this.voiceId, `scenario=${scenario}`),
          [{ scenario }],
        ),
      );
      this.demonstrations = { sentences: read.demonstrations, readAtMs: Date.now() };
      this.showRecordings();
      return read.demonstrations;
    } catch (error) {
      throw this.phase === 'ended' ? this.endedFailure() : asUpdateFailure(error);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------------------------

  private get voiceId(): string {
    return this.valid?.voiceId ?? '';
  }

  /** Applies a detection's answer when it is of the sentence's latest recording. */
  private record(ticket: RecordingTicket, state: RecordingStatus['state'], reason: string): void {
    if (!this.recordings.answered(ticket, state, reason)) return; // a later recording of the sentence replaced it
    this.showRecordings();
    this.submitIfEnoughPassed();
  }

  /** A method, not a field test: TypeScript would keep a narrowed phase across an await. */
  private get ended(): boolean {
    return this.phase === 'ended';
  }

  /** `autoSubmitAfter`: submit once that many sentences passed, none failed and no detection is running. */
  private submitIfEnoughPassed(): void {
    const wanted = this.valid?.autoSubmitAfter;
    if (wanted === undefined || this.phase !== 'recording' || this.deciding || this.recordings.detecting) return;
    const results = this.recordings.results();
    if (results.some((result) => !result.pass)) return;
    if (results.length >= wanted) this.phase = 'submitting';
  }

  private showRecordings(): void {
    this.progress.recordingsChanged(this.recordings.table(this.demonstrations?.sentences));
    this.progress.detected(this.recordings.results());
  }

  private notRecording(): ApplicationFailure {
    if (this.phase === 'ended') return this.endedFailure();
    return rejection(
      'RecordingsClosed',
      `ICE already has the training job of voice ${this.voiceId} (job ${this.jobId ?? 'unknown'}): ` +
        'the recording was not detected',
    );
  }

  /** What an update waiting on an ended clone fails with: the clone's own failure. */
  private endedFailure(): ApplicationFailure {
    const failure = this.failure;
    if (failure instanceof ApplicationFailure) return failure;
    const { type, message } = failureSummary(failure ?? new Error(`the clone of voice ${this.voiceId} has ended`));
    return ApplicationFailure.create({ type, message, nonRetryable: true });
  }

  private timedOut(valid: ValidBasicVoiceCloneInput, seen: VoiceJobSnapshot): ApplicationFailure {
    const results = this.recordings.results();
    const passed = results.filter((result) => result.pass).length;
    return voiceCloneFailure(
      'RecordingTimedOut',
      `voice ${valid.voiceId} (job ${seen.jobId}) was not submitted within ` +
        `${formatDuration(valid.timing.recordingTimeoutMs)}: ${passed} recordings passed detection, ` +
        `${results.length - passed} failed`,
      { jobId: seen.jobId, detection: results },
    );
  }
}

function rejection(type: keyof typeof RecordingUpdateRejections, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: RecordingUpdateRejections[type], message, nonRetryable: true });
}

/** An update fails with a Temporal failure (an ICE error keeps its Code and RequestId), never a task failure. */
function asUpdateFailure(error: unknown): unknown {
  const failure = asWorkflowFailure(error);
  if (failure instanceof TemporalFailure || isCancellation(failure)) return failure;
  const { type, message } = failureSummary(failure);
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
