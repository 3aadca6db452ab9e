/**
 * ICE's PascalCase response bodies → the camelCase types of types.ts. Field names follow the official SDK's
 * response models (ice-20201109/src/models/*ResponseBody.ts). `requestId` is passed in by the caller.
 */
import {
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
  type SubmitCosyVoiceCustomizedVoiceJobResponse,
  type SubmitStandardCustomizedVoiceJobResponse,
  type IceResponse,
} from './types';
import {
  optionalString,
  requiredBoolean,
  requiredNumber,
  requiredString,
  wireList,
  wireObject,
  type WireObject,
} from './wire-reading';

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
  // The JobId is what the clone needs; the VoiceId it already knows.
  return { requestId, jobId: requiredString(d, 'JobId', 'Data'), voiceId: optionalString(d, 'VoiceId') };
}

/** Standard's answer is `Data{JobId}`: ICE assigns the VoiceId later, GetCustomizedVoiceJob shows it. */
export function mapSubmitStandardCustomizedVoiceJob(
  body: WireObject,
  requestId: string,
): SubmitStandardCustomizedVoiceJobResponse {
  return { requestId, jobId: requiredString(data(body), 'JobId', 'Data') };
}

/** CosyVoice answers `Data{JobId, VoiceId}`; the JobId is required as for Basic, the VoiceId is also in the job. */
export function mapSubmitCosyVoiceCustomizedVoiceJob(
  body: WireObject,
  requestId: string,
): SubmitCosyVoiceCustomizedVoiceJobResponse {
  const d = data(body);
  return { requestId, jobId: requiredString(d, 'JobId', 'Data'), voiceId: optionalString(d, 'VoiceId') };
}

/** DeleteCustomizedVoiceJob and UpdateCustomizedVoice answer `{RequestId, Success}` only. */
export function mapAcknowledgement(_body: WireObject, requestId: string): IceResponse {
  return { requestId };
}

/**
 * Identity (JobId, VoiceId) is required; Status where one job is read (a list item without one must not fail the
 * whole page: the lookup checks the item it uses); the rest is descriptive text (docs/ice-api.md#job-fields).
 */
function mapJob(item: WireObject, path: string, statusRequired: boolean): CustomizedVoiceJob {
  const job: CustomizedVoiceJob = {
    jobId: requiredString(item, 'JobId', path),
    voiceId: requiredString(item, 'VoiceId', path),
    status: statusRequired ? requiredString(item, 'Status', path) : optionalString(item, 'Status'),
    message: optionalString(item, 'Message'),
    type: optionalString(item, 'Type'),
    voiceName: optionalString(item, 'VoiceName'),
    voiceDesc: optionalString(item, 'VoiceDesc'),
    scenario: optionalString(item, 'Scenario'),
    gender: optionalString(item, 'Gender'),
    createTime: optionalString(item, 'CreateTime'),
  };
  if (typeof item.GmtCreate === 'string') job.gmtCreate = item.GmtCreate;
  return job;
}

export function mapGetCustomizedVoiceJob(body: WireObject, requestId: string): GetCustomizedVoiceJobResponse {
  const job = wireObject(data(body).CustomizedVoiceJob, 'Data.CustomizedVoiceJob');
  return { requestId, customizedVoiceJob: mapJob(job, 'Data.CustomizedVoiceJob', true) };
}

export function mapListCustomizedVoiceJobs(body: WireObject, requestId: string): ListCustomizedVoiceJobsResponse {
  const d = data(body);
  return {
    requestId,
    customizedVoiceJobList: wireList(d, 'CustomizedVoiceJobList', 'Data').map((item, index) =>
      mapJob(item, `Data.CustomizedVoiceJobList[${index}]`, false),
    ),
    totalCount: requiredNumber(d, 'TotalCount', 'Data'),
  };
}

function mapVoice(item: WireObject, path: string): CustomizedVoice {
  return {
    voiceId: requiredString(item, 'VoiceId', path),
    voiceName: optionalString(item, 'VoiceName'),
    voiceDesc: optionalString(item, 'VoiceDesc'),
    gender: optionalString(item, 'Gender'),
    scenario: optionalString(item, 'Scenario'),
    demoAudioMediaId: optionalString(item, 'DemoAudioMediaId'),
    ...(typeof item.Type === 'string' ? { type: item.Type } : {}),
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
  const callbackQueueName = optionalString(body, 'CallbackQueueName');
  if (callbackQueueName !== '') response.callbackQueueName = callbackQueueName;
  return response;
}
