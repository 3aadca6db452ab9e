/**
 * From a validated callback to the `iceCallback` signal: find the clone's workflow (VoiceId, else the IceJobId
 * search attribute, else ICE's own job record) and signal it. Every remote call shares one deadline so that the
 * HTTP answer stays inside ICE's 3 s; running out of time or reaching no server means "answer 503, ICE retries".
 */
import { WorkflowNotFoundError, isGrpcServiceError, type Client } from '@temporalio/client';
import { iceCallbackSignal, searchAttributes, voiceCloneWorkflowId } from '../workflows/definitions';
import type { IceCallbackEnvelope, IceClient } from '../ice/types';
import { isIceError } from '../ice/errors';
import type { Logger } from '../observability/logger';

export type CorrelationVia = 'voice-id' | 'search-attribute' | 'ice-lookup';

export type DeliveryResult =
  | { outcome: 'signalled'; workflowId: string; via: CorrelationVia }
  | { outcome: 'unmatched'; detail: string; workflowId?: string; via?: CorrelationVia }
  | { outcome: 'temporal_unavailable'; detail: string }
  | { outcome: 'ice_unavailable'; detail: string };

export interface DeliveryRequest {
  envelope: IceCallbackEnvelope;
  voiceId?: string;
  jobId?: string;
  /** Epoch ms by which every Temporal and ICE call must have answered. */
  deadlineMs: number;
}

export interface DeliveryDeps {
  client: Client;
  ice: IceClient;
  logger: Logger;
}

// Standard gRPC status codes (stable across implementations); @grpc/grpc-js is not a direct dependency.
const GrpcStatus = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;
const GRPC_STATUS_NAMES = new Map<number, string>(Object.entries(GrpcStatus).map(([name, code]) => [code, name]));

export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  readonly code = 'CallbackDeadlineExceeded';
}

/** Rejects at the deadline even if the call ignores cancellation (e.g. inside the SDK's retry back-off sleep). */
async function raceDeadline<T>(deadlineMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const remaining = deadlineMs - Date.now();
  if (remaining <= 0) throw new DeadlineExceededError('no time left before the callback deadline');
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceededError(`no answer within ${remaining} ms`));
    }, remaining);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Worth another try inside the same answer: no connection yet (UNAVAILABLE), or the server is busy with this
 * workflow, e.g. "workflow is closing" (RESOURCE_EXHAUSTED) when a duplicate callback races the completion.
 */
const RETRY_WITHIN_DEADLINE: ReadonlySet<number> = new Set([GrpcStatus.UNAVAILABLE, GrpcStatus.RESOURCE_EXHAUSTED]);

/**
 * A Temporal call bounded by the gRPC deadline, an abort signal and a hard race. The codes above are retried
 * here, never past the deadline: the receiver's own connection has no SDK retry interceptor, whose back-off
 * timers could outlive the answer (see temporal-connection.ts).
 */
async function temporalCall<T>(client: Client, deadlineMs: number, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await raceDeadline(deadlineMs, (signal) =>
        client.withAbortSignal(signal, () => client.withDeadline(deadlineMs, call)),
      );
    } catch (error) {
      const delayMs = Math.min(50 * 2 ** attempt, 400);
      if (!RETRY_WITHIN_DEADLINE.has(grpcCodeOf(error) ?? -1) || Date.now() + delayMs >= deadlineMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

function grpcCodeOf(error: unknown): number | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth += 1) {
    if (isGrpcServiceError(current)) return current.code;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

function grpcDetailsOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth += 1) {
    if (isGrpcServiceError(current)) return current.details;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/** Server-side details are Temporal's own text (no secrets of ours); trimmed for one log line. */
function describe(error: unknown): string {
  const code = grpcCodeOf(error);
  const name = error instanceof Error ? error.name : 'Error';
  if (code === undefined) return name;
  const details = grpcDetailsOf(error)?.slice(0, 200);
  return `${name} (gRPC ${GRPC_STATUS_NAMES.get(code) ?? code}${details ? `: ${details}` : ''})`;
}

const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.CANCELLED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
]);

