/**
 * The local ICE emulator: one HTTP server that answers `POST /` like ICE (signature check, faults, the voice jobs
 * of three editions on one job clock, callbacks), speaks MNS's queue API under /queues/ (./mns/mns-service.ts) and
 * serves the admin API under /__emulator.
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
  type RateLimitCounts,
  type RecordedCall,
} from './admin-api';
import { adminGuard, adminTooLarge, ownOrigins, parseAdminBody } from './admin-http';
import { routeAdmin, type AdminAnswer, type AdminTarget, type FinishOutcome } from './admin-routes';
import { warnIfExposed } from './bind-warning';
import { CallbackDispatcher, type CallbackTiming } from './callback-dispatcher';
import { VOICEPRINT_MISMATCH_MARKER, VOICEPRINT_MISMATCH_MESSAGE } from './edition-rules';
import { FaultController, type FaultMarks } from './fault-controller';
import { performIceAction, type EventCallbackSettings, type OperationContext } from './ice-operations';
import {
  ICE_DRAIN_BYTES,
  ICE_MAX_BODY_BYTES,
  iceErrorBody,
  readIceRequest,
  writeIceAnswer,
  type RequestBody,
} from './ice-request';
import { statusAt, TrainingClock } from './job-clock';
import { NonceStore, verifySignedRequest } from './request-auth';
import { readBodyWithin } from '../net/read-body';
import { callbackSettingOnDisk, loadStateFile, StateFileWriter, type PersistedEmulatorState } from './state-file';
import { iceTime, publicJobView, VoiceJobBook, type StoredJob, type TrainingOutcome } from './voice-job-book';
import { IceWireError } from './wire-error';
import { isMnsPath, MnsService } from './mns/mns-service';
import type { MnsQueueSummary } from './mns/mns-queue-book';

/** Parameters whose values never reach the call log. */
const SECRET_PARAMS = new Set(['AuthKey']);
/** Longer parameter values are cut in the call log (a signed caller could otherwise keep 1 MiB per call there). */
const MAX_LOGGED_PARAM_CHARS = 4_096;

function logged(value: string): string {
  return value.length <= MAX_LOGGED_PARAM_CHARS
    ? value
    : `${value.slice(0, MAX_LOGGED_PARAM_CHARS)}…[${value.length - MAX_LOGGED_PARAM_CHARS} more characters]`;
}

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

/** The job's Message when training ends in Fail without one of its own (FailTrain rule, a fault, an admin finish). */
export const TRAINING_FAILED_MESSAGE = 'Training failed: the recordings could not be used to train a voice.';

export interface IceEmulatorOptions {
  faults: FaultConfig;
  logger: Logger;
  callbackTiming?: CallbackTiming;
  settings?: Partial<EmulatorSettings>;
  /**
   * Whether the state file keeps the callback setting's AuthKey, as ICE keeps it (so that a restarted emulator
   * still signs callbacks and GetEventCallback answers it). When false, a setting with a key is not written and
   * not restored: the one who set it holds the key in memory and sets it again.
   */
  callbackAuthKeyOnDisk: boolean;
}

/** One ICE call as it goes through the stages: what the call log records of it. */
interface IceCall {
  requestId: string;
  /** An IceAction, or whatever name an unknown request carried. */
  action: string;
  params: Record<string, string>;
  /** The request reached the operation (see RecordedCall.performed). */
  performed: boolean;
  marks: FaultMarks;
}

export class IceEmulator implements AdminTarget {
  private readonly server: http.Server;
  private readonly book = new VoiceJobBook();
  private readonly faultController: FaultController;
  private readonly dispatcher: CallbackDispatcher;
  private readonly mns: MnsService;
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
  /** Filled in at start, when the port is known. */
  private origins: ReadonlySet<string> = new Set();
  private readonly logger: Logger;

