/**
 * The typed ICE client: one method per voice-cloning operation, each building the same query parameters as the
 * official `@alicloud/ice20201109` SDK (`<op>WithOptions` in ice-20201109/src/client.ts) and sending them through
 * Alibaba's own signing transport (transport.ts). Every failure is an `IceError`; nothing here retries.
 */
import type { IceClientConfig } from '../config';
import { silentLogger, type Logger } from '../observability/logger';
import { iceErrorFromThrown, iceErrorFromUnsuccessfulBody } from './error-mapping';
import { IceError, INVALID_RESPONSE_CODE, MissingResponseFieldError } from './errors';
import * as map from './response-mapping';
import { createIceTransport, type IceQuery } from './transport';
import type { IceAction, IceClient } from './types';
import { requiredString, wireObject, WireShapeError, type WireObject } from './wire-reading';

export interface IceClientOptions {
  logger?: Logger;
}

/** Business parameters as strings, leaving out the ones not given (the SDK skips null fields). */
function query(fields: Record<string, string | number | undefined>): IceQuery {
  const out: IceQuery = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) out[key] = String(value);
  }
  return out;
}

/**
 * An answer with a RequestId came from ICE, so a field it lacks is ICE's answer to this request (bounded retries);
 * JSON without one (a gateway's or proxy's) stays a plain InvalidResponse.
 */
function shapeError(action: IceAction, thrown: WireShapeError, requestId: string | undefined): IceError {
  const message = `unexpected response shape: ${thrown.message}`;
  return requestId === undefined
    ? new IceError(action, INVALID_RESPONSE_CODE, message, 200)
    : new MissingResponseFieldError(action, thrown.field, message, requestId);
}

export function createIceClient(config: IceClientConfig, options: IceClientOptions = {}): IceClient {
  const transport = createIceTransport(config);
  const logger = (options.logger ?? silentLogger).child({ component: 'ice-client' });
  const configSecrets = [config.credentials?.accessKeySecret, config.credentials?.securityToken];

  async function call<T>(
    action: IceAction,
    params: IceQuery,
    mapBody: (body: WireObject, requestId: string) => T,
    callSecrets: readonly (string | undefined)[] = [],
  ): Promise<T> {
    const secrets = [...configSecrets, ...callSecrets];
    const startedAt = Date.now();
    let requestId: string | undefined;
    try {
      const response = await transport.call(action, params);
      const body = wireObject(response.body, 'response body');
      if (body.Success === false || body.Success === 'false') {
        throw iceErrorFromUnsuccessfulBody(action, response.statusCode, body, secrets);
      }
      requestId = requiredString(body, 'RequestId', 'body');
      const result = mapBody(body, requestId);
      logger.debug('ice call succeeded', { action, requestId, durationMs: Date.now() - startedAt });
      return result;
    } catch (thrown) {
      const error =
        thrown instanceof WireShapeError
          ? shapeError(action, thrown, requestId)
          : iceErrorFromThrown(action, thrown, secrets);
      logger.debug('ice call failed', {
        action,
        code: error.code,
        statusCode: error.statusCode,
        requestId: error.requestId,
        retryable: error.retryable,
        durationMs: Date.now() - startedAt,
      });
      throw error;
    }
  }

  return {
    createCustomizedVoiceJob: (request) =>
      call(
        'CreateCustomizedVoiceJob',
        query({
          Gender: request.gender,
          Scenario: request.scenario,
          VoiceDesc: request.voiceDesc,
          VoiceId: request.voiceId,
          VoiceName: request.voiceName,
        }),
        map.mapCreateCustomizedVoiceJob,
      ),

    getDemonstrationForCustomizedVoiceJob: (request) =>
      call('GetDemonstrationForCustomizedVoiceJob', query({ Scenario: request.scenario }), map.mapGetDemonstration),

    detectAudioForCustomizedVoiceJob: (request) =>
      call(
        'DetectAudioForCustomizedVoiceJob',
        query({ AudioRecordId: request.audioRecordId, RecordUrl: request.recordUrl, VoiceId: request.voiceId }),
        map.mapDetectAudio,
      ),

    submitCustomizedVoiceJob: (request) =>
      call(
        'SubmitCustomizedVoiceJob',
        // ICE spells it DemoAudioMediaURL (capital URL), unlike RecordUrl.
        query({ DemoAudioMediaURL: request.demoAudioMediaUrl, VoiceId: request.voiceId }),
        map.mapSubmitCustomizedVoiceJob,
      ),

    getCustomizedVoiceJob: (request) =>
      call('GetCustomizedVoiceJob', query({ JobId: request.jobId }), map.mapGetCustomizedVoiceJob),

    listCustomizedVoiceJobs: (request) =>
      call(
        'ListCustomizedVoiceJobs',
        query({ PageNo: request.pageNo, PageSize: request.pageSize, Type: request.type }),
        map.mapListCustomizedVoiceJobs,
      ),

    getCustomizedVoice: (request) =>
      call('GetCustomizedVoice', query({ VoiceId: request.voiceId }), map.mapGetCustomizedVoice),

    listCustomizedVoices: (request) =>
      call(
        'ListCustomizedVoices',
        query({ PageNo: request.pageNo, PageSize: request.pageSize, Type: request.type }),
        map.mapListCustomizedVoices,
      ),

    setEventCallback: (request) =>
      call(
        'SetEventCallback',
        query({
          AuthKey: request.authKey,
          AuthSwitch: request.authSwitch,
          CallbackType: request.callbackType,
          CallbackURL: request.callbackUrl,
          EventTypeList: request.eventTypeList?.join(','),
        }),
        map.mapSetEventCallback,
        [request.authKey],
      ),

    getEventCallback: () => call('GetEventCallback', {}, map.mapGetEventCallback),

    submitStandardCustomizedVoiceJob: (request) =>
      call(
        'SubmitStandardCustomizedVoiceJob',
        query({
          Audios: request.audios.join(','),
          Authentication: request.authentication,
          DemoAudioMediaURL: request.demoAudioMediaUrl,
          Gender: request.gender,
          VoiceName: request.voiceName,
        }),
        map.mapSubmitStandardCustomizedVoiceJob,
      ),

    submitCosyVoiceCustomizedVoiceJob: (request) =>
      call(
        'SubmitCosyVoiceCustomizedVoiceJob',
        query({
          Audios: request.audios,
          DemoAudioMediaURL: request.demoAudioMediaUrl,
          Gender: request.gender,
          Model: request.model,
          VoiceName: request.voiceName,
        }),
        map.mapSubmitCosyVoiceCustomizedVoiceJob,
      ),

    deleteCustomizedVoiceJob: (request) =>
      call('DeleteCustomizedVoiceJob', query({ JobId: request.jobId }), map.mapAcknowledgement),

    updateCustomizedVoice: (request) =>
      call(
        'UpdateCustomizedVoice',
        query({ DemoAudioMediaId: request.demoAudioMediaId, VoiceId: request.voiceId }),
        map.mapAcknowledgement,
      ),
  };
}
