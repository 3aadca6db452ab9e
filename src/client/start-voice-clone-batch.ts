/**
 * Starting a batch of clones from any Temporal client: the batch is checked first (no call for a batch that breaks a
 * rule: `maxConcurrent` out of range, no clones, one voice twice), then one `voiceCloneBatchWorkflow` starts. An entry
 * that breaks a clone's rule does not refuse the batch: it ends `Failed` with `InvalidInput` in the report.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../config';
import {
  BATCH_MAX_CONCURRENT,
  VOICE_CLONE_BATCH_WORKFLOW_TYPE,
  type VoiceCloneBatchInput,
} from '../workflows/batch-definitions';
import { validateVoiceCloneBatchInput } from '../workflows/batch-validation';
import type { voiceCloneBatchWorkflow } from '../workflows/voice-clone-batch';
import { InvalidVoiceCloneInputError } from './start-voice-clone';

/** The batch's handle: `result()` is the report, `query(batchProgressQuery)` its counts while it runs. */
export type VoiceCloneBatchHandle = WorkflowHandleWithFirstExecutionRunId<typeof voiceCloneBatchWorkflow>;

/** A batch's input is one payload: Temporal refuses one over 2 MB (ASSUMPTION: the default `limit.blobSize.error`). */
export const BATCH_INPUT_MAX_BYTES = 1_900_000;

/** What every batch's default workflow ID starts with. */
export const VOICE_CLONE_BATCH_WORKFLOW_ID_PREFIX = 'voice-clone-batch-';

/** Options of `startVoiceCloneBatch`. */
export interface StartVoiceCloneBatchOptions {
  /** The batch's workflow ID (default `voice-clone-batch-<uuid>`); starting an ID that runs attaches to it. */
  workflowId?: string;
  /** Default: `voice-clone` (DEFAULT_TASK_QUEUE). The clones run on the batch's task queue. */
  taskQueue?: string;
}

/**
 * Starts a batch of clones and resolves once it runs; `handle.result()` waits for the report (every entry in input
 * order). Throws `InvalidVoiceCloneInputError` (field and rule) before any call for a batch that breaks a rule.
 */
export async function startVoiceCloneBatch(
  client: Client,
  input: VoiceCloneBatchInput,
  options: StartVoiceCloneBatchOptions = {},
): Promise<VoiceCloneBatchHandle> {
  const validation = validateVoiceCloneBatchInput(input);
  if (!validation.ok) throw new InvalidVoiceCloneInputError(validation.field, validation.rule);
  const inputBytes = Buffer.byteLength(JSON.stringify(input));
  if (inputBytes > BATCH_INPUT_MAX_BYTES) {
    const rule = `must stay within ${BATCH_INPUT_MAX_BYTES} bytes of JSON (Temporal's payload limit is 2 MB; this one has ${inputBytes}): split the batch`;
    throw new InvalidVoiceCloneInputError('clones', rule);
  }
  const { clones, maxConcurrent } = validation.value;
  const invalid = clones.filter((clone) => 'invalid' in clone).length;
  return client.workflow.start<typeof voiceCloneBatchWorkflow>(VOICE_CLONE_BATCH_WORKFLOW_TYPE, {
    workflowId: options.workflowId ?? `${VOICE_CLONE_BATCH_WORKFLOW_ID_PREFIX}${randomUUID()}`,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Clone a batch of ${clones.length} ICE voices, ${maxConcurrent} at once`,
    staticDetails: [
      `- Clones: ${clones.length}${invalid > 0 ? ` (${invalid} invalid: they end Failed, InvalidInput)` : ''}`,
      `- At once: ${maxConcurrent} (default ${BATCH_MAX_CONCURRENT.default})`,
      `- Cancel: ${input.cancelRunning === true ? 'also cancels the running clones' : 'running clones finish'}`,
    ].join('\n'),
  });
}
