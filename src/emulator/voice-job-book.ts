/**
 * The emulated account's voices and voice jobs, with ICE's state machine:
 * Initialization (created) → AudioDetecting (first detection) → PreTraining (submit) → Training → Success | Fail.
 * Time-driven transitions are computed from `submittedAt` and the current training time, so a restarted emulator
 * (or a changed training time) moves jobs on consistently. No timers here: the emulator schedules `advance()`.
 */
import { randomUUID } from 'node:crypto';
import type { VoiceGender, VoiceJobStatus, VoiceScenario } from '../ice/types';
import type { EmulatedJobCounts, EmulatedVoiceJob } from './admin-api';
import { IceWireError } from './wire-error';

export interface StoredVoice {
  voiceId: string;
  voiceName: string;
  voiceDesc: string;
  gender: VoiceGender;
  scenario: VoiceScenario;
  type: 'Basic';
  demoAudioMediaId: string;
  createTime: string;
  seq: number;
}

export interface StoredJob extends EmulatedVoiceJob {
  seq: number;
  demoAudioMediaUrl?: string;
}

export interface VoiceJobBookSnapshot {
  seq: number;
  voices: StoredVoice[];
  jobs: StoredJob[];
}

/** ICE's time format: UTC, whole seconds, "yyyy-MM-ddTHH:mm:ssZ". */
export function iceTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const newId = (): string => randomUUID().replace(/-/g, '');

/** Share of the training time spent in PreTraining before the job shows Training. */
const PRE_TRAINING_SHARE = 0.2;

export const BUSY_STATUSES: readonly VoiceJobStatus[] = ['PreTraining', 'Training', 'Success'];

// ASSUMPTION: ICE's codes for these refusals are undocumented; the emulator uses these (all HTTP 400/404).
export const VOICE_EXISTS_CODE = 'VoiceIdAlreadyExists';
export const VOICE_NOT_FOUND_CODE = 'VoiceNotFound';
export const JOB_NOT_FOUND_CODE = 'JobNotFound';
export const NO_PASSED_AUDIO_CODE = 'InvalidOperation.NoPassedAudio';
export const JOB_STATUS_CODE = 'InvalidOperation.JobStatus';

export interface TrainingOutcome {
  status: 'Success' | 'Fail';
  message: string;
}

export class VoiceJobBook {
  private seq = 0;
  private readonly voices = new Map<string, StoredVoice>();
  private readonly jobs = new Map<string, StoredJob>();
  private readonly jobByVoice = new Map<string, string>();
  /** Jobs in PreTraining or Training, with their submit time in ms: `advance` runs on every request and must not
   * scan (and date-parse) every job the account ever had, 10,000 and more in a scale run. */
  private readonly training = new Map<StoredJob, number>();

  constructor(snapshot?: VoiceJobBookSnapshot) {
    if (snapshot) this.restore(snapshot);
  }

  restore(snapshot: VoiceJobBookSnapshot): void {
    this.clear();
    this.seq = snapshot.seq;
    for (const voice of snapshot.voices) this.voices.set(voice.voiceId, voice);
    for (const job of snapshot.jobs) {
      this.jobs.set(job.jobId, job);
      this.jobByVoice.set(job.voiceId, job.jobId);
      if (isTraining(job)) this.training.set(job, Date.parse(job.submittedAt ?? ''));
    }
  }

  snapshot(): VoiceJobBookSnapshot {
    return structuredClone({ seq: this.seq, voices: [...this.voices.values()], jobs: [...this.jobs.values()] });
  }

  clear(): void {
    this.seq = 0;
    this.voices.clear();
    this.jobs.clear();
    this.jobByVoice.clear();
    this.training.clear();
  }

  create(
    input: { voiceId: string; gender: VoiceGender; scenario: VoiceScenario; voiceName?: string; voiceDesc?: string },
    nowMs: number,
  ): StoredJob {
    if (this.voices.has(input.voiceId)) {
      throw new IceWireError(400, VOICE_EXISTS_CODE, `The VoiceId "${input.voiceId}" already exists in this account.`);
    }
    const seq = ++this.seq;
    const createTime = iceTime(nowMs);
    this.voices.set(input.voiceId, {
      voiceId: input.voiceId,
      voiceName: input.voiceName ?? '',
      voiceDesc: input.voiceDesc ?? '',
      gender: input.gender,
      scenario: input.scenario,
      type: 'Basic',
      demoAudioMediaId: '',
      createTime,
      seq,
    });
    const job: StoredJob = {
      jobId: newId(),
      voiceId: input.voiceId,
      status: 'Initialization',
      message: '',
      createTime,
      submitCount: 0,
      passedAudioRecordIds: [],
      seq,
    };
    this.jobs.set(job.jobId, job);
    this.jobByVoice.set(job.voiceId, job.jobId);
    return job;
  }

