/**
 * The emulated account's voices and voice jobs, for the three editions. Basic:
 * Initialization (create) → AudioDetecting (first detection) → PreTraining (submit); Standard and CosyVoice start at
 * PreTraining (one submit makes the voice and its job). From PreTraining on, every edition shares one clock
 * (./job-clock.ts): Training and the ending are time-driven, and the ending is committed here by `finish` only.
 * No timers and no clock here: the book holds what was committed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { VoiceGender, VoiceJobStatus, VoiceScenario } from '../ice/types';
import { EMULATED_EDITIONS, type EmulatedEdition, type EmulatedJobCounts, type EmulatedVoiceJob } from './admin-api';
import { isInTraining } from './job-clock';
import { IceWireError } from './wire-error';

export interface StoredVoice {
  voiceId: string;
  voiceName: string;
  voiceDesc: string;
  gender: VoiceGender;
  /** '' for Standard and CosyVoice voices, which have no scenario. */
  scenario: VoiceScenario | '';
  type: EmulatedEdition;
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

/** A voice as a create or submit makes it: no demo audio yet. */
type NewVoice = Omit<StoredVoice, 'demoAudioMediaId' | 'createTime' | 'seq'>;
/** A job's own fields as a create or submit gives them; the rest starts the same for every job. */
type NewJob = Omit<
  StoredJob,
  'jobId' | 'voiceId' | 'status' | 'message' | 'createTime' | 'submitCount' | 'passedAudioRecordIds' | 'seq'
>;

