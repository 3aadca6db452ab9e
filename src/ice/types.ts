/**
 * Typed shapes of the ICE (2020-11-09) voice-cloning operations, camelCase like the official SDK's models.
 * Wire names (PascalCase) live only in the client and the emulator. The facts behind them: docs/ice-api.md.
 */

export const ICE_API_VERSION = '2020-11-09';

/** The ICE operations (RPC actions) this package calls and the emulator answers. */
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
/** One of `ICE_ACTIONS`. */
export type IceAction = (typeof ICE_ACTIONS)[number];

/** The gender of a voice as ICE spells it. */
export type VoiceGender = 'female' | 'male';
/** A Basic voice's scenario as ICE spells it: it picks the sentences to record. */
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
/** One of `COSYVOICE_MODELS`. */
export type CosyVoiceModel = (typeof COSYVOICE_MODELS)[number];

/** The Status values ICE documents for a voice job, in the order a job goes through them. */
export const VOICE_JOB_STATUSES = [
  'Initialization',
  'AudioDetecting',
  'PreTraining',
  'Training',
  'Success',
  'Fail',
] as const;
/** One of `VOICE_JOB_STATUSES`. */
export type VoiceJobStatus = (typeof VOICE_JOB_STATUSES)[number];
/** The Statuses after which a job does not change. */
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

/** What `IceClient.createCustomizedVoiceJob` sends. */
export interface CreateCustomizedVoiceJobRequest {
  voiceId: string;
  gender: VoiceGender;
  scenario: VoiceScenario;
  voiceName?: string;
  voiceDesc?: string;
}
/** What `IceClient.createCustomizedVoiceJob` resolves to. */
export interface CreateCustomizedVoiceJobResponse extends IceResponse {
  voiceId: string;
  jobId: string;
}

/** What `IceClient.getDemonstrationForCustomizedVoiceJob` sends. */
export interface GetDemonstrationRequest {
  scenario: VoiceScenario;
}
/** One sentence a Basic voice's speaker reads: its id, text and ICE's example recording URL. */
export interface Demonstration {
  audioId: number;
  text: string;
  demoAudio: string;
}
/** What `IceClient.getDemonstrationForCustomizedVoiceJob` resolves to. */
export interface GetDemonstrationResponse extends IceResponse {
  demonstrationList: Demonstration[];
}

/** What `IceClient.detectAudioForCustomizedVoiceJob` sends. */
export interface DetectAudioRequest {
  voiceId: string;
  recordUrl: string;
  audioRecordId: number;
}
/** What `IceClient.detectAudioForCustomizedVoiceJob` resolves to. */
export interface DetectAudioResponse extends IceResponse {
  pass: boolean;
  reason: string;
}

/** What `IceClient.submitCustomizedVoiceJob` sends. */
export interface SubmitCustomizedVoiceJobRequest {
  voiceId: string;
  demoAudioMediaUrl?: string;
}
/** What `IceClient.submitCustomizedVoiceJob` resolves to. */
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
/** What `IceClient.submitStandardCustomizedVoiceJob` resolves to. */
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
/** What `IceClient.submitCosyVoiceCustomizedVoiceJob` resolves to. */
export interface SubmitCosyVoiceCustomizedVoiceJobResponse extends IceResponse {
  jobId: string;
  /** The VoiceId ICE assigned (e.g. `Voice-l*****`); '' when ICE leaves it out (GetCustomizedVoiceJob has it). */
  voiceId: string;
}

/** ICE refuses it for a job in Training or Success (docs/ice-api.md#voice-lifecycle-basic). */
export interface DeleteCustomizedVoiceJobRequest {
  jobId: string;
}
/** What `IceClient.deleteCustomizedVoiceJob` resolves to. */
export type DeleteCustomizedVoiceJobResponse = IceResponse;

/** Changes only the voice's demo audio (docs/ice-api.md#voice-lifecycle-basic). */
export interface UpdateCustomizedVoiceRequest {
  voiceId: string;
  demoAudioMediaId: string;
}
/** What `IceClient.updateCustomizedVoice` resolves to. */
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
/** What `IceClient.getCustomizedVoiceJob` sends. */
export interface GetCustomizedVoiceJobRequest {
  jobId: string;
}
/** What `IceClient.getCustomizedVoiceJob` resolves to. */
export interface GetCustomizedVoiceJobResponse extends IceResponse {
  customizedVoiceJob: CustomizedVoiceJob;
}

/** What `IceClient.listCustomizedVoiceJobs` sends. */
export interface ListCustomizedVoiceJobsRequest {
  pageNo?: number;
  /** ≤ 100, default 10 */
  pageSize?: number;
  type?: VoiceJobType;
}
/** What `IceClient.listCustomizedVoiceJobs` resolves to. */
export interface ListCustomizedVoiceJobsResponse extends IceResponse {
  customizedVoiceJobList: CustomizedVoiceJob[];
  totalCount: number;
}

/** A voice as ICE reports it (GetCustomizedVoice, ListCustomizedVoices). */
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
/** What `IceClient.getCustomizedVoice` sends. */
export interface GetCustomizedVoiceRequest {
  voiceId: string;
}
/** What `IceClient.getCustomizedVoice` resolves to. */
export interface GetCustomizedVoiceResponse extends IceResponse {
  customizedVoice: CustomizedVoice;
}

/** What `IceClient.listCustomizedVoices` sends. */
export interface ListCustomizedVoicesRequest {
  type?: VoiceJobType;
  pageNo?: number;
  pageSize?: number;
}
/** What `IceClient.listCustomizedVoices` resolves to. */
export interface ListCustomizedVoicesResponse extends IceResponse {
  customizedVoiceList: CustomizedVoice[];
  totalCount: number;
}

/** `SetEventCallback` for HTTP delivery: ICE posts each event to the URL (docs/ice-api.md#callback-setting). */
export interface SetHttpEventCallbackRequest {
  callbackType: 'HTTP';
  /** At most 256 bytes. */
  callbackUrl: string;
  /** Comma-separated on the wire; an array here. */
  eventTypeList?: string[];
  authSwitch?: 'on' | 'off';
  /** Secret: never logged. */
  authKey?: string;
}
/**
 * `SetEventCallback` for queue delivery: ICE writes each event into the MNS (SMQ) queue of its region; no URL, and
 * AuthSwitch and AuthKey take effect only for HTTP, so none is sent (docs/ice-api.md#callback-setting).
 */
export interface SetMnsEventCallbackRequest {
  callbackType: 'MNS';
  /** Starts with `ice-callback-` (`iceCallbackQueueNameProblem`). */
  callbackQueueName: string;
  /** Comma-separated on the wire; an array here. */
  eventTypeList?: string[];
}
/** What `IceClient.setEventCallback` sends: an HTTP or an MNS setting. */
export type SetEventCallbackRequest = SetHttpEventCallbackRequest | SetMnsEventCallbackRequest;
/** What `IceClient.setEventCallback` resolves to. */
export interface SetEventCallbackResponse extends IceResponse {
  success: boolean;
}
/** What `IceClient.getEventCallback` resolves to. */
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