  /** Records a detection result; returns the job. */
  recordDetection(voiceId: string, audioRecordId: number, pass: boolean): StoredJob {
    const job = this.jobForVoice(voiceId);
    if (BUSY_STATUSES.includes(job.status)) {
      throw new IceWireError(400, JOB_STATUS_CODE, `Audio cannot be detected while the voice job is ${job.status}.`);
    }
    const passed = new Set(job.passedAudioRecordIds);
    if (pass) passed.add(audioRecordId);
    else passed.delete(audioRecordId);
    job.passedAudioRecordIds = [...passed].sort((a, b) => a - b);
    job.status = 'AudioDetecting';
    job.message = '';
    return job;
  }

  submit(voiceId: string, demoAudioMediaUrl: string | undefined, nowMs: number): StoredJob {
    const job = this.jobForVoice(voiceId);
    if (BUSY_STATUSES.includes(job.status)) {
      throw new IceWireError(400, JOB_STATUS_CODE, `The voice job of "${voiceId}" is already ${job.status}.`);
    }
    if (job.passedAudioRecordIds.length === 0) {
      throw new IceWireError(400, NO_PASSED_AUDIO_CODE, `No recording of "${voiceId}" has passed audio detection.`);
    }
    job.status = 'PreTraining';
    job.message = '';
    job.submittedAt = new Date(nowMs).toISOString();
    job.finishedAt = undefined;
    job.submitCount += 1;
    job.demoAudioMediaUrl = demoAudioMediaUrl;
    this.training.set(job, nowMs);
    return job;
  }

  /** Moves time-driven jobs on; returns the jobs whose training is over but not yet finished. */
  advance(nowMs: number, trainingMs: number): StoredJob[] {
    const due: StoredJob[] = [];
    for (const [job, submittedMs] of this.training) {
      const elapsed = nowMs - submittedMs;
      if (elapsed >= trainingMs) due.push(job);
      else if (elapsed >= trainingMs * PRE_TRAINING_SHARE) job.status = 'Training';
    }
    return due;
  }

  /** Ends training; returns false when the job is not training (already ended). */
  finish(jobId: string, outcome: TrainingOutcome, nowMs: number): boolean {
    const job = this.jobs.get(jobId);
    if (!job || !isTraining(job)) return false;
    this.training.delete(job);
    job.status = outcome.status;
    job.message = outcome.message;
    job.finishedAt = new Date(nowMs).toISOString();
    const voice = this.voices.get(job.voiceId);
    if (voice && outcome.status === 'Success' && job.demoAudioMediaUrl) voice.demoAudioMediaId = newId();
    return true;
  }

  /** When a training job ends, measured from its submit time. */
  dueAt(job: StoredJob, trainingMs: number): number {
    return Date.parse(job.submittedAt ?? '') + trainingMs;
  }

  trainingJobs(): StoredJob[] {
    return [...this.training.keys()];
  }

  job(jobId: string): StoredJob {
    const job = this.jobs.get(jobId);
    if (!job) throw new IceWireError(404, JOB_NOT_FOUND_CODE, `The voice job "${jobId}" does not exist.`);
    return job;
  }

  findJob(jobId: string): StoredJob | undefined {
    return this.jobs.get(jobId);
  }

  voice(voiceId: string): StoredVoice {
    const voice = this.voices.get(voiceId);
    if (!voice) throw new IceWireError(404, VOICE_NOT_FOUND_CODE, `The voice "${voiceId}" does not exist.`);
    return voice;
  }

  jobForVoice(voiceId: string): StoredJob {
    const jobId = this.jobByVoice.get(voiceId);
    if (jobId === undefined) {
      throw new IceWireError(
        404,
        VOICE_NOT_FOUND_CODE,
        `The voice "${voiceId}" does not exist: call CreateCustomizedVoiceJob first.`,
      );
    }
    return this.job(jobId);
  }

  countJobs(): EmulatedJobCounts {
    const counts: EmulatedJobCounts = { jobs: 0, submitted: 0, byStatus: {} };
    for (const job of this.jobs.values()) {
      counts.jobs++;
      if (job.submittedAt !== undefined) counts.submitted++;
      counts.byStatus[job.status] = (counts.byStatus[job.status] ?? 0) + 1;
    }
    return counts;
  }

  /** Newest first. */
  listJobs(): StoredJob[] {
    return [...this.jobs.values()].sort((a, b) => b.seq - a.seq);
  }

  listVoices(): StoredVoice[] {
    return [...this.voices.values()].sort((a, b) => b.seq - a.seq);
  }
}

function isTraining(job: StoredJob): boolean {
  return job.status === 'PreTraining' || job.status === 'Training';
}

export function publicJobView(job: StoredJob): EmulatedVoiceJob {
  return {
    jobId: job.jobId,
    voiceId: job.voiceId,
    status: job.status,
    message: job.message,
    createTime: job.createTime,
    submittedAt: job.submittedAt,
    finishedAt: job.finishedAt,
    submitCount: job.submitCount,
    passedAudioRecordIds: [...job.passedAudioRecordIds],
  };
}
