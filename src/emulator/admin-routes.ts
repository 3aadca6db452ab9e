/** Server side of the admin API described in ./admin-api.ts (routes under /__emulator); bodies checked by ./admin-validation.ts. */
import type {
  CallbackDelivery,
  EmulatedJobCounts,
  EmulatedVoiceJob,
  EmulatorSettings,
  EventDispatchResult,
  FaultConfig,
  IceEventInput,
  RateLimitCounts,
  RecordedCall,
} from './admin-api';
import {
  eventProblem,
  faultConfigProblem,
  finishProblem,
  settingsProblem,
  type AdminProblem,
} from './admin-validation';
import type { MnsQueueSummary } from './mns/mns-queue-book';

/** How `POST /jobs/{jobId}/finish` ends a job: the rule's outcome unless given. */
export interface FinishOutcome {
  status?: 'Success' | 'Fail';
  message?: string;
}

/** What the admin routes need from the running emulator. */
export interface AdminTarget {
  calls(): RecordedCall[];
  clearCalls(): void;
  faults(): FaultConfig;
  setFaults(faults: FaultConfig): void;
  rateLimitCounts(): RateLimitCounts;
  settings(): EmulatorSettings;
  updateSettings(settings: Partial<EmulatorSettings>): EmulatorSettings;
  jobs(): EmulatedVoiceJob[];
  jobCounts(): EmulatedJobCounts;
  callbacks(): CallbackDelivery[];
  mnsQueues(): MnsQueueSummary[];
  sendEvent(event: IceEventInput): EventDispatchResult;
  /** False when the job is unknown or not training. */
  finishJob(jobId: string, outcome: FinishOutcome): 'finished' | 'unknown' | 'not-training';
  flushCallbacks(): void;
  reset(): void;
  clearEventCallback(): void;
}

export interface AdminAnswer {
  status: number;
  body?: unknown;
}

function badRequest(found: AdminProblem): AdminAnswer {
  return { status: 400, body: { error: `${found.field}: ${found.message}`, field: found.field } };
}

/** The path segment decoded, or undefined when it is not valid percent-encoded UTF-8. */
function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function finishJob(target: AdminTarget, rawJobId: string, body: unknown): AdminAnswer {
  const jobId = decodedSegment(rawJobId);
  const found = finishProblem(jobId, body);
  if (found || jobId === undefined) return badRequest(found ?? { field: 'jobId', message: 'is required' });
  const result = target.finishJob(jobId, body ?? {});
  if (result === 'unknown') return { status: 404, body: { error: 'no such job' } };
  if (result === 'not-training') return { status: 409, body: { error: 'job is not in training' } };
  return { status: 204 };
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
      const found = faultConfigProblem(body);
      if (found) return badRequest(found);
      target.setFaults(body as FaultConfig);
      return { status: 204 };
    }
    case 'GET /rate-limits':
      return { status: 200, body: target.rateLimitCounts() };
    case 'GET /settings':
      return { status: 200, body: target.settings() };
    case 'PATCH /settings': {
      const found = settingsProblem(body);
      if (found) return badRequest(found);
      return { status: 200, body: target.updateSettings(body as Partial<EmulatorSettings>) };
    }
    case 'GET /jobs':
      return { status: 200, body: target.jobs() };
    case 'GET /jobs/counts':
      return { status: 200, body: target.jobCounts() };
    case 'GET /callbacks':
      return { status: 200, body: target.callbacks() };
    case 'GET /mns/queues':
      return { status: 200, body: target.mnsQueues() };
    case 'POST /events': {
      const found = eventProblem(body);
      if (found) return badRequest(found);
      return { status: 200, body: target.sendEvent(body as IceEventInput) };
    }
    case 'POST /callbacks/flush':
      target.flushCallbacks();
      return { status: 204 };
    case 'POST /reset':
      target.reset();
      return { status: 204 };
    case 'DELETE /event-callback':
      target.clearEventCallback();
      return { status: 204 };
  }
  const finish = /^POST \/jobs\/([^/]+)\/finish$/.exec(route);
  if (finish) return finishJob(target, finish[1], body);
  return { status: 404, body: { error: `no admin route ${route}` } };
}
