/**
 * The wire form of each IceClient method: its ICE action, the query parameters it sends (named and spelled as the
 * official `@alicloud/ice20201109` SDK's `<op>WithOptions` builds them), how its answer maps, and which request
 * fields are secrets to scrub from errors. One row per operation; the client sends every row the same way.
 */
import * as map from './response-mapping';
import type { IceQuery } from './transport';
import type { IceAction, IceClient } from './types';
import type { WireObject } from './wire-reading';

/** What an IceClient method takes (`undefined` for one that takes nothing). */
export type IceRequestOf<K extends keyof IceClient> = Parameters<IceClient[K]>[0];
/** What an IceClient method resolves to. */
export type IceResponseOf<K extends keyof IceClient> = Awaited<ReturnType<IceClient[K]>>;

/** One ICE operation on the wire. */
export interface IceOperation<Request, Response> {
  action: IceAction;
  query(request: Request): IceQuery;
  mapBody(body: WireObject, requestId: string): Response;
  /** Request fields that must never appear in an error or log (the config's own secrets are always scrubbed). */
  secrets?(request: Request): readonly (string | undefined)[];
}

/** Business parameters as strings, leaving out the ones not given (the SDK skips null fields). */
function query(fields: Record<string, string | number | undefined>): IceQuery {
  const out: IceQuery = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) out[key] = String(value);
  }
  return out;
}

function pageQuery(request: { pageNo?: number; pageSize?: number; type?: string }): IceQuery {
  return query({ PageNo: request.pageNo, PageSize: request.pageSize, Type: request.type });
}

/** Every IceClient method's wire form, by method name. */
export const ICE_OPERATIONS: { [K in keyof IceClient]: IceOperation<IceRequestOf<K>, IceResponseOf<K>> } = {
  createCustomizedVoiceJob: {
    action: 'CreateCustomizedVoiceJob',
    query: (request) =>
      query({
        Gender: request.gender,
        Scenario: request.scenario,
        VoiceDesc: request.voiceDesc,
        VoiceId: request.voiceId,
        VoiceName: request.voiceName,
      }),
    mapBody: map.mapCreateCustomizedVoiceJob,
  },
  getDemonstrationForCustomizedVoiceJob: {
    action: 'GetDemonstrationForCustomizedVoiceJob',
    query: (request) => query({ Scenario: request.scenario }),
    mapBody: map.mapGetDemonstration,
  },
  detectAudioForCustomizedVoiceJob: {
    action: 'DetectAudioForCustomizedVoiceJob',
    query: (request) =>
      query({ AudioRecordId: request.audioRecordId, RecordUrl: request.recordUrl, VoiceId: request.voiceId }),
    mapBody: map.mapDetectAudio,
  },
  submitCustomizedVoiceJob: {
    action: 'SubmitCustomizedVoiceJob',
    // ICE spells it DemoAudioMediaURL (capital URL), unlike RecordUrl.
    query: (request) => query({ DemoAudioMediaURL: request.demoAudioMediaUrl, VoiceId: request.voiceId }),
    mapBody: map.mapSubmitCustomizedVoiceJob,
  },
  getCustomizedVoiceJob: {
    action: 'GetCustomizedVoiceJob',
    query: (request) => query({ JobId: request.jobId }),
    mapBody: map.mapGetCustomizedVoiceJob,
  },
  listCustomizedVoiceJobs: {
    action: 'ListCustomizedVoiceJobs',
    query: pageQuery,
    mapBody: map.mapListCustomizedVoiceJobs,
  },
  getCustomizedVoice: {
    action: 'GetCustomizedVoice',
    query: (request) => query({ VoiceId: request.voiceId }),
    mapBody: map.mapGetCustomizedVoice,
  },
  listCustomizedVoices: {
    action: 'ListCustomizedVoices',
    query: pageQuery,
    mapBody: map.mapListCustomizedVoices,
  },
  setEventCallback: {
    action: 'SetEventCallback',
    // CallbackURL, AuthSwitch and AuthKey only for HTTP, CallbackQueueName only for MNS, as the fields' rules say.
    query: (request) =>
      request.callbackType === 'MNS'
        ? query({
            CallbackQueueName: request.callbackQueueName,
            CallbackType: request.callbackType,
            EventTypeList: request.eventTypeList?.join(','),
          })
        : query({
            AuthKey: request.authKey,
            AuthSwitch: request.authSwitch,
            CallbackType: request.callbackType,
            CallbackURL: request.callbackUrl,
            EventTypeList: request.eventTypeList?.join(','),
          }),
    mapBody: map.mapSetEventCallback,
    secrets: (request) => (request.callbackType === 'HTTP' ? [request.authKey] : []),
  },
  getEventCallback: {
    action: 'GetEventCallback',
    query: () => ({}),
    mapBody: map.mapGetEventCallback,
  },
  submitStandardCustomizedVoiceJob: {
    action: 'SubmitStandardCustomizedVoiceJob',
    query: (request) =>
      query({
        Audios: request.audios.join(','),
        Authentication: request.authentication,
        DemoAudioMediaURL: request.demoAudioMediaUrl,
        Gender: request.gender,
        VoiceName: request.voiceName,
      }),
    mapBody: map.mapSubmitStandardCustomizedVoiceJob,
  },
  submitCosyVoiceCustomizedVoiceJob: {
    action: 'SubmitCosyVoiceCustomizedVoiceJob',
    query: (request) =>
      query({
        Audios: request.audios,
        DemoAudioMediaURL: request.demoAudioMediaUrl,
        Gender: request.gender,
        Model: request.model,
        VoiceName: request.voiceName,
      }),
    mapBody: map.mapSubmitCosyVoiceCustomizedVoiceJob,
  },
  deleteCustomizedVoiceJob: {
    action: 'DeleteCustomizedVoiceJob',
    query: (request) => query({ JobId: request.jobId }),
    mapBody: map.mapAcknowledgement,
  },
  updateCustomizedVoice: {
    action: 'UpdateCustomizedVoice',
    query: (request) => query({ DemoAudioMediaId: request.demoAudioMediaId, VoiceId: request.voiceId }),
    mapBody: map.mapAcknowledgement,
  },
};
