/**
 * ICE's PascalCase response bodies → the camelCase types of types.ts. Field names follow the official SDK's
 * response models (ice-20201109/src/models/*ResponseBody.ts). `requestId` is passed in by the caller.
 */
import {
  VOICE_JOB_STATUSES,
  type CreateCustomizedVoiceJobResponse,
  type CustomizedVoice,
  type CustomizedVoiceJob,
  type DetectAudioResponse,
  type GetCustomizedVoiceJobResponse,
  type GetCustomizedVoiceResponse,
  type GetDemonstrationResponse,
  type GetEventCallbackResponse,
  type ListCustomizedVoiceJobsResponse,
  type ListCustomizedVoicesResponse,
  type SetEventCallbackResponse,
  type SubmitCustomizedVoiceJobResponse,
  type VoiceGender,
  type VoiceJobType,
  type VoiceScenario,
} from './types';
import {
  optionalString,
  requiredBoolean,
  requiredNumber,
  requiredOneOf,
  requiredString,
  wireList,
  wireObject,
  type WireObject,
} from './wire-reading';

const GENDERS: readonly VoiceGender[] = ['female', 'male'];
const SCENARIOS: readonly VoiceScenario[] = ['story', 'interaction', 'navigation'];
const JOB_TYPES: readonly VoiceJobType[] = ['Basic', 'Standard'];

function data(body: WireObject): WireObject {
  return wireObject(body.Data, 'Data');
}

export function mapCreateCustomizedVoiceJob(body: WireObject, requestId: string): CreateCustomizedVoiceJobResponse {
  const d = data(body);
  return { requestId, voiceId: requiredString(d, 'VoiceId', 'Data'), jobId: requiredString(d, 'JobId', 'Data') };
}

export function mapGetDemonstration(body: WireObject, requestId: string): GetDemonstrationResponse {
  const path = 'Data.DemonstrationList';
  return {
    requestId,
    demonstrationList: wireList(data(body), 'DemonstrationList', 'Data').map((item) => ({
      audioId: requiredNumber(item, 'AudioId', path),
      text: optionalString(item, 'Text'),
      demoAudio: optionalString(item, 'DemoAudio'),
    })),
  };
}

export function mapDetectAudio(body: WireObject, requestId: string): DetectAudioResponse {
  const d = data(body);
  return { requestId, pass: requiredBoolean(d, 'Pass', 'Data'), reason: optionalString(d, 'Reason') };
}

export function mapSubmitCustomizedVoiceJob(body: WireObject, requestId: string): SubmitCustomizedVoiceJobResponse {
  const d = data(body);
  return { requestId, jobId: requiredString(d, 'JobId', 'Data'), voiceId: requiredString(d, 'VoiceId', 'Data') };
}

function mapJob(item: WireObject, path: string): CustomizedVoiceJob {
  const job: CustomizedVoiceJob = {
    jobId: requiredString(item, 'JobId', path),
    voiceId: requiredString(item, 'VoiceId', path),
    status: requiredOneOf(item, 'Status', VOICE_JOB_STATUSES, path),
    message: optionalString(item, 'Message'),
    type: requiredOneOf(item, 'Type', JOB_TYPES, path),
    voiceName: optionalString(item, 'VoiceName'),
    voiceDesc: optionalString(item, 'VoiceDesc'),
    scenario: requiredOneOf(item, 'Scenario', SCENARIOS, path),
    gender: requiredOneOf(item, 'Gender', GENDERS, path),
    createTime: optionalString(item, 'CreateTime'),
  };
  if (typeof item.GmtCreate === 'string') job.gmtCreate = item.GmtCreate;
  return job;
}

export function mapGetCustomizedVoiceJob(body: WireObject, requestId: string): GetCustomizedVoiceJobResponse {
  const job = wireObject(data(body).CustomizedVoiceJob, 'Data.CustomizedVoiceJob');
  return { requestId, customizedVoiceJob: mapJob(job, 'Data.CustomizedVoiceJob') };
}

export function mapListCustomizedVoiceJobs(body: WireObject, requestId: string): ListCustomizedVoiceJobsResponse {
  const d = data(body);
  return {
    requestId,
    customizedVoiceJobList: wireList(d, 'CustomizedVoiceJobList', 'Data').map((item, index) =>
      mapJob(item, `Data.CustomizedVoiceJobList[${index}]`),
    ),
    totalCount: requiredNumber(d, 'TotalCount', 'Data'),
  };
}

function mapVoice(item: WireObject, path: string): CustomizedVoice {
  return {
    voiceId: requiredString(item, 'VoiceId', path),
    voiceName: optionalString(item, 'VoiceName'),
    voiceDesc: optionalString(item, 'VoiceDesc'),
    gender: requiredOneOf(item, 'Gender', GENDERS, path),
    scenario: requiredOneOf(item, 'Scenario', SCENARIOS, path),
    demoAudioMediaId: optionalString(item, 'DemoAudioMediaId'),
  };
}

export function mapGetCustomizedVoice(body: WireObject, requestId: string): GetCustomizedVoiceResponse {
  const voice = wireObject(data(body).CustomizedVoice, 'Data.CustomizedVoice');
  return { requestId, customizedVoice: mapVoice(voice, 'Data.CustomizedVoice') };
}

export function mapListCustomizedVoices(body: WireObject, requestId: string): ListCustomizedVoicesResponse {
  const d = data(body);
  return {
    requestId,
    customizedVoiceList: wireList(d, 'CustomizedVoiceList', 'Data').map((item, index) =>
      mapVoice(item, `Data.CustomizedVoiceList[${index}]`),
    ),
    totalCount: requiredNumber(d, 'TotalCount', 'Data'),
  };
}

export function mapSetEventCallback(body: WireObject, requestId: string): SetEventCallbackResponse {
  // The client already turned `Success: false` into an IceError; absent means the call was accepted.
  return { requestId, success: body.Success === undefined ? true : requiredBoolean(body, 'Success', 'body') };
}

/** GetEventCallback answers at the top level (no `Data`), as the SDK's GetEventCallbackResponseBody shows. */
export function mapGetEventCallback(body: WireObject, requestId: string): GetEventCallbackResponse {
  const authSwitch = optionalString(body, 'AuthSwitch') === 'on' ? 'on' : 'off';
  const response: GetEventCallbackResponse = {
    requestId,
    callbackType: optionalString(body, 'CallbackType'),
    callbackUrl: optionalString(body, 'CallbackURL'),
    eventTypeList: optionalString(body, 'EventTypeList')
      .split(',')
      .map((eventType) => eventType.trim())
      .filter((eventType) => eventType !== ''),
    authSwitch,
  };
  const authKey = optionalString(body, 'AuthKey');
  if (authKey !== '') response.authKey = authKey;
  return response;
}