  constructor(
    private readonly config: EmulatorConfig,
    private readonly options: IceEmulatorOptions,
  ) {
    const { faults, logger, callbackTiming, settings = {} } = options;
    this.logger = logger;
    this.trainingMs = config.trainingMs;
    this.lowerCaseCallbackKey = settings.lowerCaseCallbackKey ?? false;
    this.cosyVoiceJobType = settings.cosyVoiceJobType ?? 'CosyVoice';
    this.clock = new TrainingClock(
      () => this.trainingMs,
      (job) => this.endTraining(job, this.trainingOutcome(job)),
    );
    this.faultController = new FaultController(faults);
    this.mns = new MnsService({
      keyPairs: config.keyPairs,
      faults: this.faultController,
      logger,
      onChange: () => this.stateWriter?.markDirty(),
    });
    this.dispatcher = new CallbackDispatcher(
      this.faultController,
      logger,
      callbackTiming,
      () => this.lowerCaseCallbackKey,
      (queue, body) => this.mns.writeEvent(queue, body),
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
          () => this.persistedState(),
          (error) => this.logger.error('state file write failed', { error: error as Error }),
        )
      : undefined;
  }

  async start(): Promise<number> {
    if (this.config.stateFile) {
      const state = await loadStateFile(this.config.stateFile);
      if (state) this.restore(state);
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.origins = ownOrigins(this.config.host, address.port);
    warnIfExposed(address, this.logger);
    // Training that ended while the emulator was down ends now, with its callback.
    this.clock.settle();
    return address.port;
  }

  /** What the state file keeps: jobs, voices and the callback setting, without an AuthKey that stays in memory. */
  private persistedState(): PersistedEmulatorState {
    return {
      version: 1,
      book: this.book.snapshot(),
      eventCallback: callbackSettingOnDisk(this.eventCallback, this.options.callbackAuthKeyOnDisk),
      mnsQueues: this.mns.snapshot(),
    };
  }

  private restore(state: PersistedEmulatorState): void {
    this.book.restore(state.book);
    if (state.mnsQueues) this.mns.restore(state.mnsQueues);
    this.clock.addAll(this.book.trainingJobs());
    this.eventCallback = callbackSettingOnDisk(state.eventCallback, this.options.callbackAuthKeyOnDisk);
    // A key written by an emulator that kept it on disk goes with the next write.
    if (this.eventCallback !== state.eventCallback) this.stateWriter?.markDirty();
    this.logger.info('emulator state loaded', {
      stateFile: this.config.stateFile,
      jobs: state.book.jobs.length,
      callbackSetting: this.eventCallback !== undefined,
    });
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
    this.mns.close();
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
  rateLimitCounts(): RateLimitCounts {
    return this.faultController.rateLimitCounts();
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
  mnsQueues(): MnsQueueSummary[] {
    return this.mns.queues();
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
  finishJob(jobId: string, outcome: FinishOutcome): 'finished' | 'unknown' | 'not-training' {
    const job = this.book.findJob(jobId);
    if (!job) return 'unknown';
    const status = outcome.status ?? this.trainingOutcome(job).status;
    const message = outcome.message ?? (status === 'Fail' ? TRAINING_FAILED_MESSAGE : '');
    return this.endTraining(job, { status, message }) ? 'finished' : 'not-training';
  }
  flushCallbacks(): void {
    this.dispatcher.flush();
  }
  clearEventCallback(): void {
    this.eventCallback = undefined;
    this.stateWriter?.markDirty();
  }
  reset(): void {
    this.clock.clear();
    this.book.clear();
    this.recordedCalls.length = 0;
    this.dispatcher.clear();
    this.faultController.replace({});
    this.nonces.clear();
    this.mns.reset();
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
      const body = await readBodyWithin(req, ICE_MAX_BODY_BYTES, { drainUpTo: ICE_DRAIN_BYTES });
      if (body.kind === 'aborted') return; // nobody left to answer
      // What was not read of an oversized body is not worth keeping the connection for.
      if (body.kind === 'too_large') res.setHeader('connection', 'close');
      const rawUrl = req.url ?? '/';
      const queryIndex = rawUrl.indexOf('?');
      const path = queryIndex < 0 ? rawUrl : rawUrl.slice(0, queryIndex);
      if (path === EMULATOR_ADMIN_PREFIX || path.startsWith(`${EMULATOR_ADMIN_PREFIX}/`)) {
        this.handleAdmin(req, res, path.slice(EMULATOR_ADMIN_PREFIX.length) || '/', body);
        return;
      }
      if (isMnsPath(path)) {
        const query = queryIndex < 0 ? '' : rawUrl.slice(queryIndex + 1);
        await this.mns.handle(req, res, path, query, body.kind === 'body' ? body.body : undefined);
        return;
      }
      await this.handleIce(req, res, path, queryIndex < 0 ? '' : rawUrl.slice(queryIndex + 1), body);
    } catch (error) {
      this.logger.error('emulator request failed', { error: error as Error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'emulator internal error' }));
    }
  }

  private handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string, body: RequestBody): void {
    const answer = this.adminAnswer(req, path, body);
    if (answer.body === undefined) {
      res.writeHead(answer.status);
      res.end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  private adminAnswer(req: http.IncomingMessage, path: string, body: RequestBody): AdminAnswer {
    if (body.kind === 'too_large') return adminTooLarge(ICE_MAX_BODY_BYTES);
    const refusal = adminGuard(req.headers, body.body.length, this.origins);
    if (refusal) return refusal;
    const parsed = parseAdminBody(body.body);
    if ('refusal' in parsed) return parsed.refusal;
    return routeAdmin(this, req.method ?? 'GET', path, parsed.value);
  }

  /** read → authenticate → faults before → operation → faults after → call log → answer. */
  private async handleIce(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    rawQuery: string,
    body: RequestBody,
  ): Promise<void> {
    const call: IceCall = {
      requestId: randomUUID().toUpperCase(),
      action: String(req.headers['x-acs-action'] ?? ''),
      params: {},
      performed: false,
      marks: { closeSocket: false },
    };
    let status = 200;
    let responseBody: Record<string, unknown> | undefined;
    try {
      responseBody = await this.iceStages(req, path, rawQuery, body, call);
      if (responseBody === undefined) return; // the emulator closed while a latency fault held the call
    } catch (error) {
      if (!(error instanceof IceWireError)) throw error;
      status = error.httpStatus;
      responseBody = iceErrorBody(error, call.requestId, req.headers.host);
    }
    this.recordCall(call, status, status === 200 ? undefined : String(responseBody.Code));
    if (call.marks.closeSocket) {
      req.socket.destroy();
      return;
    }
    writeIceAnswer(res, status, responseBody, call.requestId);
  }

  private async iceStages(
    req: http.IncomingMessage,
    path: string,
    rawQuery: string,
    body: RequestBody,
    call: IceCall,
  ): Promise<Record<string, unknown> | undefined> {
    const request = readIceRequest(req, path, rawQuery, body);
    verifySignedRequest(request, this.config.keyPairs, this.nonces, Date.now());
    // Only now: an unsigned sender must not fill the call log (kept in memory) with its parameters.
    call.params = request.params;
    const open = await this.faultController.beforeOperation(call.action, call.marks, (ms) => this.wait(ms));
    if (!open || this.closed) return undefined;
    call.performed = true;
    const response = this.perform(call);
    this.faultController.afterOperation(call.action, response, call.marks);
    return response;
  }

  /** The operation itself, with every training ending due by now committed first, and the state file marked. */
  private perform(call: IceCall): Record<string, unknown> {
    const nowMs = Date.now();
    this.clock.settle(nowMs);
    const response = {
      RequestId: call.requestId,
      ...performIceAction(call.action, call.params, this.operationContext(nowMs, call.marks)),
    };
    if (MUTATING_ACTIONS.has(call.action)) this.stateWriter?.markDirty();
    return response;
  }

  private operationContext(nowMs: number, marks: FaultMarks): OperationContext {
    return {
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
        if (override) marks.fault = 'jobStatusOverride';
        return override;
      },
    };
  }

  private recordCall(call: IceCall, status: number, code: string | undefined): void {
    const params = Object.fromEntries(
      Object.entries(call.params).map(([name, value]) => [
        name,
        SECRET_PARAMS.has(name) ? '[redacted]' : logged(value),
      ]),
    );
    const { requestId, action } = call;
    const fault = call.marks.fault;
    this.logger.info('ICE call', { action, httpStatus: status, code, requestId, fault });
    this.recordedCalls.push({
      seq: ++this.callSeq,
      at: new Date().toISOString(),
      action,
      params,
      httpStatus: status,
      code,
      requestId,
      fault,
      performed: call.performed,
    });
  }

  /** A sleep that close() can cut short: true when the time passed, false when the emulator closed. */
  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.waits.delete(entry);
          resolve(true);
        }, ms),
        resolve: () => resolve(false),
      };
      this.waits.add(entry);
    });
  }
}
