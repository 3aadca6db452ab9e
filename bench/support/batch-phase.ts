/**
 * The batch phase (issue 27): N clones through `voiceCloneBatchWorkflow` with the emulator holding every ICE action
 * to `ratePerSec` and the worker's ICE client limiting each action to the same rate (ICE_MAX_CALLS_PER_SECOND; no
 * task-queue cap, which counts every activity together and would halve the submits), then the same
 * N through the loop a team would otherwise write: a client starting every clone at once and awaiting them. Each
 * path gets fresh voices and a fresh worker; the emulator's call log and rate-limit counts are cleared before each.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startVoiceClone } from '../../src/client/start-voice-clone';
import { startVoiceCloneBatch } from '../../src/client/start-voice-clone-batch';
import type { VoiceCloneBatchResult } from '../../src/workflows/batch-definitions';
import type { VoiceCloneInput } from '../../src/workflows/definitions';
import { callLogFigures, type BatchBenchResult, type BatchPathResult } from './batch-report';
import { createVoices } from './clone-phase';
import { BENCH_TASK_QUEUE, type BenchStack } from './stack';
import { beforeDeadline, mapLimit } from './stats';

const START_CONCURRENCY = 50;

export interface BatchPhaseOptions {
  clones: number;
  ratePerSec: number;
  /** GetCustomizedVoiceJob's limit: a clone reads its job twice per submit (the lookup, the callback's confirmation). */
  readRatePerSec: number;
  maxConcurrent: number;
  trainingMs: number;
  /** Only the batch, without the loop beside it (the 10,000-clone run). */
  skipLoop: boolean;
  log: (line: string) => void;
}

/** The clones of one path: voices created in ICE first (setup, before the rate limit and outside the timing). */
async function prepareClones(stack: BenchStack, prefix: string, clones: number): Promise<VoiceCloneInput[]> {
  await stack.emulator.admin.setFaults({});
  const voiceIds = Array.from({ length: clones }, (_, index) => `${prefix}${String(index).padStart(6, '0')}`);
  const jobIds = await createVoices(stack, voiceIds);
  return voiceIds.map((voiceId) => compactInput(voiceId, jobIds.get(voiceId)));
}

/**
 * The bench's clone input with its JobId and one recording, without `timing` (the default waits 10 minutes for the
 * callback) and with a short URL: 10,000 of them stay inside the batch's one-payload limit (BATCH_INPUT_MAX_BYTES).
 */
export function compactInput(voiceId: string, jobId: string | undefined): VoiceCloneInput {
  return {
    voiceId,
    ...(jobId !== undefined && { jobId }),
    recordings: [{ audioRecordId: 1, recordUrl: `https://bench.oss-cn-shanghai.aliyuncs.com/${voiceId}.wav` }],
  };
}

/**
 * Every ICE action held to `ratePerSec` (each counted apart), the job read to `readRatePerSec`, a fresh call log,
 * a worker's client at the same rates.
 */
async function limitedWorker(stack: BenchStack, name: string, options: BatchPhaseOptions) {
  const { ratePerSec, readRatePerSec } = options;
  await stack.emulator.admin.setFaults({
    operations: {
      '*': { rateLimitPerSecond: ratePerSec },
      GetCustomizedVoiceJob: { rateLimitPerSecond: readRatePerSec },
    },
  });
  await stack.emulator.admin.clearCalls();
  return stack.startPackageWorker(name, {
    iceMaxCallsPerSecond: { perSecond: ratePerSec, byAction: { GetCustomizedVoiceJob: readRatePerSec } },
  });
}

/** Generous: three rate-limited activities per clone at the rate, twice over, plus ten minutes. */
function deadlineFor(options: BatchPhaseOptions): number {
  return Date.now() + 600_000 + ((options.clones * 3 * 2) / options.ratePerSec) * 1000;
}

