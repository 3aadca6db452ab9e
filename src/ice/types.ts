/**
 * Typed shapes of the ICE (2020-11-09) voice-cloning operations, camelCase like the official SDK's models.
 * Wire names (PascalCase) live only in the client and the emulator. The facts behind them: docs/ice-api.md.
 */

export const ICE_API_VERSION = '2020-11-09';

export const ICE_ACTIONS = [
  'CreateCustomizedVoiceJob',
  'GetDemonstrationForCustomizedVoiceJob',
  'DetectAudioForCustomizedVoiceJob',
  'SubmitCustomizedVoiceJob',
  'GetCustomizedVoiceJob',
  'ListCustomizedVoiceJobs',
  'GetCustomizedVoice',
  'ListCustomizedVoices',
  'SetEventCallback',
  'GetEventCallback',
  'SubmitStandardCustomizedVoiceJob',
  'SubmitCosyVoiceCustomizedVoiceJob',
  'DeleteCustomizedVoiceJob',
  'UpdateCustomizedVoice',
] as const;
export type IceAction = (typeof ICE_ACTIONS)[number];

export type VoiceGender = 'female' | 'male';
export type VoiceScenario = 'story' | 'interaction' | 'navigation';
/**
 * `Basic` and `Standard` are documented (docs/ice-api.md#job-fields). ASSUMPTION (docs/ice-api.md#editions): the
 * Type a CosyVoice job reports is undocumented; `CosyVoice` is this package's guess (COSYVOICE_JOB_TYPE).
 */
export type VoiceJobType = 'Basic' | 'Standard' | 'CosyVoice';
/** ASSUMPTION (docs/ice-api.md#editions): the Type under which ICE reports and lists CosyVoice jobs. */
export const COSYVOICE_JOB_TYPE: VoiceJobType = 'CosyVoice';

/** SubmitCosyVoiceCustomizedVoiceJob's `Model` values (docs/ice-api.md#editions). */
export const COSYVOICE_MODELS = [
  'cosyvoice-v3-plus',
  'cosyvoice-v3-flash',
  'cosyvoice-v3.5-plus',
  'cosyvoice-v3.5-flash',
] as const;
export type CosyVoiceModel = (typeof COSYVOICE_MODELS)[number];

export const VOICE_JOB_STATUSES = [
  'Initialization',
  'AudioDetecting',
  'PreTraining',
  'Training',
  'Success',
  'Fail',
] as const;
export type VoiceJobStatus = (typeof VOICE_JOB_STATUSES)[number];
export const TERMINAL_VOICE_JOB_STATUSES: readonly VoiceJobStatus[] = ['Success', 'Fail'];

/** ICE's SDK types Status as a plain string (docs/ice-api.md#job-fields): a value outside the six may come. */
export function isKnownVoiceJobStatus(status: string): status is VoiceJobStatus {
  return (VOICE_JOB_STATUSES as readonly string[]).includes(status);
}

/** Only Success and Fail end training; any other value, known or not, means "not finished". */
export function isTerminalVoiceJobStatus(status: string): boolean {
  return (TERMINAL_VOICE_JOB_STATUSES as readonly string[]).includes(status);
}

/** Every response carries ICE's RequestId, kept for support tickets and error messages. */
export interface IceResponse {
  requestId: string;
}

export interface CreateCustomizedVoiceJobRequest {
  voiceId: string;
  gender: VoiceGender;
  scenario: VoiceScenario;
  voiceName?: string;
  voiceDesc?: string;
}
export interface CreateCustomizedVoiceJobResponse extends IceResponse {
  voiceId: string;
  jobId: string;
}

export interface GetDemonstrationRequest {
  scenario: VoiceScenario;
}
export interface Demonstration {
  audioId: number;
  text: string;
  demoAudio: string;
}
export interface GetDemonstrationResponse extends IceResponse {
  demonstrationList: Demonstration[];
}

export interface DetectAudioRequest {
  voiceId: string;
  recordUrl: string;
  audioRecordId: number;
}
export interface DetectAudioResponse extends IceResponse {
  pass: boolean;
  reason: string;
}

