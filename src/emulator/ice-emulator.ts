/**
 * The local ICE emulator: one HTTP server that answers `POST /` like ICE (signature check, faults, the voice jobs
 * of three editions on one job clock, callbacks) and serves the admin API under /__emulator.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorConfig } from '../config';
import { EMULATOR_VOICE_JOB_EVENT_TYPE } from '../ice/types';
import type { Logger } from '../observability/logger';
import {
  EMULATOR_ADMIN_PREFIX,
  type CallbackDelivery,
  type CosyVoiceJobType,
  type EmulatedJobCounts,
  type EmulatedVoiceJob,
  type EmulatorSettings,
  type EventDispatchResult,
  type FaultConfig,
  type IceEventInput,
  type RecordedCall,
} from './admin-api';
import { routeAdmin, type AdminTarget } from './admin-routes';
import { CallbackDispatcher, type CallbackTiming } from './callback-dispatcher';
import { VOICEPRINT_MISMATCH_MARKER, VOICEPRINT_MISMATCH_MESSAGE } from './edition-rules';
import { FaultController } from './fault-controller';
import { performIceAction, type EventCallbackSettings } from './ice-operations';
import { statusAt, TrainingClock } from './job-clock';
import { NonceStore, verifySignedRequest } from './request-auth';
import { loadStateFile, StateFileWriter } from './state-file';
import { iceTime, publicJobView, VoiceJobBook, type StoredJob, type TrainingOutcome } from './voice-job-book';
import { IceWireError, recommendUrl } from './wire-error';

const MAX_BODY_BYTES = 1_048_576;
/** Parameters whose values never reach the call log. */
const SECRET_PARAMS = new Set(['AuthKey']);
/** Operations that change state (and so trigger a state-file write). */
const MUTATING_ACTIONS = new Set([
  'CreateCustomizedVoiceJob',
  'DetectAudioForCustomizedVoiceJob',
  'SubmitCustomizedVoiceJob',
  'SubmitStandardCustomizedVoiceJob',
  'SubmitCosyVoiceCustomizedVoiceJob',
  'DeleteCustomizedVoiceJob',
  'UpdateCustomizedVoice',
  'SetEventCallback',
]);

export const TRAINING_FAILED_MESSAGE = 'Training failed: the recordings could not be used to train a voice.';

type RecordedFault = RecordedCall['fault'];

/** Query strings and form bodies: `+` means space, `%XX` decodes as UTF-8. */
export function parseUrlEncoded(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    params[decodeURIComponent(rawName.replace(/\+/g, ' '))] = decodeURIComponent(rawValue.replace(/\+/g, ' '));
  }
  return params;
}

export class IceEmulator implements AdminTarget {
  private readonly server: http.Server;
  private readonly book = new VoiceJobBook();
  private readonly faultController: FaultController;
  private readonly dispatcher: CallbackDispatcher;
  private readonly nonces = new NonceStore();
  private readonly recordedCalls: RecordedCall[] = [];
  /** The one place where training ends (with its callback): see ./job-clock.ts. */
  private readonly clock: TrainingClock<StoredJob>;
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly stateWriter: StateFileWriter | undefined;
  private eventCallback: EventCallbackSettings | undefined;
  private trainingMs: number;
  private lowerCaseCallbackKey = false;
  private cosyVoiceJobType: CosyVoiceJobType;
  private callSeq = 0;
  private closed = false;