function isUnavailable(error: unknown): boolean {
  if (error instanceof DeadlineExceededError) return true;
  const code = grpcCodeOf(error);
  return code === undefined || UNAVAILABLE_CODES.has(code);
}

class TemporalUnavailable extends Error {}

/**
 * The clone whose `IceJobId` search attribute is `jobId`, if visibility already knows it: a clone indexes it once it
 * polls or closes, not during the usual wait (then ICE's record answers). A closed clone counts too: signalling it
 * then answers "unmatched" without asking ICE about a job that is already finished.
 */
async function findWorkflowByJobId(deps: DeliveryDeps, jobId: string, deadlineMs: number): Promise<string | undefined> {
  // jobId matched /^[\w-]+$/ in envelope validation, so it cannot break out of the quoted literal.
  const query = `${searchAttributes.iceJobId.name} = "${jobId}"`;
  try {
    return await temporalCall(deps.client, deadlineMs, async () => {
      let closed: string | undefined;
      for await (const execution of deps.client.workflow.list({ query, pageSize: 10 })) {
        if (execution.status.name === 'RUNNING') return execution.workflowId;
        closed ??= execution.workflowId;
      }
      return closed;
    });
  } catch (error) {
    if (isUnavailable(error)) throw new TemporalUnavailable(describe(error));
    // E.g. the search attribute is not registered: fall through to ICE's own record rather than failing forever.
    deps.logger.warn('visibility query for IceJobId failed', { jobId, error: describe(error) });
    return undefined;
  }
}

type IceLookup = { voiceId: string } | { unknown: string } | { unavailable: string };

async function lookUpVoiceIdAtIce(deps: DeliveryDeps, jobId: string, deadlineMs: number): Promise<IceLookup> {
  try {
    const response = await raceDeadline(deadlineMs, () => deps.ice.getCustomizedVoiceJob({ jobId }));
    return { voiceId: response.customizedVoiceJob.voiceId };
  } catch (error) {
    if (isIceError(error) && !error.retryable) return { unknown: `ICE ${error.code}` };
    return { unavailable: isIceError(error) ? `ICE ${error.code}` : describe(error) };
  }
}

async function signalClone(
  deps: DeliveryDeps,
  request: DeliveryRequest,
  workflowId: string,
  via: CorrelationVia,
): Promise<DeliveryResult> {
  try {
    await temporalCall(deps.client, request.deadlineMs, () =>
      deps.client.workflow.getHandle(workflowId).signal(iceCallbackSignal, request.envelope),
    );
    return { outcome: 'signalled', workflowId, via };
  } catch (error) {
    // Not found covers both "never existed" and "already closed": no open clone wants this callback.
    if (error instanceof WorkflowNotFoundError) {
      return { outcome: 'unmatched', detail: 'no open workflow', workflowId, via };
    }
    return { outcome: 'temporal_unavailable', detail: describe(error) };
  }
}

export async function deliverIceCallback(deps: DeliveryDeps, request: DeliveryRequest): Promise<DeliveryResult> {
  if (request.voiceId !== undefined) {
    return signalClone(deps, request, voiceCloneWorkflowId(request.voiceId), 'voice-id');
  }
  const jobId = request.jobId;
  if (jobId === undefined) return { outcome: 'unmatched', detail: 'no VoiceId or JobId' };
  let workflowId: string | undefined;
  try {
    workflowId = await findWorkflowByJobId(deps, jobId, request.deadlineMs);
  } catch (error) {
    return { outcome: 'temporal_unavailable', detail: error instanceof Error ? error.message : String(error) };
  }
  if (workflowId !== undefined) return signalClone(deps, request, workflowId, 'search-attribute');
  // Visibility is eventually consistent and the clone may not have recorded its JobId yet: ask ICE.
  const lookup = await lookUpVoiceIdAtIce(deps, jobId, request.deadlineMs);
  if ('unknown' in lookup) return { outcome: 'unmatched', detail: `job unknown to ICE (${lookup.unknown})` };
  if ('unavailable' in lookup) return { outcome: 'ice_unavailable', detail: lookup.unavailable };
  return signalClone(deps, request, voiceCloneWorkflowId(lookup.voiceId), 'ice-lookup');
}