export interface SubmitCustomizedVoiceJobRequest {
  voiceId: string;
  demoAudioMediaUrl?: string;
}
export interface SubmitCustomizedVoiceJobResponse extends IceResponse {
  jobId: string;
  /** '' when ICE leaves it out (the caller knows which voice it submitted). */
  voiceId: string;
}

/** The standard edition (docs/ice-api.md#editions): the caller names the voice, ICE assigns its VoiceId later. */
export interface SubmitStandardCustomizedVoiceJobRequest {
  /** ≤ 32 characters. */
  voiceName: string;
  gender: VoiceGender;
  /** Media ID of the speaker reading ICE's fixed consent text. */
  authentication: string;
  /** Media IDs of the training audio (15–30 minutes in total, each over 1 minute); comma-separated on the wire. */
  audios: string[];
  demoAudioMediaUrl?: string;
}
export interface SubmitStandardCustomizedVoiceJobResponse extends IceResponse {
  jobId: string;
}

/** The CosyVoice edition (docs/ice-api.md#editions): one training audio, a model, ICE assigns the VoiceId. */
export interface SubmitCosyVoiceCustomizedVoiceJobRequest {
  /** ≤ 32 characters. */
  voiceName: string;
  gender: VoiceGender;
  /** The one training audio's media ID (the SDK's `Audios`: ICE trains on one audio only). */
  audios: string;
  model: CosyVoiceModel;
  demoAudioMediaUrl?: string;
}
export interface SubmitCosyVoiceCustomizedVoiceJobResponse extends IceResponse {
  jobId: string;
  /** The VoiceId ICE assigned (e.g. `Voice-l*****`); '' when ICE leaves it out (GetCustomizedVoiceJob has it). */
  voiceId: string;
}

/** ICE refuses it for a job in Training or Success (docs/ice-api.md#voice-lifecycle-basic). */
export interface DeleteCustomizedVoiceJobRequest {
  jobId: string;
}
export type DeleteCustomizedVoiceJobResponse = IceResponse;

/** Changes only the voice's demo audio (docs/ice-api.md#voice-lifecycle-basic). */
export interface UpdateCustomizedVoiceRequest {
  voiceId: string;
  demoAudioMediaId: string;
}
export type UpdateCustomizedVoiceResponse = IceResponse;

/**
 * Status, Type, Scenario and Gender are plain strings, as ICE's SDK types them (docs/ice-api.md#job-fields): the
 * unions above name the values known today, and a new value passes through instead of failing the call.
 */
export interface CustomizedVoiceJob {
  jobId: string;
  voiceId: string;
  /** A `VoiceJobStatus` as far as known. In list items '' when ICE left it out; a single read requires it. */
  status: string;
  message: string;
  /** A `VoiceJobType` as far as known; '' when absent. */
  type: string;
  voiceName: string;
  voiceDesc: string;
  /** A `VoiceScenario` as far as known; '' when absent. */
  scenario: string;
  /** A `VoiceGender` as far as known; '' when absent. */
  gender: string;
  /** UTC "yyyy-MM-ddTHH:mm:ssZ" */
  createTime: string;
  /** Only in list items. */
  gmtCreate?: string;
}
export interface GetCustomizedVoiceJobRequest {
  jobId: string;
}
export interface GetCustomizedVoiceJobResponse extends IceResponse {
  customizedVoiceJob: CustomizedVoiceJob;
}

export interface ListCustomizedVoiceJobsRequest {
  pageNo?: number;
  /** ≤ 100, default 10 */
  pageSize?: number;
  type?: VoiceJobType;
}
export interface ListCustomizedVoiceJobsResponse extends IceResponse {
  customizedVoiceJobList: CustomizedVoiceJob[];
  totalCount: number;
}

export interface CustomizedVoice {
  voiceId: string;
  voiceName: string;
  voiceDesc: string;
  /** Plain strings like CustomizedVoiceJob's: known values in VoiceGender / VoiceScenario. */
  gender: string;
  scenario: string;
  demoAudioMediaId: string;
  /** A `VoiceJobType` as far as known; only in list items (GetCustomizedVoice has no Type). */
  type?: string;
}
export interface GetCustomizedVoiceRequest {
  voiceId: string;
}
export interface GetCustomizedVoiceResponse extends IceResponse {
  customizedVoice: CustomizedVoice;
}

