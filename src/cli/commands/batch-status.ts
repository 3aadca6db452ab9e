import { WorkflowFailedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import {
  batchProgressQuery,
  type VoiceCloneBatchProgress,
  type VoiceCloneBatchResult,
} from '../../workflows/batch-definitions';
import { EXIT_FAILURE, EXIT_OK, requiredString, type CommandSpec } from '../args';
import { describeBatchResult } from '../batch-output';
import type { CliContext, Command } from '../context';
import { CliFailure, describeWorkflowFailure } from '../errors';
import { connectTemporal } from '../temporal';

const spec: CommandSpec = {
  name: 'batch-status',
  summary:
    'Show a batch of clones: while it runs, its counts (the batchProgress query); once it ended, its report with\n' +
    'every failed clone.',
  options: {
    'batch-id': {
      type: 'string',
      value: '<id>',
      description: "The batch's workflow ID (`batch` prints it). Required.",
    },
    json: { type: 'boolean', description: 'Print JSON for scripts: { execution, progress } or { execution, result }.' },
  },
  notes: ['Exit code: 0 while the batch runs or when every clone succeeded; 1 when a clone or the batch failed.'],
};

function describeProgress(batchId: string, progress: VoiceCloneBatchProgress): string {
  const ended = progress.succeeded + progress.failed;
  return (
    `Batch ${batchId} running: ${ended}/${progress.total} ended (succeeded ${progress.succeeded}, failed ` +
    `${progress.failed}), running ${progress.running}, pending ${progress.pending}`
  );
}

export const command: Command = {
  spec,
  async run({ values }, context) {
    const batchId = requiredString(spec, values, 'batch-id');
    const json = values.json === true;
    const temporal = await connectTemporal(context.env);
    try {
      const handle = temporal.client.workflow.getHandle(batchId);
      let execution: string;
      try {
        execution = (await handle.describe()).status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new CliFailure(`no batch with workflow ID ${batchId}`);
        throw error;
      }
      if (execution === 'RUNNING') {
        const progress = await handle.query(batchProgressQuery);
        context.io.out(json ? JSON.stringify({ execution, progress }) : describeProgress(batchId, progress));
        return EXIT_OK;
      }
      return await showEnded(context, handle, execution, json);
    } finally {
      await temporal.close();
    }
  },
};

/** A batch that ended: its report, or why the batch itself failed (cancelled, terminated, timed out). */
async function showEnded(context: CliContext, handle: WorkflowHandle, execution: string, json: boolean) {
  let result: VoiceCloneBatchResult;
  try {
    result = (await handle.result()) as VoiceCloneBatchResult;
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const failure = describeWorkflowFailure(error);
    if (json) context.io.out(JSON.stringify({ execution, failure }));
    else context.io.err(`Batch ${handle.workflowId} ended ${execution}: ${failure}`);
    return EXIT_FAILURE;
  }
  if (json) context.io.out(JSON.stringify({ execution, result }));
  else for (const line of describeBatchResult(handle.workflowId, result)) context.io.out(line);
  return result.failed === 0 ? EXIT_OK : EXIT_FAILURE;
}
