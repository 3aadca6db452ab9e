/**
 * The voice-cloning operations of the three editions and the callback setting: wire parameters in, ICE's response
 * body (PascalCase, as in the official SDK's models) out. Errors are thrown as `IceWireError`.
 */
import {
  BASIC_VOICE_ID_PATTERN,
  BASIC_VOICE_ID_RULE,
  ICE_VOICE_ID_PATTERN,
  ICE_VOICE_ID_RULE,
} from '../workflows/ice-ids';
import { ICE_AUTH_KEY_RULE, ICE_CALLBACK_URL_MAX_BYTES, isValidIceAuthKey } from '../ice/callback-auth';
import { ICE_ACTIONS, type IceAction, type VoiceGender, type VoiceJobStatus, type VoiceScenario } from '../ice/types';
import { EMULATED_EDITIONS, type CosyVoiceJobType, type EmulatedEdition } from './admin-api';
import { demonstrationList } from './demonstrations';
import { cosyVoiceSubmit, standardSubmit } from './edition-rules';
import { enumParam, intParam, maxLength, optionalParam, requiredParam, unsupported, type WireParams } from './params';
import { JOB_STATUS_CODE, type StoredJob, type StoredVoice, type VoiceJobBook } from './voice-job-book';
import { IceWireError, invalidParameter, missingParameter } from './wire-error';

export interface EventCallbackSettings {
  callbackType: 'HTTP' | 'MNS';
  callbackUrl?: string;
  callbackQueueName?: string;
  /** ASSUMPTION (docs/ice-api.md#callback-setting): empty = every event type. */
  eventTypeList: string[];
  authSwitch: 'on' | 'off';
  /** Secret. */
  authKey?: string;
}

export interface OperationContext {
  book: VoiceJobBook;
  nowMs: number;
  getEventCallback(): EventCallbackSettings | undefined;
  setEventCallback(settings: EventCallbackSettings): void;
  /** Called after an accepted submit (any edition) so that the job clock runs the job's training. */
  onSubmitted(job: StoredJob): void;
  /** Called after a job is deleted, so that the clock forgets it. */
  onDeleted(job: StoredJob): void;
  /** The status the job shows now (its training phase comes from the clock). */
  statusOf(job: StoredJob): VoiceJobStatus;
  /** ASSUMPTION (docs/ice-api.md#editions): the Type CosyVoice jobs and voices report (a setting). */
  cosyVoiceJobType: CosyVoiceJobType;
  /** A Status fault for this read of the job (`null` = no Status field), or undefined for the real one. */
  jobStatusOverride(job: StoredJob): { status: string | null } | undefined;
}

export type IceResponseBody = Record<string, unknown>;

const GENDERS: readonly VoiceGender[] = ['female', 'male'];
const SCENARIOS: readonly VoiceScenario[] = ['story', 'interaction', 'navigation'];
/** Deterministic detection rule documented for users of the emulator. */
export const FAIL_DETECTION_MARKER = 'fail-detection';

export function isIceAction(action: string): action is IceAction {
  return (ICE_ACTIONS as readonly string[]).includes(action);
}

function voiceIdParam(params: WireParams): string {
  const voiceId = requiredParam(params, 'VoiceId');
  if (!BASIC_VOICE_ID_PATTERN.test(voiceId)) throw invalidParameter('VoiceId', BASIC_VOICE_ID_RULE);
  return voiceId;
}

/** Get and Update of a voice of any edition. */
function anyVoiceIdParam(params: WireParams): string {
  const voiceId = requiredParam(params, 'VoiceId');
  // Voices ICE names (Standard, CosyVoice: `Voice-l*****`, docs/ice-api.md#editions) have a `-`.
  if (!ICE_VOICE_ID_PATTERN.test(voiceId)) throw invalidParameter('VoiceId', ICE_VOICE_ID_RULE);
  return voiceId;
}

/** The Type a job or voice of this edition reports. */
function wireType(edition: EmulatedEdition, ctx: OperationContext): string {
  return edition === 'CosyVoice' ? ctx.cosyVoiceJobType : edition;
}

/** The editions a `Type` filter lists (omitted: Basic, docs/ice-api.md#list-jobs). */
function editionsOfType(params: WireParams, ctx: OperationContext): ReadonlySet<EmulatedEdition> {
  const allowed = [...new Set(EMULATED_EDITIONS.map((edition) => wireType(edition, ctx)))];
  const type = optionalParam(params, 'Type') === undefined ? 'Basic' : enumParam(params, 'Type', allowed);
  const editions = EMULATED_EDITIONS.filter((edition) => wireType(edition, ctx) === type);
  return new Set(editions);
}

function jobWire(job: StoredJob, voice: StoredVoice | undefined, ctx: OperationContext): Record<string, unknown> {
  return {
    JobId: job.jobId,
    VoiceId: job.voiceId,
    VoiceName: voice?.voiceName ?? job.voiceName,
    VoiceDesc: voice?.voiceDesc ?? '',
    Gender: voice?.gender ?? job.gender,
    Scenario: voice?.scenario ?? '',
    Status: ctx.statusOf(job),
    Message: job.message,
    Type: wireType(job.edition, ctx),
    CreateTime: job.createTime,
  };
}