  constructor(
    private readonly config: EmulatorConfig,
    faults: FaultConfig,
    private readonly logger: Logger,
    callbackTiming?: CallbackTiming,
    settings: Partial<EmulatorSettings> = {},
  ) {
    this.trainingMs = config.trainingMs;
    this.lowerCaseCallbackKey = settings.lowerCaseCallbackKey ?? false;
    this.cosyVoiceJobType = settings.cosyVoiceJobType ?? 'CosyVoice';
    this.clock = new TrainingClock(
      () => this.trainingMs,
      (job) => this.endTraining(job, this.trainingOutcome(job)),
    );
    this.faultController = new FaultController(faults);
    this.dispatcher = new CallbackDispatcher(
      this.faultController,
      logger,
      callbackTiming,
      () => this.lowerCaseCallbackKey,
    );
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // Node closes an idle keep-alive connection after 5 s, racing a client that reuses it at that moment (seen as
    // ECONNRESET under load in the bench, and a needless submit retry). Hold idle connections longer, as a cloud
    // endpoint behind a load balancer does (ASSUMPTION: ICE's own idle timeout is not documented).
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.stateWriter = config.stateFile
      ? new StateFileWriter(
          config.stateFile,
          () => ({ version: 1, book: this.book.snapshot(), eventCallback: this.eventCallback }),
          (error) => this.logger.error('state file write failed', { error: error as Error }),
        )
      : undefined;
  }

  async start(): Promise<number> {
    if (this.config.stateFile) {
      const state = await loadStateFile(this.config.stateFile);
      if (state) {
        this.book.restore(state.book);
        this.clock.addAll(this.book.trainingJobs());
        this.eventCallback = state.eventCallback;
        this.logger.info('emulator state loaded', { stateFile: this.config.stateFile, jobs: state.book.jobs.length });
      }
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    // Training that ended while the emulator was down ends now, with its callback.
    this.clock.settle();
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.stop();
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve();
    }
    this.waits.clear();
    await this.dispatcher.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.stateWriter?.stop();
  }

  // ------------------------------------------------------------------ admin target

  calls(): RecordedCall[] {
    return structuredClone(this.recordedCalls);
  }
  clearCalls(): void {
    this.recordedCalls.length = 0;
  }
  faults(): FaultConfig {
    return this.faultController.current();
  }
  setFaults(faults: FaultConfig): void {
    this.faultController.replace(faults);
  }
  settings(): EmulatorSettings {
    return {
      trainingMs: this.trainingMs,
      lowerCaseCallbackKey: this.lowerCaseCallbackKey,
      cosyVoiceJobType: this.cosyVoiceJobType,
    };
  }
  updateSettings(settings: Partial<EmulatorSettings>): EmulatorSettings {
    if (settings.lowerCaseCallbackKey !== undefined) this.lowerCaseCallbackKey = settings.lowerCaseCallbackKey;
    if (settings.cosyVoiceJobType !== undefined) this.cosyVoiceJobType = settings.cosyVoiceJobType;
    if (settings.trainingMs !== undefined) {
      // Every training job is measured against the new time from its own submit: some may be over already.
      this.trainingMs = settings.trainingMs;
      this.clock.settle();
    }
    return this.settings();
  }
  jobs(): EmulatedVoiceJob[] {
    const nowMs = Date.now();
    this.clock.settle(nowMs);
    return this.book
      .listJobs()
      .reverse()
      .map((job) => publicJobView(job, statusAt(job, nowMs, this.trainingMs)));
  }
  jobCounts(): EmulatedJobCounts {
    const nowMs = Date.now();
    this.clock.settle(nowMs);
    return this.book.countJobs((job) => statusAt(job, nowMs, this.trainingMs));
  }
  callbacks(): CallbackDelivery[] {
    return this.dispatcher.deliveries();
  }
  sendEvent(event: IceEventInput): EventDispatchResult {
    return this.dispatcher.dispatch(
      {
        eventType: event.eventType,
        userId: event.userId ?? this.config.userId,
        eventTime: event.eventTime ?? iceTime(Date.now()),
        messageBody: event.messageBody,
      },
      this.eventCallback,
    );
  }
  finishJob(
    jobId: string,
    outcome: { status?: 'Success' | 'Fail'; message?: string },
  ): 'finished' | 'unknown' | 'not-training' {
    const job = this.book.findJob(jobId);
    if (!job) return 'unknown';
    const status = outcome.status ?? this.trainingOutcome(job).status;
    const message = outcome.message ?? (status === 'Fail' ? TRAINING_FAILED_MESSAGE : '');
    return this.endTraining(job, { status, message }) ? 'finished' : 'not-training';
  }
  flushCallbacks(): void {
    this.dispatcher.flush();
  }
  reset(): void {
    this.clock.clear();
    this.book.clear();
    this.recordedCalls.length = 0;
    this.dispatcher.clear();
    this.faultController.replace({});
    this.nonces.clear();
    this.stateWriter?.markDirty();
  }