const newId = (): string => randomUUID().replace(/-/g, '');

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** ASSUMPTION (docs/ice-api.md#editions): ICE-assigned VoiceIds look like the CosyVoice example `Voice-l*****`. */
function assignedVoiceId(): string {
  return `Voice-${[...randomBytes(10)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('')}`;
}

/** The Statuses of a submitted job: it refuses detection and a second submit. */
export const BUSY_STATUSES: readonly VoiceJobStatus[] = ['PreTraining', 'Training', 'Success'];

// ASSUMPTION (docs/ice-api.md#errors): ICE's codes for these refusals are undocumented; the emulator uses these.
export const VOICE_EXISTS_CODE = 'VoiceIdAlreadyExists';
/** The Code of a read or update of a VoiceId the account does not have (HTTP 404). */
export const VOICE_NOT_FOUND_CODE = 'VoiceNotFound';
/** The Code of a read or delete of a JobId the account does not have (HTTP 404). */
export const JOB_NOT_FOUND_CODE = 'JobNotFound';
export const NO_PASSED_AUDIO_CODE = 'InvalidOperation.NoPassedAudio';
/** The Code of an operation the job's Status does not allow (detection or a submit once submitted, a delete). */
export const JOB_STATUS_CODE = 'InvalidOperation.JobStatus';
/** ASSUMPTION (docs/ice-api.md#errors): the code of the CosyVoice quota refusal (30 voices) is undocumented. */
export const COSYVOICE_QUOTA_CODE = 'QuotaExceeded.CosyVoice';
/** At most 30 CosyVoice voices per account and region (docs/ice-api.md#editions). */
export const COSYVOICE_VOICE_LIMIT = 30;

export interface TrainingOutcome {
  status: 'Success' | 'Fail';
  message: string;
}

/** A Standard or CosyVoice submit: the voice is named by the caller, its VoiceId assigned here. */
export interface NamedVoiceWireSubmit {
  edition: 'Standard' | 'CosyVoice';
  voiceName: string;
  gender: VoiceGender;
  audioMediaIds: string[];
  authenticationMediaId?: string;
  model?: string;
  demoAudioMediaUrl?: string;
}

export class VoiceJobBook {
  private seq = 0;
  private readonly voices = new Map<string, StoredVoice>();
  private readonly jobs = new Map<string, StoredJob>();
  private readonly jobByVoice = new Map<string, string>();

  constructor(snapshot?: VoiceJobBookSnapshot) {
    if (snapshot) this.restore(snapshot);
  }

  /** Also reads state files written before the editions existed: a job without `edition` is Basic. */
  restore(snapshot: VoiceJobBookSnapshot): void {
    this.clear();
    this.seq = snapshot.seq;
    for (const voice of snapshot.voices) this.voices.set(voice.voiceId, voice);
    for (const job of snapshot.jobs) {
      const voice = this.voices.get(job.voiceId);
      job.edition ??= 'Basic';
      job.voiceName ??= voice?.voiceName ?? '';
      job.gender ??= voice?.gender ?? 'female';
      this.jobs.set(job.jobId, job);
      this.jobByVoice.set(job.voiceId, job.jobId);
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
  }

  create(
    input: { voiceId: string; gender: VoiceGender; scenario: VoiceScenario; voiceName?: string; voiceDesc?: string },
    nowMs: number,
  ): StoredJob {
    if (this.voices.has(input.voiceId)) {
      throw new IceWireError(400, VOICE_EXISTS_CODE, `The VoiceId "${input.voiceId}" already exists in this account.`);
    }
    return this.addVoiceWithJob(
      {
        voiceId: input.voiceId,
        voiceName: input.voiceName ?? '',
        voiceDesc: input.voiceDesc ?? '',
        gender: input.gender,
        scenario: input.scenario,
        type: 'Basic',
      },
      { edition: 'Basic', voiceName: input.voiceName ?? '', gender: input.gender },
      nowMs,
    );
  }

  /** Stores a new voice and its first job (Initialization, nothing submitted), both created at `nowMs`. */
  private addVoiceWithJob(voice: NewVoice, job: NewJob, nowMs: number): StoredJob {
    const seq = ++this.seq;
    const createTime = iceTime(nowMs);
    this.voices.set(voice.voiceId, { ...voice, demoAudioMediaId: '', createTime, seq });
    const stored: StoredJob = {
      jobId: newId(),
      voiceId: voice.voiceId,
      ...job,
      status: 'Initialization',
      message: '',
      createTime,
      submitCount: 0,
      passedAudioRecordIds: [],
      seq,
    };
    this.jobs.set(stored.jobId, stored);
    this.jobByVoice.set(stored.voiceId, stored.jobId);
    return stored;
  }

  /** Records a detection result; returns the job. */
  recordDetection(voiceId: string, audioRecordId: number, pass: boolean): StoredJob {
    const job = this.basicJobForVoice(voiceId);
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

  /** Basic's submit: the job created with the voice goes to PreTraining (again, after a Fail). */
  submit(voiceId: string, demoAudioMediaUrl: string | undefined, nowMs: number): StoredJob {
    const job = this.basicJobForVoice(voiceId);
    if (BUSY_STATUSES.includes(job.status)) {
      throw new IceWireError(400, JOB_STATUS_CODE, `The voice job of "${voiceId}" is already ${job.status}.`);
    }
    if (job.passedAudioRecordIds.length === 0) {
      throw new IceWireError(400, NO_PASSED_AUDIO_CODE, `No recording of "${voiceId}" has passed audio detection.`);
    }
    startTraining(job, demoAudioMediaUrl, nowMs);
    return job;
  }

  /**
   * Standard's and CosyVoice's submit: a new voice (VoiceId assigned here) and its job, training at once.
   * ASSUMPTION (docs/ice-api.md#editions): ICE refuses no VoiceName already in use, so a second submit with the
   * same name makes a second job (and bills it): a blind resubmit shows as two jobs.
   */
  submitNamedVoice(input: NamedVoiceWireSubmit, nowMs: number): StoredJob {
    if (input.edition === 'CosyVoice' && this.cosyVoiceCount() >= COSYVOICE_VOICE_LIMIT) {
      throw new IceWireError(
        400,
        COSYVOICE_QUOTA_CODE,
        `The account already has ${COSYVOICE_VOICE_LIMIT} CosyVoice voices in this region, the most it can have.`,
      );
    }
    let voiceId = assignedVoiceId();
    while (this.voices.has(voiceId)) voiceId = assignedVoiceId();
    const job = this.addVoiceWithJob(
      { voiceId, voiceName: input.voiceName, voiceDesc: '', gender: input.gender, scenario: '', type: input.edition },
      {
        edition: input.edition,
        voiceName: input.voiceName,
        gender: input.gender,
        model: input.model,
        audioMediaIds: [...input.audioMediaIds],
        authenticationMediaId: input.authenticationMediaId,
      },
      nowMs,
    );
    startTraining(job, input.demoAudioMediaUrl, nowMs);
    return job;
  }

  /**
   * ASSUMPTION (docs/ice-api.md#editions): every CosyVoice job not deleted holds one of the 30 voices, a failed
   * one until DeleteCustomizedVoiceJob removes it (no operation deletes a voice, so a trained one stays).
   */
  cosyVoiceCount(): number {
    let count = 0;
    for (const voice of this.voices.values()) if (voice.type === 'CosyVoice') count++;
    return count;
  }

  /** Ends training; returns false when the job is not training (already ended or deleted). */
  finish(jobId: string, outcome: TrainingOutcome, nowMs: number): boolean {
    const job = this.jobs.get(jobId);
    if (!job || !isInTraining(job)) return false;
    job.status = outcome.status;
    job.message = outcome.message;
    job.finishedAt = new Date(nowMs).toISOString();
    const voice = this.voices.get(job.voiceId);
    if (voice && outcome.status === 'Success' && job.demoAudioMediaUrl) voice.demoAudioMediaId = newId();
    return true;
  }

  /**
   * Removes a job the caller has checked is deletable (not Training or Success), and its voice: a voice whose job
   * never succeeded has nothing trained. ASSUMPTION (docs/ice-api.md#voice-lifecycle-basic): ICE then frees the
   * Basic VoiceId for a new create and the CosyVoice quota slot.
   */
  deleteJob(job: StoredJob): void {
    this.jobs.delete(job.jobId);
    if (this.jobByVoice.get(job.voiceId) === job.jobId) {
      this.jobByVoice.delete(job.voiceId);
      this.voices.delete(job.voiceId);
    }
  }

  /** UpdateCustomizedVoice: the demo audio is all that can change (docs/ice-api.md#voice-lifecycle-basic). */
  updateDemoAudio(voiceId: string, demoAudioMediaId: string): StoredVoice {
    const voice = this.voice(voiceId);
    voice.demoAudioMediaId = demoAudioMediaId;
    return voice;
  }

  /** Jobs in PreTraining or Training, for the clock after a restore. */
  trainingJobs(): StoredJob[] {
    return [...this.jobs.values()].filter(isInTraining);
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

  /** Detection and Basic's submit work on a voice made by CreateCustomizedVoiceJob. */
  private basicJobForVoice(voiceId: string): StoredJob {
    const jobId = this.jobByVoice.get(voiceId);
    const job = jobId === undefined ? undefined : this.jobs.get(jobId);
    if (job?.edition !== 'Basic') {
      throw new IceWireError(
        404,
        VOICE_NOT_FOUND_CODE,
        `The voice "${voiceId}" does not exist: call CreateCustomizedVoiceJob first.`,
      );
    }
    return job;
  }

  /** `statusOf` tells the status a job shows now (training phases come from the clock). */
  countJobs(statusOf: (job: StoredJob) => VoiceJobStatus): EmulatedJobCounts {
    const counts: EmulatedJobCounts = { jobs: 0, submitted: 0, byStatus: {} };
    for (const job of this.jobs.values()) {
      const status = statusOf(job);
      counts.jobs++;
      if (job.submittedAt !== undefined) counts.submitted++;
      counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
    }
    return counts;
  }

  /** Newest first; only the given editions. */
  listJobs(editions: ReadonlySet<EmulatedEdition> = ALL_EDITIONS): StoredJob[] {
    return [...this.jobs.values()].filter((job) => editions.has(job.edition)).sort((a, b) => b.seq - a.seq);
  }

  listVoices(editions: ReadonlySet<EmulatedEdition> = ALL_EDITIONS): StoredVoice[] {
    return [...this.voices.values()].filter((voice) => editions.has(voice.type)).sort((a, b) => b.seq - a.seq);
  }
}

const ALL_EDITIONS: ReadonlySet<EmulatedEdition> = new Set(EMULATED_EDITIONS);

function startTraining(job: StoredJob, demoAudioMediaUrl: string | undefined, nowMs: number): void {
  job.status = 'PreTraining';
  job.message = '';
  job.submittedAt = new Date(nowMs).toISOString();
  job.finishedAt = undefined;
  job.submitCount += 1;
  job.demoAudioMediaUrl = demoAudioMediaUrl;
}

/** The admin view; `status` is the one a read shows now. */
export function publicJobView(job: StoredJob, status: VoiceJobStatus): EmulatedVoiceJob {
  const view: EmulatedVoiceJob = {
    jobId: job.jobId,
    voiceId: job.voiceId,
    edition: job.edition,
    voiceName: job.voiceName,
    gender: job.gender,
    status,
    message: job.message,
    createTime: job.createTime,
    submittedAt: job.submittedAt,
    finishedAt: job.finishedAt,
    submitCount: job.submitCount,
    passedAudioRecordIds: [...job.passedAudioRecordIds],
  };
  if (job.model !== undefined) view.model = job.model;
  if (job.audioMediaIds !== undefined) view.audioMediaIds = [...job.audioMediaIds];
  if (job.authenticationMediaId !== undefined) view.authenticationMediaId = job.authenticationMediaId;
  return view;
}
