/** Server side of the admin API described in ./admin-api.ts (routes under /__emulator). */
import {
  COSYVOICE_JOB_TYPES,
  type CallbackDelivery,
  type EmulatedJobCounts,
  type EmulatedVoiceJob,
  type EmulatorSettings,
  type EventDispatchResult,
  type FaultConfig,
  type IceEventInput,
  type RecordedCall,
} from './admin-api';

/** What the admin routes need from the running emulator. */
export interface AdminTarget {
  calls(): RecordedCall[];
  clearCalls(): void;
  faults(): FaultConfig;
  setFaults(faults: FaultConfig): void;
  settings(): EmulatorSettings;
  updateSettings(settings: Partial<EmulatorSettings>): EmulatorSettings;
  jobs(): EmulatedVoiceJob[];
  jobCounts(): EmulatedJobCounts;
  callbacks(): CallbackDelivery[];
  sendEvent(event: IceEventInput): EventDispatchResult;
  /** False when the job is unknown or not training. */
  finishJob(
    jobId: string,
    outcome: { status?: 'Success' | 'Fail'; message?: string },
  ): 'finished' | 'unknown' | 'not-training';
  flushCallbacks(): void;
  reset(): void;
}

export interface AdminAnswer {
  status: number;
  body?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function badRequest(message: string): AdminAnswer {
  return { status: 400, body: { error: message } };
}

function jobStatusOverridesProblem(overrides: unknown): string | undefined {
  if (overrides === undefined) return undefined;
  if (!Array.isArray(overrides)) return 'jobStatusOverrides must be an array';
  for (const entry of overrides as unknown[]) {
    if (
      !isObject(entry) ||
      typeof entry.voiceId !== 'string' ||
      (entry.status !== null && typeof entry.status !== 'string') ||
      typeof entry.reads !== 'number' ||
      !Number.isInteger(entry.reads) ||
      entry.reads < 0
    ) {
      return 'each jobStatusOverrides entry needs voiceId (text), status (text or null) and reads (a whole number ≥ 0)';
    }
  }
  return undefined;
}

function eventProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be an event object { eventType, messageBody, userId?, eventTime? }';
  if (typeof body.eventType !== 'string' || body.eventType === '') return 'eventType must be non-empty text';
  if (!isObject(body.messageBody)) return 'messageBody must be an object';
  if (body.userId !== undefined && !Number.isSafeInteger(body.userId)) return 'userId must be a whole number';
  if (body.eventTime !== undefined && typeof body.eventTime !== 'string') return 'eventTime must be text';
  return undefined;
}

export function routeAdmin(target: AdminTarget, method: string, path: string, body: unknown): AdminAnswer {
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /health':
      return { status: 200, body: { ok: true } };
    case 'GET /calls':
      return { status: 200, body: target.calls() };
    case 'DELETE /calls':
      target.clearCalls();
      return { status: 204 };
    case 'GET /faults':
      return { status: 200, body: target.faults() };
    case 'PUT /faults': {
      if (!isObject(body)) return badRequest('body must be a FaultConfig object');
      const overridesProblem = jobStatusOverridesProblem(body.jobStatusOverrides);
      if (overridesProblem) return badRequest(overridesProblem);
      target.setFaults(body);
      return { status: 204 };
    }
    case 'GET /settings':
      return { status: 200, body: target.settings() };
    case 'PATCH /settings': {
      if (!isObject(body)) return badRequest('body must be a settings object');
      const { trainingMs, lowerCaseCallbackKey, cosyVoiceJobType } = body;
      if (trainingMs !== undefined && (typeof trainingMs !== 'number' || !(trainingMs >= 0))) {
        return badRequest('trainingMs must be a number ≥ 0');
      }
      if (lowerCaseCallbackKey !== undefined && typeof lowerCaseCallbackKey !== 'boolean') {
        return badRequest('lowerCaseCallbackKey must be true or false');
      }
      if (cosyVoiceJobType !== undefined && !(COSYVOICE_JOB_TYPES as readonly unknown[]).includes(cosyVoiceJobType)) {
        return badRequest(`cosyVoiceJobType must be one of ${COSYVOICE_JOB_TYPES.join(', ')}`);
      }
      return { status: 200, body: target.updateSettings(body) };
    }
    case 'GET /jobs':
      return { status: 200, body: target.jobs() };
    case 'GET /jobs/counts':
      return { status: 200, body: target.jobCounts() };
    case 'GET /callbacks':
      return { status: 200, body: target.callbacks() };
    case 'POST /events': {
      const problem = eventProblem(body);
      if (problem) return badRequest(problem);
      return { status: 200, body: target.sendEvent(body as IceEventInput) };
    }
    case 'POST /callbacks/flush':
      target.flushCallbacks();
      return { status: 204 };
    case 'POST /reset':
      target.reset();
      return { status: 204 };
  }
  const finish = /^POST \/jobs\/([^/]+)\/finish$/.exec(route);
  if (finish) {
    const outcome = isObject(body) ? body : {};
    if (outcome.status !== undefined && outcome.status !== 'Success' && outcome.status !== 'Fail') {
      return badRequest('status must be Success or Fail');
    }
    if (outcome.message !== undefined && typeof outcome.message !== 'string') return badRequest('message must be text');
    const result = target.finishJob(decodeURIComponent(finish[1]), outcome);
    if (result === 'unknown') return { status: 404, body: { error: 'no such job' } };
    if (result === 'not-training') return { status: 409, body: { error: 'job is not in training' } };
    return { status: 204 };
  }
  return { status: 404, body: { error: `no admin route ${route}` } };
}
