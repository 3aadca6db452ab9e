/**
 * From a validated callback to the `iceCallback` signal, at the cost of at most one ICE read and one Temporal call
 * (two signals in one case, see cloneWorkflowIds):
 * - a Basic VoiceId (letters and digits) names the workflow (`voice-clone-<VoiceId>`): just the signal;
 * - otherwise a JobId is read at ICE: GetCustomizedVoiceJob gives its Type, VoiceId and VoiceName, hence the clone
 *   (`voice-clone-<VoiceId>` for Basic, `voice-clone-<edition>-<VoiceName>` for Standard and CosyVoice, whose
 *   VoiceIds ICE assigns and no workflow ID holds); a JobId ICE does not know is not a clone's ('foreign');
 * - an assigned VoiceId (`Voice-…`) without a JobId is read with GetCustomizedVoice, which gives its VoiceName.
 * Ids found to belong to no clone are remembered (unmatched-ids.ts). Every remote call shares one deadline so that
 * the HTTP answer stays inside ICE's 3 s; running out of time or reaching no server means "answer 503, ICE retries".
 */
import { WorkflowNotFoundError, isGrpcServiceError, type Client } from '@temporalio/client';
import { iceCallbackSignal, voiceCloneWorkflowId, type IceCallbackFact } from '../workflows/definitions';
import { isBasicVoiceId, isVoiceName } from '../workflows/ice-ids';
import { COSYVOICE_JOB_TYPE, type IceClient } from '../ice/types';
import { isIceError } from '../ice/errors';
import { settleBefore } from '../net/deadline';
import type { Logger } from '../observability/logger';
import type { UnmatchedIds } from './unmatched-ids';

export type CorrelationVia = 'voice-id' | 'ice-lookup';

export type DeliveryResult =
  | { outcome: 'signalled'; workflowId: string; via: CorrelationVia }
  | { outcome: 'unmatched'; detail: string; workflowId?: string; via?: CorrelationVia }
  /** Not a voice clone's event: ICE does not know its JobId as a voice job. */
  | { outcome: 'foreign'; detail: string }
  | { outcome: 'temporal_unavailable'; detail: string }
  /** Temporal refused the signal itself (invalid argument, too large): a retry cannot succeed. */
  | { outcome: 'undeliverable'; detail: string }
  /** Temporal answered with an error that is neither of the above (ours to look into). */
  | { outcome: 'temporal_error'; detail: string }
  | { outcome: 'ice_unavailable'; detail: string };

export interface DeliveryRequest {
  /** What the clone is signalled with: never ICE's body. */
  fact: IceCallbackFact;
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
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
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
  const settled = await settleBefore(call(controller.signal), deadlineMs);
  if (settled.done) return settled.value;
  controller.abort();
  throw new DeadlineExceededError(`no answer within ${remaining} ms`);
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
      const retry = RETRY_WITHIN_DEADLINE.has(grpcCodeOf(error) ?? -1) && !isTooLarge(error);
      if (!retry || Date.now() + delayMs >= deadlineMs) throw error;
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
  GrpcStatus.CANCELLED, // our own abort at the deadline
]);
const REFUSED_CODES: ReadonlySet<number> = new Set([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.OUT_OF_RANGE,
  GrpcStatus.FAILED_PRECONDITION,
]);
/** RESOURCE_EXHAUSTED for a message over gRPC's or Temporal's size limit, not for a busy server. */
const TOO_LARGE = /larger than max|size exceeds|exceeds (the )?limit|too large/i;

/**
 * Only a Temporal that could not be reached or did not answer in time is "unavailable" (503, ICE retries); a signal
 * Temporal refuses as such is undeliverable (400: no retry can succeed); anything else is an error of ours (500).
 */
