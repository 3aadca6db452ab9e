/**
 * One timed phase of N clones of the package (callback or poll path) with a fresh worker process: starts them
 * all, awaits every result, then reads close times, history sizes, ICE calls and the worker's peak memory.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { startVoiceClone } from '../../src/client/start-voice-clone';
import type { CallbackDelivery } from '../../src/emulator';
import {
  statusQuery,
  voiceCloneWorkflowId,
  type VoiceCloneInput,
  type VoiceCloneResult,
  type VoiceCloneTiming,
} from '../../src/workflows/definitions';
import { startCpuCount } from './cpu';
import type { PhaseResult } from './report-types';
import type { PhaseRun } from './rounds';
import { describeSlowCallbacks, SLOW_CALLBACK_MS, type SlowCallback } from './slow-callbacks';
import { BENCH_TASK_QUEUE, type BenchStack } from './stack';
import { beforeDeadline, mapLimit, percentiles, phaseThroughput, sleep, toMiB } from './stats';

const START_CONCURRENCY = 50;
const HISTORY_SAMPLE = 20;

/** A clone as a user who created the voice starts it: with the JobId CreateCustomizedVoiceJob returned. */
export function cloneInput(voiceId: string, jobId: string | undefined, timing: VoiceCloneTiming): VoiceCloneInput {
  return {
    voiceId,
    ...(jobId !== undefined && { jobId }),
    recordings: [{ audioRecordId: 1, recordUrl: `https://bench-bucket.oss-cn-shanghai.aliyuncs.com/${voiceId}/1.wav` }],
    timing,
  };
}

/**
 * ICE needs the voice to exist (CreateCustomizedVoiceJob) before detection: setup, outside the timed window.
 * Returns each voice's JobId.
 */
export async function createVoices(
  stack: Pick<BenchStack, 'ice'>,
  voiceIds: readonly string[],
): Promise<Map<string, string>> {
  const created = await mapLimit(voiceIds, 16, (voiceId) =>
    stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' }),
  );
  return new Map(created.map((response, index) => [voiceIds[index], response.jobId]));
}

export async function closeTimesMs(stack: BenchStack, workflowIds: readonly string[]): Promise<Map<string, number>> {
  const closed = new Map<string, number>();
  await mapLimit(workflowIds, 20, async (workflowId) => {
    const description = await stack.client.workflow.getHandle(workflowId).describe();
    if (description.closeTime) closed.set(workflowId, description.closeTime.getTime());
  });
  return closed;
}

export async function historySizes(
  stack: BenchStack,
  workflowIds: readonly string[],
): Promise<PhaseResult['historyEvents']> {
  const sample = workflowIds
    .filter((_, index) => index % Math.max(1, Math.floor(workflowIds.length / HISTORY_SAMPLE)) === 0)
    .slice(0, HISTORY_SAMPLE);
  const sizes = await mapLimit(sample, 5, async (workflowId) => {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    return history.events?.length ?? 0;
  });
  return {
    sampled: sizes.length,
    min: Math.min(...sizes),
    max: Math.max(...sizes),
    mean: Math.round((sizes.reduce((sum, size) => sum + size, 0) / Math.max(1, sizes.length)) * 10) / 10,
  };
}

export async function iceCallsPerClone(stack: BenchStack, clones: number): Promise<Record<string, number>> {
  const byAction: Record<string, number> = {};
  for (const call of await stack.emulator.admin.calls()) byAction[call.action] = (byAction[call.action] ?? 0) + 1;
  return Object.fromEntries(
    Object.entries(byAction).map(([action, count]) => [action, Math.round((count / clones) * 100) / 100]),
  );
}

const STRAGGLERS_DESCRIBED = 5;

/**
 * What a clone that missed the phase's deadline was doing: its execution status and stage (status query), the
 * emulator's job and every callback attempt for it, so that the report says why, not only how many.
 */
async function describeStragglers(
  stack: BenchStack,
  voiceIds: readonly string[],
  deliveries: readonly CallbackDelivery[],
  jobs: readonly { voiceId: string; jobId: string; status: string }[],
): Promise<string[]> {
  return mapLimit(voiceIds.slice(0, STRAGGLERS_DESCRIBED), 5, async (voiceId) => {
    const handle = stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId));
    const job = jobs.find((candidate) => candidate.voiceId === voiceId);
    const callbacks = deliveries
      .filter((delivery) => delivery.voiceId === voiceId)
      .map(
        (delivery) =>
          `#${delivery.attempt} ${delivery.outcome} ${delivery.httpStatus ?? 'no answer'} at ${delivery.at}`,
      );
    let state: string;
    try {
      const description = await handle.describe();
      state = description.status.name;
      if (state === 'RUNNING') {
        const status = await handle.query(statusQuery);
        state += ` stage=${status.stage} lastIceStatus=${status.lastIceStatus ?? '-'} callbacksReceived=${status.callbacksReceived} statusChecks=${status.statusChecks}`;
      }
    } catch (error) {
      state = `unreadable (${error instanceof Error ? error.message : String(error)})`;
    }
    return `${voiceId}: ${state}; ICE job ${job ? `${job.jobId} ${job.status}` : 'none'}; callbacks: ${callbacks.join(', ') || 'none'}`;
  });
}

export interface ClonePhaseOptions {
  path: 'callback' | 'poll';
  clones: number;
  prefix: string;
  timing: VoiceCloneTiming;
  /** Start this many clones a second (latency below saturation); default: all at once (throughput). */
  startsPerSec?: number;
}