export interface ListCustomizedVoicesRequest {
  type?: VoiceJobType;
  pageNo?: number;
  pageSize?: number;
}
export interface ListCustomizedVoicesResponse extends IceResponse {
  customizedVoiceList: CustomizedVoice[];
  totalCount: number;
}

export interface SetEventCallbackRequest {
  callbackType: 'HTTP' | 'MNS';
  callbackUrl: string;
  /** Comma-separated on the wire; an array here. */
  eventTypeList?: string[];
  authSwitch?: 'on' | 'off';
  /** Secret: never logged. */
  authKey?: string;
}
export interface SetEventCallbackResponse extends IceResponse {
  success: boolean;
}
export interface GetEventCallbackResponse extends IceResponse {
  /** `HTTP` or `MNS`; '' when the account has no callback set. */
  callbackType: string;
  /** '' for an MNS setting. */
  callbackUrl: string;
  /** The MNS queue (name starts with `ice-callback-`); absent for an HTTP setting. */
  callbackQueueName?: string;
  eventTypeList: string[];
  authSwitch: 'on' | 'off';
  /** Secret as returned by ICE: callers must not print it. */
  authKey?: string;
}

/** The only code that speaks to Alibaba. Every method throws `IceError` on failure. */
export interface IceClient {
  createCustomizedVoiceJob(request: CreateCustomizedVoiceJobRequest): Promise<CreateCustomizedVoiceJobResponse>;
  getDemonstrationForCustomizedVoiceJob(request: GetDemonstrationRequest): Promise<GetDemonstrationResponse>;
  detectAudioForCustomizedVoiceJob(request: DetectAudioRequest): Promise<DetectAudioResponse>;
  submitCustomizedVoiceJob(request: SubmitCustomizedVoiceJobRequest): Promise<SubmitCustomizedVoiceJobResponse>;
  getCustomizedVoiceJob(request: GetCustomizedVoiceJobRequest): Promise<GetCustomizedVoiceJobResponse>;
  listCustomizedVoiceJobs(request: ListCustomizedVoiceJobsRequest): Promise<ListCustomizedVoiceJobsResponse>;
  getCustomizedVoice(request: GetCustomizedVoiceRequest): Promise<GetCustomizedVoiceResponse>;
  listCustomizedVoices(request: ListCustomizedVoicesRequest): Promise<ListCustomizedVoicesResponse>;
  setEventCallback(request: SetEventCallbackRequest): Promise<SetEventCallbackResponse>;
  getEventCallback(): Promise<GetEventCallbackResponse>;
  submitStandardCustomizedVoiceJob(
    request: SubmitStandardCustomizedVoiceJobRequest,
  ): Promise<SubmitStandardCustomizedVoiceJobResponse>;
  submitCosyVoiceCustomizedVoiceJob(
    request: SubmitCosyVoiceCustomizedVoiceJobRequest,
  ): Promise<SubmitCosyVoiceCustomizedVoiceJobResponse>;
  deleteCustomizedVoiceJob(request: DeleteCustomizedVoiceJobRequest): Promise<DeleteCustomizedVoiceJobResponse>;
  updateCustomizedVoice(request: UpdateCustomizedVoiceRequest): Promise<UpdateCustomizedVoiceResponse>;
}

/** The HTTP callback body as ICE posts it (docs/ice-api.md#callback-delivery). */
export interface IceCallbackEnvelope {
  EventType: string;
  UserId: number;
  EventTime: string;
  /** ASSUMPTION (docs/ice-api.md#callback-events): carries JobId, usually VoiceId and Status, maybe Message. */
  MessageBody: {
    JobId?: string;
    VoiceId?: string;
    Status?: string;
    Message?: string;
    [field: string]: unknown;
  };
}

/**
 * The event type the local emulator sends. ASSUMPTION (docs/ice-api.md#callback-events): real ICE's name is
 * undocumented; never depend on it.
 */
export const EMULATOR_VOICE_JOB_EVENT_TYPE = 'CustomizedVoiceJobComplete';