export function temporalFailure(error: unknown): DeliveryResult {
  const code = grpcCodeOf(error);
  const detail = describe(error);
  if (error instanceof DeadlineExceededError || (code !== undefined && UNAVAILABLE_CODES.has(code))) {
    return { outcome: 'temporal_unavailable', detail };
  }
  if ((code !== undefined && REFUSED_CODES.has(code)) || isTooLarge(error)) return { outcome: 'undeliverable', detail };
  // Busy with this workflow (e.g. "workflow is closing"), still after the retries within the deadline.
  if (code === GrpcStatus.RESOURCE_EXHAUSTED) return { outcome: 'temporal_unavailable', detail };
  // Without a gRPC code: a connection the SDK could not make is still "unavailable".
  if (code === undefined && isConnectionError(error)) return { outcome: 'temporal_unavailable', detail };
  return { outcome: 'temporal_error', detail };
}

function isTooLarge(error: unknown): boolean {
  return grpcCodeOf(error) === GrpcStatus.RESOURCE_EXHAUSTED && TOO_LARGE.test(grpcDetailsOf(error) ?? '');
}

function isConnectionError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current.name === 'TransportError' || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/.test(current.message))
      return true;
    current = current.cause;
  }
  return false;
}

/** What ICE's record of the callback's job (or voice) says: the clones it may belong to, most likely first. */
type IceLookup = { workflowIds: string[] } | { unknown: string } | { refused: string } | { unavailable: string };

/** Final ICE answers that say the receiver may not read jobs, not that the job is unknown: never remembered. */
const REFUSAL_CODE = /^(Forbidden|InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken)/;

/** The job or voice as ICE records it: `type` is absent from GetCustomizedVoice's answer. */
export interface IceVoiceRecord {
  type?: string;
  voiceId: string;
  voiceName: string;
}

/**
 * The clone workflows a job or voice of ICE's may belong to, in the order to try them:
 * - Type `Basic`: `voice-clone-<VoiceId>`;
 * - Type `CosyVoice`: `voice-clone-cosyvoice-<VoiceName>`;
 * - Type `Standard`: `voice-clone-standard-<VoiceName>`, then `voice-clone-cosyvoice-<VoiceName>`. ASSUMPTION
 *   (docs/ice-api.md#editions): ICE may report a CosyVoice job as `Standard`, and nothing else in its record tells
 *   the two apart, so such a callback costs a second signal when the first finds no clone;
 * - no Type, or one unknown here: Basic's when the VoiceId has Basic's form, else Standard's, then CosyVoice's.
 */
export function cloneWorkflowIds(record: IceVoiceRecord): string[] {
  const basic = isBasicVoiceId(record.voiceId) ? [voiceCloneWorkflowId(record.voiceId)] : [];
  if (record.type === 'Basic') return basic;
  if (!isVoiceName(record.voiceName)) return record.type === undefined || isNamedType(record.type) ? [] : basic;
  const standard = voiceCloneWorkflowId({ edition: 'standard', voiceName: record.voiceName });
  const cosyVoice = voiceCloneWorkflowId({ edition: 'cosyvoice', voiceName: record.voiceName });
  if (record.type === COSYVOICE_JOB_TYPE) return [cosyVoice];
  if (record.type === 'Standard' || record.type === undefined) return [standard, cosyVoice];
  return basic.length > 0 ? basic : [standard, cosyVoice];
}

function isNamedType(type: string): boolean {
  return type === 'Standard' || type === COSYVOICE_JOB_TYPE;
}

/** One read at ICE within the deadline; what a failure means for the callback. */
async function readAtIce(deadlineMs: number, read: () => Promise<IceVoiceRecord>): Promise<IceLookup> {
  try {
    return { workflowIds: cloneWorkflowIds(await raceDeadline(deadlineMs, read)) };
  } catch (error) {
    if (isIceError(error) && !error.retryable) {
      if (REFUSAL_CODE.test(error.code)) return { refused: `ICE ${error.code}` };
      // ASSUMPTION (docs/ice-api.md#errors): ICE documents no code for an unknown job or voice; any other final
      // answer to reading it means it is not a voice clone's.
      return { unknown: `ICE ${error.code}` };
    }
    return { unavailable: isIceError(error) ? `ICE ${error.code}` : describe(error) };
  }
}

