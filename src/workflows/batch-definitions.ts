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