  // ------------------------------------------------------------------ training

  /** The deterministic rules, decided when training ends (so faults set meanwhile count). */
  private trainingOutcome(job: StoredJob): TrainingOutcome {
    if (job.edition === 'Standard' && job.authenticationMediaId?.includes(VOICEPRINT_MISMATCH_MARKER)) {
      return { status: 'Fail', message: VOICEPRINT_MISMATCH_MESSAGE };
    }
    return this.faultController.failsTraining(job)
      ? { status: 'Fail', message: TRAINING_FAILED_MESSAGE }
      : { status: 'Success', message: '' };
  }

  /** Commits a job's ending and fires its callback: called by the clock when training is over, or by the admin API. */
  private endTraining(job: StoredJob, outcome: TrainingOutcome): boolean {
    const nowMs = Date.now();
    if (!this.book.finish(job.jobId, outcome, nowMs)) return false;
    this.clock.remove(job.jobId);
    this.stateWriter?.markDirty();
    this.logger.info('voice job ended', { jobId: job.jobId, voiceId: job.voiceId, status: job.status });
    this.dispatcher.dispatch(
      {
        eventType: EMULATOR_VOICE_JOB_EVENT_TYPE,
        userId: this.config.userId,
        eventTime: iceTime(nowMs),
        messageBody: { JobId: job.jobId, VoiceId: job.voiceId, Status: job.status, Message: job.message },
      },
      this.eventCallback,
    );
    return true;
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      const rawUrl = req.url ?? '/';
      const queryIndex = rawUrl.indexOf('?');
      const path = queryIndex < 0 ? rawUrl : rawUrl.slice(0, queryIndex);
      if (path === EMULATOR_ADMIN_PREFIX || path.startsWith(`${EMULATOR_ADMIN_PREFIX}/`)) {
        this.handleAdmin(req, res, path.slice(EMULATOR_ADMIN_PREFIX.length) || '/', body);
        return;
      }
      await this.handleIce(req, res, path, queryIndex < 0 ? '' : rawUrl.slice(queryIndex + 1), body);
    } catch (error) {
      this.logger.error('emulator request failed', { error: error as Error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'emulator internal error' }));
    }
  }

  private handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string, body: Buffer): void {
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'body must be JSON' }));
      return;
    }
    const answer = routeAdmin(this, req.method ?? 'GET', path, parsed);
    if (answer.body === undefined) {
      res.writeHead(answer.status);
      res.end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  private async handleIce(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    rawQuery: string,
    body: Buffer,
  ): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const action = String(req.headers['x-acs-action'] ?? '');
    let params: Record<string, string> = {};
    let fault: RecordedFault;
    let status = 200;
    let responseBody: Record<string, unknown>;
    let closeSocket = false;
    let performed = false;
    try {
      if (req.method !== 'POST' && req.method !== 'GET') {
        throw new IceWireError(405, 'UnsupportedHTTPMethod', `HTTP method ${req.method} is not supported.`);
      }
      if (path !== '/') {
        throw new IceWireError(
          404,
          'InvalidAction.NotFound',
          'Specified api is not found, please check your url and method.',
        );
      }
      let query: Record<string, string>;
      try {
        query = parseUrlEncoded(rawQuery);
        params = { ...formParams(req, body), ...query };
      } catch {
        throw new IceWireError(400, 'InvalidParameter', 'The query string is not well-formed percent-encoding.');
      }
      verifySignedRequest(
        { method: req.method, path, query, headers: req.headers, body },
        this.config.keyPairs,
        this.nonces,
        Date.now(),
      );

      const latencyMs = this.faultController.latencyMs(action);
      if (latencyMs > 0) {
        fault = 'latency';
        await this.wait(latencyMs);
        if (this.closed) return;
      }
      if (this.faultController.fires(action, 'throttle')) {
        fault = 'throttle';
        throw new IceWireError(400, 'Throttling.User', 'Request was denied due to user flow control.');
      }
      if (this.faultController.fires(action, 'serverError')) {
        fault = 'serverError';
        throw new IceWireError(
          503,
          'ServiceUnavailable',
          'The request has failed due to a temporary failure of the server.',
        );
      }
      // Every ending due by now is committed (with its callback) before this request looks at any job.
      const nowMs = Date.now();
      this.clock.settle(nowMs);
      performed = true;
      responseBody = {
        RequestId: requestId,
        ...performIceAction(action, params, {
          book: this.book,
          nowMs,
          getEventCallback: () => this.eventCallback,
          setEventCallback: (settings) => {
            this.eventCallback = settings;
          },
          // The ending is left to the clock's timer, so a submit is answered before its job can end.
          onSubmitted: (job) => {
            this.clock.add(job);
            this.clock.arm();
          },
          onDeleted: (job) => this.clock.remove(job.jobId),
          statusOf: (job) => statusAt(job, nowMs, this.trainingMs),
          cosyVoiceJobType: this.cosyVoiceJobType,
          jobStatusOverride: (job) => {
            const override = this.faultController.takeJobStatusOverride(job);
            if (override) fault = 'jobStatusOverride';
            return override;
          },
        }),
      };
      if (MUTATING_ACTIONS.has(action)) this.stateWriter?.markDirty();
      const data = responseBody.Data as Record<string, unknown> | undefined;
      if (data?.JobId !== undefined && this.faultController.fires(action, 'omitJobId')) {
        fault = 'omitJobId';
        delete data.JobId;
      }
      if (this.faultController.fires(action, 'closeAfterAccept')) {
        fault = 'closeAfterAccept';
        closeSocket = true;
      }
    } catch (error) {
      if (!(error instanceof IceWireError)) throw error;
      status = error.httpStatus;
      responseBody = {
        RequestId: requestId,
        HostId: String(req.headers.host ?? 'ice.cn-shanghai.aliyuncs.com'),
        Code: error.code,
        Message: error.message,
        Recommend: recommendUrl(error.code, requestId),
      };
    }
    this.recordCall({
      action,
      params,
      status,
      code: status === 200 ? undefined : String(responseBody.Code),
      requestId,
      fault,
      performed,
    });
    if (closeSocket) {
      req.socket.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId });
    res.end(JSON.stringify(responseBody));
  }

  private recordCall(call: {
    action: string;
    params: Record<string, string>;
    status: number;
    code?: string;
    requestId: string;
    fault: RecordedFault;
    performed: boolean;
  }): void {
    const params = Object.fromEntries(
      Object.entries(call.params).map(([name, value]) => [name, SECRET_PARAMS.has(name) ? '[redacted]' : value]),
    );
    this.logger.info('ICE call', {
      action: call.action,
      httpStatus: call.status,
      code: call.code,
      requestId: call.requestId,
      fault: call.fault,
    });
    this.recordedCalls.push({
      seq: ++this.callSeq,
      at: new Date().toISOString(),
      action: call.action,
      params,
      httpStatus: call.status,
      code: call.code,
      requestId: call.requestId,
      fault: call.fault,
      performed: call.performed,
    });
  }

  /** A sleep that close() can cut short. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.waits.add(entry);
    });
  }
}

function formParams(req: http.IncomingMessage, body: Buffer): Record<string, string> {
  const type = String(req.headers['content-type'] ?? '');
  return body.length > 0 && type.startsWith('application/x-www-form-urlencoded')
    ? parseUrlEncoded(body.toString('utf8'))
    : {};
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
