/** The baseline phase: N bare-Temporal clones of the same shape on the same stack, with a fresh worker process. */
import { startBaselineTrainer } from './baseline-trainer';
import { closeTimesMs, historySizes } from './clone-phase';
import { startCpuCount } from './cpu';
import type { PhaseRun } from './rounds';
import type { BenchStack } from './stack';
import { beforeDeadline, mapLimit, percentiles, phaseThroughput, toMiB } from './stats';

const BASELINE_TASK_QUEUE = 'baseline-bench';

export async function runBaselinePhase(
  stack: BenchStack,
  clones: number,
  trainingMs: number,
  idPrefix = 'baseline',
): Promise<PhaseRun> {
  const trainer = await startBaselineTrainer(stack.client, trainingMs);
  const worker = await stack.startBaselineWorker(BASELINE_TASK_QUEUE, trainer.url);
  try {
    const cpu = startCpuCount({
      server: stack.server.pid,
      worker: worker.pid,
      emulator: stack.emulator.pid,
      receiver: stack.receiver.pid,
    });
    const workflowIds = Array.from({ length: clones }, (_, index) => `${idPrefix}-${String(index).padStart(6, '0')}`);
    const startedAt = new Map<string, number>();
    const resultAt = new Map<string, number>();
    let completed = 0;
    const t0 = Date.now();
    const deadlineAt = t0 + 120_000 + clones * 1_000;
    const handles = await mapLimit(workflowIds, 50, async (workflowId) => {
      startedAt.set(workflowId, Date.now());
      return stack.client.workflow.start('baselineCloneWorkflow', {
        taskQueue: BASELINE_TASK_QUEUE,
        workflowId,
        args: [{ voiceId: workflowId, recordings: 1 }],
      });
    });
    await Promise.all(
      handles.map(async (handle) => {
        try {
          await beforeDeadline(stack.client, () => handle.result(), deadlineAt, handle.workflowId);
          completed++;
        } catch {
          // counted as not completed
        } finally {
          resultAt.set(handle.workflowId, Date.now());
        }
      }),
    );
    const throughput = phaseThroughput(
      clones,
      [...resultAt.values()].map((at) => at - t0),
    );
    const memory = worker.memory();
    const cpuSeconds = cpu.stop();
    const closed = await closeTimesMs(stack, workflowIds);
    const signalToResult = workflowIds
      .map((workflowId) => (closed.get(workflowId) ?? NaN) - (trainer.signalledAt.get(workflowId) ?? NaN))
      .filter((value) => Number.isFinite(value));
    const startToResult = workflowIds.map((id) => (resultAt.get(id) ?? NaN) - (startedAt.get(id) ?? NaN));
    return {
      result: {
        path: 'baseline',
        clones,
        completedCorrectly: completed,
        ...throughput,
        startToResultMs: percentiles(startToResult),
        callbackDeliveredToResultMs: percentiles(signalToResult),
        historyEvents: await historySizes(stack, workflowIds),
        workerPeakRssMiB: toMiB(Math.max(memory.peakRssBytes, worker.sampledPeakRssBytes())),
        cpuSeconds,
      },
      samples: { startToResultMs: startToResult, callbackDeliveredToResultMs: signalToResult },
    };
  } finally {
    await worker.shutdown();
    await trainer.close();
  }
}