export async function runClonePhase(stack: BenchStack, options: ClonePhaseOptions): Promise<PhaseRun> {
  const voiceIds = Array.from(
    { length: options.clones },
    (_, index) => `${options.prefix}${String(index).padStart(6, '0')}`,
  );
  const jobIds = await createVoices(stack, voiceIds);
  await stack.emulator.admin.clearCalls();
  const worker = await stack.startPackageWorker(options.path);

  try {
    const cpu = startCpuCount({
      server: stack.server.pid,
      worker: worker.pid,
      emulator: stack.emulator.pid,
      receiver: stack.receiver.pid,
    });
    const startedAt = new Map<string, number>();
    const resultAt = new Map<string, number>();
    const results = new Map<string, VoiceCloneResult | Error>();
    const t0 = Date.now();
    // A broken build must not hang the bench: a clone not done by then counts as not completed.
    const deadlineAt = t0 + 120_000 + options.clones * 1_000;
    const pace = options.startsPerSec;
    const awaitResult = async (handle: WorkflowHandle, voiceId: string): Promise<void> => {
      try {
        results.set(
          voiceId,
          (await beforeDeadline(stack.client, () => handle.result(), deadlineAt, voiceId)) as VoiceCloneResult,
        );
      } catch (error) {
        results.set(voiceId, error as Error);
      }
      resultAt.set(voiceId, Date.now());
    };
    // Each result is awaited from its own start on (not after the last start), so that paced latencies are true.
    const awaiting: Promise<void>[] = [];
    const handles: WorkflowHandle[] = await mapLimit(voiceIds, START_CONCURRENCY, async (voiceId, index) => {
      if (pace !== undefined) await sleep(t0 + (index * 1000) / pace - Date.now());
      startedAt.set(voiceId, Date.now());
      const handle = await startVoiceClone(stack.client, cloneInput(voiceId, jobIds.get(voiceId), options.timing), {
        taskQueue: BENCH_TASK_QUEUE,
      });
      awaiting.push(awaitResult(handle, voiceId));
      return handle;
    });
    await Promise.all(awaiting);
    const throughput = phaseThroughput(
      options.clones,
      [...resultAt.values()].map((at) => at - t0),
    );
    const memory = worker.memory();
    const cpuSeconds = cpu.stop();

    const workflowIds = handles.map((handle) => handle.workflowId);
    const closed = await closeTimesMs(stack, workflowIds);
    const jobs = await stack.emulator.admin.jobs();
    const finishedAt = new Map(
      jobs.filter((job) => job.finishedAt).map((job) => [job.voiceId, Date.parse(job.finishedAt ?? '')]),
    );
    const deliveries = await stack.emulator.admin.callbacks();
    const deliveredAt = new Map<string, number>();
    for (const delivery of deliveries) {
      if (delivery.outcome === 'delivered' && !deliveredAt.has(delivery.voiceId))
        deliveredAt.set(delivery.voiceId, Date.parse(delivery.at));
    }
    const completedVia: Record<string, number> = {};
    let completedCorrectly = 0;
    const callbackToResult: number[] = [];
    const deliveredToResult: number[] = [];
    const slowCallbacks: SlowCallback[] = [];
    voiceIds.forEach((voiceId, index) => {
      const result = results.get(voiceId);
      const via = result instanceof Error || result === undefined ? `error:${result?.name}` : result.completedVia;
      completedVia[via] = (completedVia[via] ?? 0) + 1;
      if (via === options.path) completedCorrectly++;
      const closeMs = closed.get(workflowIds[index]);
      const sentMs = finishedAt.get(voiceId);
      const deliveredMs = deliveredAt.get(voiceId);
      if (options.path === 'callback' && closeMs !== undefined && sentMs !== undefined) {
        const callbackToResultMs = closeMs - sentMs;
        callbackToResult.push(callbackToResultMs);
        if (callbackToResultMs > SLOW_CALLBACK_MS) slowCallbacks.push({ voiceId, sentMs, callbackToResultMs });
      }
      if (options.path === 'callback' && closeMs !== undefined && deliveredMs !== undefined)
        deliveredToResult.push(closeMs - deliveredMs);
    });
    const stragglers = await describeStragglers(
      stack,
      voiceIds.filter((voiceId) => results.get(voiceId) instanceof Error),
      deliveries,
      jobs,
    );
    const slow = await describeSlowCallbacks(stack, slowCallbacks, deliveries);
    const startToResult = voiceIds.map((voiceId) => (resultAt.get(voiceId) ?? NaN) - (startedAt.get(voiceId) ?? NaN));
    const isCallback = options.path === 'callback';
    const result: PhaseResult = {
      path: options.path,
      load: pace === undefined ? 'all at once' : `${pace} starts/s`,
      clones: options.clones,
      completedCorrectly,
      ...throughput,
      startToResultMs: percentiles(startToResult),
      ...(isCallback
        ? {
            callbackToResultMs: percentiles(callbackToResult),
            callbackDeliveredToResultMs: percentiles(deliveredToResult),
          }
        : {}),
      historyEvents: await historySizes(stack, workflowIds),
      iceCallsPerClone: await iceCallsPerClone(stack, options.clones),
      completedVia,
      ...(stragglers.length > 0 && { stragglers }),
      ...(slow.length > 0 && { slowCallbacks: slow }),
      workerPeakRssMiB: toMiB(Math.max(memory.peakRssBytes, worker.sampledPeakRssBytes())),
      cpuSeconds,
    };
    return {
      result,
      samples: {
        startToResultMs: startToResult,
        ...(isCallback ? { callbackToResultMs: callbackToResult, callbackDeliveredToResultMs: deliveredToResult } : {}),
      },
    };
  } finally {
    await worker.shutdown();
  }
}
