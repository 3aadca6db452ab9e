/**
 * The one reader of a clone's state, for any Temporal client and the CLI's `status`: what Temporal knows (describe,
 * search attributes, the result or failure of a closed clone) without needing a worker, and the workflow's own view
 * (the `status` query) while it runs.
 */
import {
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionStatusName,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import {
  searchAttributes,
  statusQuery,
  voiceCloneWorkflowId,
  type VoiceCloneEdition,
  type VoiceCloneIdentity,
  type RecordingStatus,
  type VoiceCloneResult,
  type VoiceCloneStage,
  type VoiceCloneStatus,
} from '../workflows/definitions';
import { settleBefore } from '../net/deadline';

/** What `getVoiceCloneStatus` reports of one clone: its workflow state, stage, last ICE status, job and timings. */
export interface VoiceCloneStatusReport {
  edition: VoiceCloneEdition;
  /** Basic: the caller's. Standard and CosyVoice: the one ICE assigned, once the clone knows it. */
  voiceId?: string;
  /** Standard and CosyVoice: the name the clone was started with. */
  voiceName?: string;
  workflowId: string;
  runId: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, TIMED_OUT, TERMINATED, CANCELLED… */
  execution: WorkflowExecutionStatusName;
  startTime: Date;
  closeTime?: Date;
  durationMs: number;
  stage?: VoiceCloneStage;
  jobId?: string;
  /** ICE's raw Status: a value this package does not know means "not finished". */
  lastIceStatus?: string;
  lastIceStatusAt?: string;
  statusChecks?: number;
  callbacksReceived?: number;
  /** Callbacks that cost no ICE read of their own (repeats, storms): see `VoiceCloneStatus.callbacksCoalesced`. */
  callbacksCoalesced?: number;
  /** A completed clone's result. */
  result?: VoiceCloneResult;
  /** A clone that did not complete: the failure type (ICE's Code for a final ICE error) and its message. */
  failure?: { type: string; message: string };
  /** A running clone's own view (stage, job, last ICE status); absent when the query was not answered in time. */
  progress?: VoiceCloneStatus;
  progressError?: string;
  /** Recording session (while running): each sentence's latest recording and its detection. */
  recordings?: RecordingStatus[];
}

/** Options of `getVoiceCloneStatus`. */
export interface VoiceCloneStatusOptions {
  /** How long to wait for a running clone's answer to the `status` query (it needs a worker). Default 5 s. */
  queryTimeoutMs?: number;
}

const DEFAULT_QUERY_TIMEOUT_MS = 5_000;

/**
 * Describe (and the result, or the `status` query while running) of a voice's clone workflow, latest run. The voice
 * is a Basic VoiceId, or `{ edition, voiceName }` for Standard and CosyVoice. Throws WorkflowNotFoundError when
 * there is no such clone.
 */
export async function getVoiceCloneStatus(
  client: Client,
  voice: string | VoiceCloneIdentity,
  options: VoiceCloneStatusOptions = {},
): Promise<VoiceCloneStatusReport> {
  const identity: VoiceCloneIdentity = typeof voice === 'string' ? { voiceId: voice } : voice;
  const handle = client.workflow.getHandle(voiceCloneWorkflowId(identity));
  const description = await handle.describe();
  const attributes = description.typedSearchAttributes;
  const report: VoiceCloneStatusReport = {
    edition: identity.edition ?? 'basic',
    ...('voiceId' in identity ? { voiceId: identity.voiceId } : { voiceName: identity.voiceName }),
    workflowId: description.workflowId,
    runId: description.runId,
    execution: description.status.name,
    startTime: description.startTime,
    closeTime: description.closeTime,
    durationMs: (description.closeTime ?? new Date()).getTime() - description.startTime.getTime(),
    stage: attributes.get(searchAttributes.voiceCloneStage) as VoiceCloneStage | undefined,
    jobId: attributes.get(searchAttributes.iceJobId),
  };
  report.voiceId ??= attributes.get(searchAttributes.iceVoiceId);
  if (description.status.name === 'RUNNING') {
    const answer = await queryWithin(handle, options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    if ('status' in answer) {
      const status = answer.status;
      report.progress = status;
      Object.assign(report, {
        stage: status.stage,
        voiceId: status.voiceId || report.voiceId,
        jobId: status.jobId ?? report.jobId,
        lastIceStatus: status.lastIceStatus,
        lastIceStatusAt: status.lastIceStatusAt,
        statusChecks: status.statusChecks,
        callbacksReceived: status.callbacksReceived,
        callbacksCoalesced: status.callbacksCoalesced,
        ...(status.recordings && { recordings: status.recordings }),
      });
    } else {
      report.progressError = answer.error;
    }
  } else if (description.status.name === 'COMPLETED') {
    // A clone completes only when trained; without registered search attributes it wrote no VoiceCloneStage.
    const result = (await handle.result()) as VoiceCloneResult;
    Object.assign(report, {
      result,
      stage: 'Succeeded',
      voiceId: result.voiceId || report.voiceId,
      lastIceStatus: result.status,
      jobId: result.jobId || report.jobId,
      statusChecks: result.statusChecks,
    });
  } else {
    try {
      await handle.result();
    } catch (error) {
      // Failed before it knew its search attributes (invalid input) or without them registered: no stage written.
      if (description.status.name === 'FAILED') report.stage ??= 'Failed';
      report.failure = voiceCloneFailureOf(error);
    }
  }
  return report;
}

async function queryWithin(
  handle: WorkflowHandle,
  timeoutMs: number,
): Promise<{ status: VoiceCloneStatus } | { error: string }> {
  try {
    const answer = await settleBefore(handle.query(statusQuery), Date.now() + timeoutMs);
    return answer.done ? { status: answer.value } : { error: `no answer to the status query within ${timeoutMs} ms` };
  } catch (error) {
    // A running clone answers queries only while a worker polls its task queue.
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** The innermost application failure: where the clone's failure type (or ICE's Code) lives. */
export function voiceCloneFailureOf(error: unknown): { type: string; message: string } {
  if (!(error instanceof WorkflowFailedError || error instanceof WorkflowUpdateFailedError)) {
    return { type: error instanceof Error ? error.name : 'Error', message: String(error) };
  }
  let cause: unknown = error.cause;
  let deepest: TemporalFailure | undefined;
  while (cause instanceof TemporalFailure) {
    deepest = cause;
    if (cause instanceof ApplicationFailure) break;
    cause = cause.cause;
  }
  if (deepest instanceof ApplicationFailure) return { type: deepest.type ?? 'Error', message: deepest.message };
  if (deepest) return { type: deepest.name, message: deepest.message };
  return { type: error.name, message: error.message };
}