/** The history events of every run of a workflow that continues as new, in run order. */
export async function eventsPerRun(client: Client, workflowId: string, firstRunId: string): Promise<number[]> {
  const counts: number[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    counts.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return counts;
}

async function runBatchPath(stack: BenchStack, options: BatchPhaseOptions): Promise<BatchBenchResult['batch']> {
  const clones = await prepareClones(stack, 'BenchBa', options.clones);
  const worker = await limitedWorker(stack, 'batch', options);
  try {
    const startedAt = Date.now();
    const handle = await startVoiceCloneBatch(
      stack.client,
      { clones, maxConcurrent: options.maxConcurrent },
      { taskQueue: BENCH_TASK_QUEUE, workflowId: `bench-batch-${startedAt}` },
    );
    let report: VoiceCloneBatchResult | undefined;
    try {
      report = await beforeDeadline(stack.client, () => handle.result(), deadlineFor(options), 'the batch');
    } catch (error) {
      options.log(`batch: no report: ${error instanceof Error ? error.message : String(error)}`);
    }
    const completionMs = Date.now() - startedAt;
    const figures = callLogFigures(await stack.emulator.admin.calls());
    return {
      clones: options.clones,
      succeeded: report?.succeeded ?? 0,
      failed: report?.failed ?? options.clones,
      completionMs,
      ...figures,
      eventsPerRun: await eventsPerRun(stack.client, handle.workflowId, handle.firstExecutionRunId),
      finished: report !== undefined && report.total === options.clones,
    };
  } finally {
    await worker.shutdown();
  }
}

async function runLoopPath(stack: BenchStack, options: BatchPhaseOptions): Promise<BatchPathResult> {
  const clones = await prepareClones(stack, 'BenchLo', options.clones);
  const worker = await limitedWorker(stack, 'loop', options);
  try {
    const startedAt = Date.now();
    const deadlineAt = deadlineFor(options);
    const handles: WorkflowHandle[] = await mapLimit(clones, START_CONCURRENCY, (input) =>
      startVoiceClone(stack.client, input, { taskQueue: BENCH_TASK_QUEUE }),
    );
    const outcomes = await Promise.allSettled(
      handles.map((handle) => beforeDeadline(stack.client, () => handle.result(), deadlineAt, handle.workflowId)),
    );
    const completionMs = Date.now() - startedAt;
    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    return {
      clones: options.clones,
      succeeded,
      failed: options.clones - succeeded,
      completionMs,
      ...callLogFigures(await stack.emulator.admin.calls()),
    };
  } finally {
    await worker.shutdown();
  }
}

export async function runBatchPhase(stack: BenchStack, options: BatchPhaseOptions): Promise<BatchBenchResult> {
  const { clones, ratePerSec, readRatePerSec, maxConcurrent } = options;
  options.log(
    `batch: ${clones} clones, ${maxConcurrent} at once, every ICE action and the worker's client at ${ratePerSec}/s, the job read at ${readRatePerSec}/s`,
  );
  const batch = await runBatchPath(stack, options);
  options.log(
    `batch: ${batch.succeeded}/${clones} succeeded in ${(batch.completionMs / 1000).toFixed(1)} s, ` +
      `${batch.submitsPerSec} submits/s, ${batch.throttled} throttled, events per run ${batch.eventsPerRun.join(', ')}`,
  );
  let loop: BatchPathResult | undefined;
  if (!options.skipLoop) {
    options.log(`loop: the same ${clones} clones started at once by a client, awaited one by one`);
    loop = await runLoopPath(stack, options);
    options.log(
      `loop: ${loop.succeeded}/${clones} succeeded in ${(loop.completionMs / 1000).toFixed(1)} s, ` +
        `${loop.submitsPerSec} submits/s, ${loop.throttled} throttled`,
    );
  }
  await stack.emulator.admin.setFaults({});
  return { ratePerSec, readRatePerSec, maxConcurrent, trainingMs: options.trainingMs, batch, ...(loop && { loop }) };
}
