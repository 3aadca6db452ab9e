/**
 * The batch workflow's public contract, declared once and imported by the workflow, the client helper, the CLI and
 * the Nexus service: names, input/result types and the progress query. Workflow-safe (no Node APIs).
 */
import { defineQuery } from '@temporalio/workflow';
import type { VoiceCloneInput, VoiceCloneResult } from './definitions';

/** The workflow type a batch is registered under. */
export const VOICE_CLONE_BATCH_WORKFLOW_TYPE = 'voiceCloneBatchWorkflow';

/** `maxConcurrent`'s bounds and default: how many of the batch's clones run at once. */
export const BATCH_MAX_CONCURRENT = { min: 1, max: 1000, default: 10 } as const;

/** A batch of clones: each runs as a child `voiceCloneWorkflow` under its usual workflow ID. */
export interface VoiceCloneBatchInput {
  clones: VoiceCloneInput[];
  /** How many clones run at once (1–1000, default 10): a sliding window, the next starting as one ends. */
  maxConcurrent?: number;
  /** Cancelling the batch also cancels the clones still running (ICE cannot stop a billed training; default false). */
  cancelRunning?: boolean;
  /** The task-queue fairness key the batch's clones carry (default: the batch's workflow ID). */
  fairnessKey?: string;
}

/** How one clone of the batch ended, at its input index. */
export interface VoiceCloneBatchEntry {
  index: number;
  workflowId: string;
  status: 'Succeeded' | 'Failed';
  result?: VoiceCloneResult;
  failure?: { type: string; message: string };
}

/** The batch's report: every entry in input order. */
export interface VoiceCloneBatchResult {
  total: number;
  succeeded: number;
  failed: number;
  clones: VoiceCloneBatchEntry[];
}

/** The batch's counts while it runs. */
export interface VoiceCloneBatchProgress {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
}

/** Answers the batch's `VoiceCloneBatchProgress`; read-only, safe at any time. */
export const batchProgressQuery = defineQuery<VoiceCloneBatchProgress>('batchProgress');

/**
 * The types of a batch entry's `failure` besides the clone's own failure types (`VoiceCloneFailureTypes`, ICE's
 * Codes): the batch's own reasons.
 */
export const VoiceCloneBatchFailureTypes = {
  /** The entry broke a rule (field and rule in the message): no clone was started, no ICE call made. */
  InvalidInput: 'InvalidInput',
  /** The batch was cancelled before this clone's turn: it was never started. */
  NotStarted: 'NotStarted',
  /** The batch was cancelled with `cancelRunning: true` while this clone ran. */
  Cancelled: 'Cancelled',
} as const;

/** A batch carries at most this many clones per run, then continues as new (history stays far below its limits). */
export const BATCH_CLONES_PER_RUN = 500;
/**
 * The report's budget in bytes of JSON, far below Temporal's 2 MB payload limit (ASSUMPTION: the server's default
 * `limit.blobSize.error`). Entries carry the clone's `result` (without `detection`) and failure message while the
 * report fits; otherwise every entry drops its `result`, then cuts its message (to 80 characters, then to none): read
 * them from each clone's own workflow by its `workflowId`.
 */
export const BATCH_REPORT_MAX_BYTES = 1_500_000;
/** Fairness keys are limited to 64 bytes (Temporal's `Priority.fairnessKey`). */
export const BATCH_FAIRNESS_KEY_MAX_BYTES = 64;

/**
 * The state one run of a batch hands the next when it continues as new (the workflow's second argument; a caller
 * starts a batch without it). `clones` of the input then holds only the clones not yet started.
 */
export interface VoiceCloneBatchRun {
  /** The batch's size (all runs). */
  total: number;
  /** The input index of the input's `clones[0]`. */
  firstIndex: number;
  /** The entries of every clone before `firstIndex`, in input order, in the report's bounded form. */
  decided: VoiceCloneBatchEntry[];
  /** Clones started per run before continuing as new (default BATCH_CLONES_PER_RUN; tests set it small). */
  clonesPerRun?: number;
}