function voiceWire(voice: StoredVoice): Record<string, unknown> {
  return {
    VoiceId: voice.voiceId,
    VoiceName: voice.voiceName,
    VoiceDesc: voice.voiceDesc,
    Gender: voice.gender,
    Scenario: voice.scenario,
    DemoAudioMediaId: voice.demoAudioMediaId,
  };
}

function page<T>(items: T[], params: WireParams): { items: T[]; total: number } {
  const pageNo = intParam(params, 'PageNo', 1, 1, 1_000_000);
  const pageSize = intParam(params, 'PageSize', 10, 1, 100);
  return { items: items.slice((pageNo - 1) * pageSize, pageNo * pageSize), total: items.length };
}

type Operation = (params: WireParams, ctx: OperationContext) => IceResponseBody;

function createJob(params: WireParams, { book, nowMs }: OperationContext): IceResponseBody {
  const voiceId = voiceIdParam(params);
  const gender = enumParam(params, 'Gender', GENDERS);
  const scenario = enumParam(params, 'Scenario', SCENARIOS);
  const voiceName = optionalParam(params, 'VoiceName');
  const voiceDesc = optionalParam(params, 'VoiceDesc');
  maxLength('VoiceName', voiceName, 32);
  maxLength('VoiceDesc', voiceDesc, 256);
  const job = book.create({ voiceId, gender, scenario, voiceName, voiceDesc }, nowMs);
  return { Data: { JobId: job.jobId, VoiceId: job.voiceId }, Success: true };
}

function detectAudio(params: WireParams, { book }: OperationContext): IceResponseBody {
  const voiceId = voiceIdParam(params);
  const recordUrl = requiredParam(params, 'RecordUrl');
  const audioRecordId = intParam(params, 'AudioRecordId', 0, 1, 20);
  if (audioRecordId === 0) throw missingParameter('AudioRecordId');
  const pass = !recordUrl.includes(FAIL_DETECTION_MARKER);
  book.recordDetection(voiceId, audioRecordId, pass);
  const reason = pass ? '' : 'The recording does not match the demonstration text or is too noisy.';
  return { Data: { Pass: pass, Reason: reason }, Success: true };
}

function deleteJob(params: WireParams, ctx: OperationContext): IceResponseBody {
  const job = ctx.book.job(requiredParam(params, 'JobId'));
  const status = ctx.statusOf(job);
  // Only a job not in Training or Success (docs/ice-api.md#voice-lifecycle-basic); the code is ASSUMPTION
  // (docs/ice-api.md#errors).
  if (status === 'Training' || status === 'Success') {
    throw new IceWireError(400, JOB_STATUS_CODE, `The voice job "${job.jobId}" is ${status} and cannot be deleted.`);
  }
  ctx.book.deleteJob(job);
  ctx.onDeleted(job);
  return { Success: true };
}

function getJob(params: WireParams, ctx: OperationContext): IceResponseBody {
  const job = ctx.book.job(requiredParam(params, 'JobId'));
  const wire = jobWire(job, ctx.book.voice(job.voiceId), ctx);
  const override = ctx.jobStatusOverride(job);
  if (override?.status === null) delete wire.Status;
  else if (override) wire.Status = override.status;
  return { Data: { CustomizedVoiceJob: wire }, Success: true };
}

function listJobs(params: WireParams, ctx: OperationContext): IceResponseBody {
  const jobs = ctx.book.listJobs(editionsOfType(params, ctx));
  const { items, total } = page(jobs, params);
  const list = items.map((job) => ({ ...jobWire(job, ctx.book.voice(job.voiceId), ctx), GmtCreate: job.createTime }));
  return { Data: { CustomizedVoiceJobList: list, TotalCount: total }, Success: true };
}

function listVoices(params: WireParams, ctx: OperationContext): IceResponseBody {
  const voices = ctx.book.listVoices(editionsOfType(params, ctx));
  const { items, total } = page(voices, params);
  const list = items.map((voice) => ({ ...voiceWire(voice), Type: wireType(voice.type, ctx) }));
  return { Data: { CustomizedVoiceList: list, TotalCount: total }, Success: true };
}

function getEventCallback(_params: WireParams, ctx: OperationContext): IceResponseBody {
  const settings = ctx.getEventCallback();
  if (!settings) return {};
  const eventTypeList = settings.eventTypeList.join(',');
  if (settings.callbackType === 'MNS') {
    // AuthSwitch and AuthKey are "returned only for HTTP callbacks" (docs/ice-api.md#callback-setting).
    return { CallbackType: 'MNS', CallbackQueueName: settings.callbackQueueName, EventTypeList: eventTypeList };
  }
  return {
    CallbackType: settings.callbackType,
    CallbackURL: settings.callbackUrl,
    EventTypeList: eventTypeList,
    AuthSwitch: settings.authSwitch,
    AuthKey: settings.authKey,
  };
}

