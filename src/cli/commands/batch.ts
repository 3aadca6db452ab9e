import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { InvalidVoiceCloneInputError } from '../../client/start-voice-clone';
import { startVoiceCloneBatch, VOICE_CLONE_BATCH_WORKFLOW_ID_PREFIX } from '../../client/start-voice-clone-batch';
import { loadTaskQueue } from '../../config';
import {
  BATCH_MAX_CONCURRENT,
  type VoiceCloneBatchInput,
  type VoiceCloneBatchResult,
} from '../../workflows/batch-definitions';
import {
  EXIT_FAILURE,
  EXIT_OK,
  requiredString,
  stringOption,
  UsageError,
  wholeNumberOption,
  type CommandSpec,
  type ParsedValues,
} from '../args';
import { parseBatchFile, type BatchFile } from '../batch-file';
import { describeBatchResult, writeBatchReport } from '../batch-output';
import type { CliContext, Command } from '../context';
import { describeWorkflowFailure } from '../errors';
import { formatElapsed, watchBatchProgress } from '../progress';
import { connectTemporal } from '../temporal';

const spec: CommandSpec = {
  name: 'batch',
  summary:
    'Clone a batch of voices as one durable run (voiceCloneBatchWorkflow): each clone runs as its own clone\n' +
    'workflow, at most --max-concurrent at once; a clone already running is attached to, never submitted twice.\n' +
    'Every line of the file is checked first: a bad line stops the command (exit 2) and nothing starts.',
  options: {
    file: {
      type: 'string',
      value: '<clones.jsonl>',
      description:
        'One clone input per line, as JSON (the input `start` builds, e.g. {"voiceId":"Anna01",…}). Required.',
    },
    'max-concurrent': {
      type: 'string',
      value: '<n>',
      description: `Clones running at once, ${BATCH_MAX_CONCURRENT.min}-${BATCH_MAX_CONCURRENT.max} (default ${BATCH_MAX_CONCURRENT.default}).`,
    },
    'batch-id': {
      type: 'string',
      value: '<id>',
      description: "The batch's workflow ID (default voice-clone-batch-<time>); a running batch is attached to.",
    },
    wait: {
      type: 'boolean',
      description: 'Show progress (counts, rate, time left) and wait: exit 0 when every clone succeeded, else 1.',
    },
    report: { type: 'string', value: '<report.json>', description: 'With --wait: write the batch report there.' },
  },
  notes: [
    'Example line: {"voiceId":"Anna01","jobId":"…","recordings":[{"audioRecordId":1,"recordUrl":"https://…"}]}',
    'or {"edition":"cosyvoice","voiceName":"Anna","gender":"female","audioMediaId":"…","model":"cosyvoice-v3-plus"}.',
    'A clone that fails does not fail the batch: the report lists it. `batch-status --batch-id <id>` shows a batch.',
    'Temporal connection and task queue as for `start`; a worker must be running.',
  ],
};

/** The batch's default workflow ID: readable, sortable by start time, unique enough for one user's batches. */
function defaultBatchId(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${VOICE_CLONE_BATCH_WORKFLOW_ID_PREFIX}${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

async function readBatchFile(file: string): Promise<BatchFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`batch: cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseBatchFile(text, path.basename(file));
}

/** `--report` needs `--wait`, and a folder it can write to: checked before the batch starts, not hours later. */
async function reportOption(values: ParsedValues): Promise<string | undefined> {
  const report = stringOption(values, 'report');
  if (report === undefined) return undefined;
  if (values.wait !== true)
    throw new UsageError('batch: --report needs --wait (the report exists once the batch ends)');
  try {
    await access(path.dirname(path.resolve(report)), constants.W_OK);
  } catch {
    throw new UsageError(`batch: --report ${report}: its folder does not exist or is not writable`);
  }
  return report;
}

export const command: Command = {
  spec,
  async run({ values }, context) {
    const file = await readBatchFile(requiredString(spec, values, 'file'));
    const maxConcurrent = wholeNumberOption(
      spec,
      values,
      'max-concurrent',
      BATCH_MAX_CONCURRENT.min,
      BATCH_MAX_CONCURRENT.max,
    );
    const report = await reportOption(values);
    const batchId = stringOption(values, 'batch-id') ?? defaultBatchId();
    const taskQueue = loadTaskQueue(context.env);
    const temporal = await connectTemporal(context.env);
    try {
      const startedAt = Date.now();
      const input: VoiceCloneBatchInput = {
        clones: file.clones,
        ...(maxConcurrent !== undefined && { maxConcurrent }),
      };
      const handle = await startVoiceCloneBatch(temporal.client, input, { workflowId: batchId, taskQueue }).catch(
        (error: unknown) => {
          // A rule of the batch as a whole (the lines were checked one by one above): bad usage, nothing started.
          throw error instanceof InvalidVoiceCloneInputError ? new UsageError(`batch: ${error.message}`) : error;
        },
      );
      const atOnce = maxConcurrent ?? BATCH_MAX_CONCURRENT.default;
      context.io.out(
        `Batch of ${file.clones.length} clones running as workflow ${handle.workflowId}, ${atOnce} at once` +
          (values.wait === true ? '; waiting…' : ''),
      );
      if (values.wait !== true) return EXIT_OK;
      return await awaitBatch(context, handle, { file, report, startedAt });
    } finally {
      await temporal.close();
    }
  },
};

/** `--wait`: live progress until the report; exit 0 only when every clone succeeded. */
async function awaitBatch(
  context: CliContext,
  handle: WorkflowHandle,
  options: { file: BatchFile; report: string | undefined; startedAt: number },
): Promise<number> {
  const progress = watchBatchProgress(handle, (line) => context.io.out(line), { startedAt: options.startedAt });
  const outcome = await Promise.race([
    (handle.result() as Promise<VoiceCloneBatchResult>).then(
      (result) => ({ kind: 'result' as const, result }),
      (error: unknown) => ({ kind: 'error' as const, error }),
    ),
    context.stopRequested().then(() => ({ kind: 'interrupted' as const })),
  ]);
  await progress.stop();
  const elapsed = formatElapsed(Date.now() - options.startedAt);
  if (outcome.kind === 'interrupted') {
    context.io.err(`Stopped waiting; the batch continues as workflow ${handle.workflowId}.`);
    return EXIT_FAILURE;
  }
  if (outcome.kind === 'error') {
    if (!(outcome.error instanceof WorkflowFailedError)) throw outcome.error;
    context.io.err(`Batch ${handle.workflowId} failed after ${elapsed}: ${describeWorkflowFailure(outcome.error)}`);
    return EXIT_FAILURE;
  }
  if (options.report !== undefined) await writeBatchReport(options.report, outcome.result);
  const [summary, ...failed] = describeBatchResult(handle.workflowId, outcome.result, options.file.lineNumbers);
  context.io.out(`${summary} [${elapsed}]`);
  for (const line of failed) context.io.err(line);
  return outcome.result.failed === 0 ? EXIT_OK : EXIT_FAILURE;
}