function lookUpJobAtIce(deps: DeliveryDeps, jobId: string, deadlineMs: number): Promise<IceLookup> {
  return readAtIce(deadlineMs, async () => {
    const { customizedVoiceJob: job } = await deps.ice.getCustomizedVoiceJob({ jobId });
    return { type: job.type, voiceId: job.voiceId, voiceName: job.voiceName };
  });
}

/** A voice whose VoiceId ICE assigned: GetCustomizedVoice names it (it has no Type). */
function lookUpVoiceAtIce(deps: DeliveryDeps, voiceId: string, deadlineMs: number): Promise<IceLookup> {
  return readAtIce(deadlineMs, async () => {
    const { customizedVoice: voice } = await deps.ice.getCustomizedVoice({ voiceId });
    return { voiceId: voice.voiceId || voiceId, voiceName: voice.voiceName };
  });
}

/** Signals the first of `workflowIds` that is open; a clone not found is tried under the next ID. */
async function signalClone(
  deps: DeliveryDeps,
  request: DeliveryRequest,
  workflowIds: readonly string[],
  via: CorrelationVia,
): Promise<DeliveryResult> {
  for (const workflowId of workflowIds) {
    try {
      await temporalCall(deps.client, request.deadlineMs, () =>
        deps.client.workflow.getHandle(workflowId).signal(iceCallbackSignal, request.fact),
      );
      return { outcome: 'signalled', workflowId, via };
    } catch (error) {
      // Not found covers both "never existed" and "already closed": no open clone under this ID wants it.
      if (!(error instanceof WorkflowNotFoundError)) return temporalFailure(error);
    }
  }
  deps.unmatched.remember(request, 'no-open-clone');
  const workflowId = workflowIds.at(-1);
  return {
    outcome: 'unmatched',
    detail: workflowIds.length === 0 ? 'ICE names no clone for it' : 'no open workflow',
    ...(workflowId !== undefined && { workflowId }),
    via,
  };
}

export async function deliverIceCallback(deps: DeliveryDeps, request: DeliveryRequest): Promise<DeliveryResult> {
  const { voiceId, jobId } = request;
  if (voiceId !== undefined && isBasicVoiceId(voiceId)) {
    return signalClone(deps, request, [voiceCloneWorkflowId(voiceId)], 'voice-id');
  }
  // ICE's record names the voice, hence the workflow: one read instead of a visibility query that would also miss
  // a clone that has not recorded its JobId yet.
  let lookup: IceLookup;
  let operation: string;
  if (jobId !== undefined) {
    operation = 'GetCustomizedVoiceJob';
    lookup = await lookUpJobAtIce(deps, jobId, request.deadlineMs);
  } else if (voiceId !== undefined) {
    operation = 'GetCustomizedVoice';
    lookup = await lookUpVoiceAtIce(deps, voiceId, request.deadlineMs);
  } else {
    return { outcome: 'unmatched', detail: 'no VoiceId or JobId' };
  }
  const what = jobId !== undefined ? 'job' : 'voice';
  if ('unknown' in lookup) {
    deps.unmatched.remember(request, 'job-unknown-to-ice');
    return {
      outcome: 'foreign',
      detail: `${jobId !== undefined ? 'job' : 'voice'} unknown to ICE (${lookup.unknown})`,
    };
  }
  if ('refused' in lookup) {
    deps.logger.error(`ICE refused to read a callback's ${what}: the receiver needs ice:${operation}`, {
      jobId,
      voiceId,
      code: lookup.refused,
    });
    return { outcome: 'foreign', detail: `ICE refused the ${what} read (${lookup.refused})` };
  }
  if ('unavailable' in lookup) return { outcome: 'ice_unavailable', detail: lookup.unavailable };
  return signalClone(deps, request, lookup.workflowIds, 'ice-lookup');
}