/** One function per ICE action: wire parameters in, ICE's response body out. */
const OPERATIONS: Record<IceAction, Operation> = {
  CreateCustomizedVoiceJob: createJob,
  GetDemonstrationForCustomizedVoiceJob: (params, ctx) => {
    const scenario = enumParam(params, 'Scenario', SCENARIOS);
    return { Data: { DemonstrationList: demonstrationList(scenario, ctx.nowMs) }, Success: true };
  },
  DetectAudioForCustomizedVoiceJob: detectAudio,
  SubmitCustomizedVoiceJob: (params, ctx) => {
    const job = ctx.book.submit(voiceIdParam(params), optionalParam(params, 'DemoAudioMediaURL'), ctx.nowMs);
    ctx.onSubmitted(job);
    return { Data: { JobId: job.jobId, VoiceId: job.voiceId }, Success: true };
  },
  SubmitStandardCustomizedVoiceJob: (params, ctx) => {
    const job = ctx.book.submitNamedVoice(standardSubmit(params), ctx.nowMs);
    ctx.onSubmitted(job);
    // Standard answers the JobId only (docs/ice-api.md#editions); GetCustomizedVoiceJob shows the VoiceId.
    return { Data: { JobId: job.jobId }, Success: true };
  },
  SubmitCosyVoiceCustomizedVoiceJob: (params, ctx) => {
    const job = ctx.book.submitNamedVoice(cosyVoiceSubmit(params), ctx.nowMs);
    ctx.onSubmitted(job);
    return { Data: { JobId: job.jobId, VoiceId: job.voiceId }, Success: true };
  },
  DeleteCustomizedVoiceJob: deleteJob,
  UpdateCustomizedVoice: (params, ctx) => {
    const voiceId = anyVoiceIdParam(params);
    // ASSUMPTION (docs/ice-api.md#voice-lifecycle-basic): DemoAudioMediaId, the one thing it changes, is required.
    ctx.book.updateDemoAudio(voiceId, requiredParam(params, 'DemoAudioMediaId'));
    return { Success: true };
  },
  GetCustomizedVoiceJob: getJob,
  ListCustomizedVoiceJobs: listJobs,
  GetCustomizedVoice: (params, ctx) => ({
    Data: { CustomizedVoice: voiceWire(ctx.book.voice(anyVoiceIdParam(params))) },
    Success: true,
  }),
  ListCustomizedVoices: listVoices,
  SetEventCallback: (params, ctx) => {
    ctx.setEventCallback(eventCallbackFromParams(params));
    return { Success: true };
  },
  GetEventCallback: getEventCallback,
};

export function performIceAction(action: string, params: WireParams, ctx: OperationContext): IceResponseBody {
  if (!isIceAction(action)) throw unsupported(action);
  return OPERATIONS[action](params, ctx);
}

/** Documented prefix of the MNS queue (docs/ice-api.md#callback-setting). */
const CALLBACK_QUEUE_PREFIX = 'ice-callback-';

function eventCallbackFromParams(params: WireParams): EventCallbackSettings {
  // ASSUMPTION (docs/ice-api.md#callback-setting): CallbackType and AuthSwitch default to HTTP and off when left out.
  const callbackType =
    optionalParam(params, 'CallbackType') === undefined ? 'HTTP' : enumParam(params, 'CallbackType', ['HTTP', 'MNS']);
  const eventTypeList = (optionalParam(params, 'EventTypeList') ?? '')
    .split(',')
    .map((type) => type.trim())
    .filter((type) => type !== '');
  if (callbackType === 'MNS') {
    const callbackQueueName = requiredParam(params, 'CallbackQueueName');
    if (!callbackQueueName.startsWith(CALLBACK_QUEUE_PREFIX) || callbackQueueName === CALLBACK_QUEUE_PREFIX) {
      throw invalidParameter('CallbackQueueName', `must start with ${CALLBACK_QUEUE_PREFIX}`);
    }
    // AuthSwitch and AuthKey take effect only for HTTP (docs/ice-api.md#callback-setting); MNS has no URL.
    return { callbackType, callbackQueueName, eventTypeList, authSwitch: 'off' };
  }
  const authSwitch =
    optionalParam(params, 'AuthSwitch') === undefined ? 'off' : enumParam(params, 'AuthSwitch', ['on', 'off']);
  const callbackUrl = requiredParam(params, 'CallbackURL');
  const authKey = optionalParam(params, 'AuthKey');
  if (Buffer.byteLength(callbackUrl) > ICE_CALLBACK_URL_MAX_BYTES) {
    throw invalidParameter('CallbackURL', `must be at most ${ICE_CALLBACK_URL_MAX_BYTES} bytes`);
  }
  if (!/^https?:\/\/[^\s]+$/i.test(callbackUrl)) throw invalidParameter('CallbackURL', 'must be an http(s) URL');
  if (authSwitch === 'on' && authKey === undefined) throw missingParameter('AuthKey');
  if (authKey !== undefined && !isValidIceAuthKey(authKey)) {
    throw invalidParameter('AuthKey', `must be ${ICE_AUTH_KEY_RULE}`);
  }
  return { callbackType, callbackUrl, eventTypeList, authSwitch, authKey };
}
