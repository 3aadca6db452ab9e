/**
 * From a validated callback to the `iceCallback` signal, at the cost of at most one ICE read and one Temporal call:
 * a VoiceId names the workflow (`voice-clone-<VoiceId>`) and is just the signal; a JobId alone is first read at ICE
 * (GetCustomizedVoiceJob gives its VoiceId), and a JobId ICE does not know is not a clone's ('foreign'). Ids found
 * to belong to no clone are remembered (unmatched-ids.ts). Every remote call shares one deadline so that the HTTP
 * answer stays inside ICE's 3 s; running out of time or reaching no server means "answer 503, ICE retries".
 */
import { WorkflowNotFoundError, isGrpcServiceError, type Client } from '@temporalio/client';
import { iceCallbackSignal, voiceCloneWorkflowId } from '../workflows/definitions';
import type { IceCallbackEnvelope, IceClient } from '../ice/types';
import { isIceError } from '../ice/errors';
import type { Logger } from '../observability/logger';
import type { UnmatchedIds } from './unmatched-ids';

export type CorrelationVia = 'voice-id' | 'ice-lookup';

export type DeliveryResult =
  | { outcome: 'signalled'; workflowId: string; via: CorrelationVia }
  | { outcome: 'unmatched'; detail: string; workflowId?: string; via?: CorrelationVia }
  /** Not a voice clone's event: ICE does not know its JobId as a voice job. */
  | { outcome: 'foreign'; detail: string }
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
  /** Where ids found to belong to no clone are remembered. */
  unmatched: UnmatchedIds;
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

type IceLookup = { voiceId: string } | { unknown: string } | { refused: string } | { unavailable: string };

/** Final ICE answers that say the receiver may not read jobs, not that the job is unknown: never remembered. */
const REFUSAL_CODE = /^(Forbidden|InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken)/;

async function lookUpVoiceIdAtIce(deps: DeliveryDeps, jobId: string, deadlineMs: number): Promise<IceLookup> {
  try {
    const response = await raceDeadline(deadlineMs, () => deps.ice.getCustomizedVoiceJob({ jobId }));
    return { voiceId: response.customizedVoiceJob.voiceId };
  } catch (error) {
    if (isIceError(error) && !error.retryable) {
      if (REFUSAL_CODE.test(error.code)) return { refused: `ICE ${error.code}` };
      // ASSUMPTION (docs/ice-api.md#errors): ICE documents no code for an unknown job; any other final answer to
      // reading it means it is not a voice job.
      return { unknown: `ICE ${error.code}` };
    }
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
      deps.unmatched.remember(request, 'no-open-clone');
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
  // ICE's record names the voice, hence the workflow: one read instead of a visibility query that would also miss
  // a clone that has not recorded its JobId yet.
  const lookup = await lookUpVoiceIdAtIce(deps, jobId, request.deadlineMs);
  if ('unknown' in lookup) {
    deps.unmatched.remember(request, 'job-unknown-to-ice');
    return { outcome: 'foreign', detail: `job unknown to ICE (${lookup.unknown})` };
  }
  if ('refused' in lookup) {
    deps.logger.error("ICE refused to read a callback's job: the receiver needs ice:GetCustomizedVoiceJob", {
      jobId,
      code: lookup.refused,
    });
    return { outcome: 'foreign', detail: `ICE refused the job read (${lookup.refused})` };
  }
  if ('unavailable' in lookup) return { outcome: 'ice_unavailable', detail: lookup.unavailable };
  return signalClone(deps, request, voiceCloneWorkflowId(lookup.voiceId), 'ice-lookup');
}
