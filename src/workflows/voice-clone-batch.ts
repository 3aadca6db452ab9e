/**
 * A batch of voice clones: check the batch → run each clone as a child `voiceCloneWorkflow` in a sliding window of
 * `maxConcurrent` (samples-typescript `batch-sliding-window`) → continue as new every `clonesPerRun` clones, carrying
 * the decided entries → report every entry in input order. A cancelled batch starts no more clones; the running ones
 * finish unless `cancelRunning`. ICE's rate is the worker's business: the clones' activities run on the worker's task
 * queue under its `maxTaskQueueActivitiesPerSecond`, the batch itself calls no ICE operation.
 */
import { ApplicationFailure, CancellationScope, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { cloneInBatch } from './batch-clone';
import {
  BATCH_CLONES_PER_RUN,
  batchProgressQuery,
  VoiceCloneBatchFailureTypes,
  type VoiceCloneBatchInput,
  type VoiceCloneBatchResult,
  type VoiceCloneBatchRun,
} from './batch-definitions';
import { BatchReport } from './batch-report';
import { defaultFairnessKey, validateVoiceCloneBatchInput, type BatchClone, type ValidBatch } from './batch-validation';
import { lookUpSearchAttributes } from './clone-steps';
import { SlidingWindow } from './sliding-window';
import { declareVersioningBehavior } from './versioning';

/**
 * Runs every clone of `input` (at most `maxConcurrent` at once) and reports each in input order; a failed clone never
 * fails the batch. Fails `InvalidInput` before starting anything when the batch itself breaks a rule (two entries for
 * one voice, `maxConcurrent` out of range). `run` is the state a previous run carried over (callers leave it out).
 */
export async function voiceCloneBatchWorkflow(
  input: VoiceCloneBatchInput,
  run?: VoiceCloneBatchRun,
): Promise<VoiceCloneBatchResult> {
  const thisRun: VoiceCloneBatchRun = run ?? { total: input.clones?.length ?? 0, firstIndex: 0, decided: [] };
  const batch = validatedBatch(input, thisRun.firstIndex);
  const report = new BatchReport(thisRun);
  setHandler(batchProgressQuery, () => report.progress());
  const cancellation = new BatchCancellation(input.cancelRunning === true);
  const fairnessKey = input.fairnessKey ?? defaultFairnessKey(workflowInfo().workflowId);

  // Nothing below is cancelled by the batch's cancellation: BatchCancellation decides what stops.
  return await CancellationScope.nonCancellable(async () => {
    report.useSearchAttributes(await lookUpSearchAttributes());

    // This run starts at most clonesPerRun clones (fewer if Temporal suggests continuing as new); the next run the rest.
    const turn = batch.clones.slice(0, thisRun.clonesPerRun ?? BATCH_CLONES_PER_RUN);
    const window = new SlidingWindow(batch.maxConcurrent);
    cancellation.onCancel(() => window.close());
    let continuing = false;
    const takeTurn = async (clone: BatchClone): Promise<void> => {
      if (cancellation.requested) return report.settled(clone.index, clone.workflowId, NOT_STARTED, false);
      if ('invalid' in clone) return report.settled(clone.index, clone.workflowId, invalidEntry(clone.invalid), false);
      continuing ||= workflowInfo().continueAsNewSuggested;
      if (continuing) return; // left to the next run
      report.started();
      const outcome = await cancellation.run(() => cloneInBatch({ ...clone, fairnessKey }));
      report.settled(clone.index, clone.workflowId, outcome, true);
    };
    await Promise.all(turn.map((clone) => window.run(() => takeTurn(clone))));

    if (cancellation.requested) {
      for (const clone of batch.clones) {
        if (!report.isDecided(clone.index)) report.settled(clone.index, clone.workflowId, NOT_STARTED, false);
      }
      return report.result();
    }
    const next = batch.clones.find((clone) => !report.isDecided(clone.index));
    if (next === undefined) return report.result();
    return await continueAsNew<typeof voiceCloneBatchWorkflow>(
      { ...input, clones: input.clones.slice(next.index - thisRun.firstIndex) },
      { ...thisRun, firstIndex: next.index, decided: report.decidedBefore(next.index) },
    );
  });
}

// A batch lasts as long as its slowest clone (up to a 7-day recording session): it moves to the current build at its
// next task, so every change replays its recorded histories (docs/deploys.md#the-rule-for-a-new-workflow).
declareVersioningBehavior('AUTO_UPGRADE', voiceCloneBatchWorkflow);

/** The batch as checked; a batch that breaks a rule fails before anything starts. */
function validatedBatch(input: VoiceCloneBatchInput, firstIndex: number): ValidBatch {
  const validation = validateVoiceCloneBatchInput(input, firstIndex);
  if (validation.ok) return validation.value;
  throw ApplicationFailure.create({
    type: VoiceCloneBatchFailureTypes.InvalidInput,
    message: validation.message,
    nonRetryable: true,
    details: [{ field: validation.field, rule: validation.rule }],
  });
}

const NOT_STARTED = {
  status: 'Failed',
  failure: {
    type: VoiceCloneBatchFailureTypes.NotStarted,
    message: 'the batch was cancelled before this clone started',
  },
} as const;

function invalidEntry(invalid: { message: string }) {
  return {
    status: 'Failed',
    failure: { type: VoiceCloneBatchFailureTypes.InvalidInput, message: invalid.message },
  } as const;
}

/**
 * The batch's cancellation: once requested, no clone starts; the running ones run on, or with `cancelRunning` are
 * cancelled (each clone runs in a scope of its own, outside the workflow's root scope).
 */
class BatchCancellation {
  requested = false;
  private readonly running = new Set<CancellationScope>();
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly cancelRunning: boolean) {
    CancellationScope.current().cancelRequested.catch(() => {
      this.requested = true;
      for (const listener of this.listeners) listener();
      if (this.cancelRunning) for (const scope of this.running) scope.cancel();
    });
  }

  onCancel(listener: () => void): void {
    this.listeners.push(listener);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const scope = new CancellationScope();
    this.running.add(scope);
    try {
      return await scope.run(task);
    } finally {
      this.running.delete(scope);
    }
  }
}
