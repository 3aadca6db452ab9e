/**
 * The scale run: many clones waiting for their callbacks at once (the emulator's training time set to a day),
 * the worker's memory while they wait, then every job finished through the admin API and the time until every
 * clone has closed. Starting stops at a time budget so that a slow machine still yields a (smaller) result.
 */
import { startVoiceClone } from '../../src/client/start-voice-clone';
import type { WorkerChild } from '../../src/local-stack/worker-child';
import type { VoiceCloneResult } from '../../src/workflows/definitions';
import { cloneInput, createVoices } from './clone-phase';
import type { RssSample, ScaleResult } from './report-types';
import { BENCH_TASK_QUEUE, type BenchStack } from './stack';
import { beforeDeadline, mapLimit, sleep, toMiB } from './stats';

const DAY_MS = 86_400_000;
/**
 * The package's default callbackTimeout (10 min), or longer when the ramp and the settle window may take longer, so
 * that no clone polls before the callbacks begin. A callback ICE drops after its three tries (a burst beyond what
 * the stack absorbs in ~11 s) is then picked up by polling, as in production: the finish time includes that.
 */
function scaleTiming(rampBudgetMs: number, settleMs: number): { callbackTimeout: number } {
  return { callbackTimeout: Math.max(10 * 60_000, rampBudgetMs + settleMs + 2 * 60_000) };
}
/** Callbacks arrive in waves of this many concurrent finishes (the emulator fires one callback per finish). */
const FINISH_CONCURRENCY = 100;

export interface ScaleOptions {
  clones: number;
  prefix: string;
  /** Stop starting new clones after this long. */
  rampBudgetMs: number;
  batchSize: number;
  /** How long the clones wait, all started, before the memory reading: V8 frees the ramp's garbage in this time. */
  settleMs: number;
  log: (line: string) => void;
}

/**
 * A visibility read, retried until `giveUpAt`: under the burst of 10,000 callbacks the dev server's SQLite has
 * answered reads with "interrupted", "something went wrong" and "namespace not found", and a bench that dies on
 * one of them loses the finish time of a run that may still recover.
 */
async function readWithRetries<T>(
  what: string,
  read: () => Promise<T>,
  log: (line: string) => void,
  giveUpAt = Date.now() + 60_000,
): Promise<T> {
  let loggedAt = 0;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() >= giveUpAt) throw error;
      if (Date.now() - loggedAt >= 30_000) {
        loggedAt = Date.now();
        log(`scale: ${what} failed (${error instanceof Error ? error.message : String(error)}); retrying every 5 s`);
      }
      await sleep(5_000);
    }
  }
}

async function countWorkflows(
  stack: BenchStack,
  query: string,
  log: (line: string) => void,
  giveUpAt?: number,
): Promise<number> {
  const { count } = await readWithRetries(
    'counting workflows',
    () => stack.client.workflow.count(query),
    log,
    giveUpAt,
  );
  return count;
}

/**
 * The worker's RSS every 5 s while every clone waits. Read 5 s after the ramp, it still holds the ramp's garbage
 * (measured: 374 MiB with 3,000 waiting, then 233 MiB once V8's memory reducer ran, 30–60 s later), which is
 * not what waiting clones cost. The reading is the window's last sample, not its lowest: a late GC counts against us.
 */
async function settledMemory(
  worker: WorkerChild,
  settleMs: number,
): Promise<{ series: RssSample[]; peakRssBytes: number }> {
  const series: RssSample[] = [];
  for (let afterMs = 5_000; afterMs <= Math.max(settleMs, 5_000); afterMs += 5_000) {
    await sleep(5_000);
    series.push({ afterS: afterMs / 1000, rssMiB: toMiB(worker.memory().rssBytes) });
  }
  return { series, peakRssBytes: worker.memory().peakRssBytes };
}

/** Per job, whether ICE's callback was answered 2xx on its first try, on one of its retries, or never. */
async function iceCallbackOutcomes(
  stack: BenchStack,
  prefix: string,
): Promise<NonNullable<ScaleResult['iceCallbacksDuringBurst']>> {
  const firstDeliveredAttempt = new Map<string, number>();
  for (const delivery of await stack.emulator.admin.callbacks()) {
    if (!delivery.voiceId.startsWith(prefix)) continue;
    const attempt = delivery.outcome === 'delivered' ? delivery.attempt : Infinity;
    firstDeliveredAttempt.set(delivery.jobId, Math.min(firstDeliveredAttempt.get(delivery.jobId) ?? Infinity, attempt));
  }
  const attempts = [...firstDeliveredAttempt.values()];
  return {
    jobs: attempts.length,
    deliveredFirstTry: attempts.filter((attempt) => attempt === 1).length,
    deliveredOnRetry: attempts.filter((attempt) => attempt > 1 && attempt !== Infinity).length,
    gaveUp: attempts.filter((attempt) => attempt === Infinity).length,
  };
}

export async function runScalePhase(stack: BenchStack, options: ScaleOptions): Promise<ScaleResult> {
  const previous = await stack.emulator.admin.settings();
  await stack.emulator.admin.updateSettings({ trainingMs: DAY_MS });
  const worker = await stack.startPackageWorker('scale');

  try {
    const timing = scaleTiming(options.rampBudgetMs, options.settleMs);
    const t0 = Date.now();
    const voiceIds: string[] = [];
    // A clone waits for its callback once ICE has its submit: the wait is not indexed (the package's plan leaves it
    // out), so the emulator's job book says how many are waiting. Its counts, not its list: read every second, a
    // list of 10,000 jobs was megabytes of JSON for the emulator to write and the bench to parse.
    const submittedBefore = (await stack.emulator.admin.jobCounts()).submitted;
    const submittedJobs = async () => (await stack.emulator.admin.jobCounts()).submitted - submittedBefore;
    // Paced ramp: a batch starts only when the previous one is waiting for its callback, so that when the budget
    // runs out every started clone is waiting (memory is then read on waiting clones, not on a backlog).
    for (
      let offset = 0;
      offset < options.clones && Date.now() - t0 < options.rampBudgetMs;
      offset += options.batchSize
    ) {
      const batch = Array.from(
        { length: Math.min(options.batchSize, options.clones - offset) },
        (_, index) => `${options.prefix}${String(offset + index).padStart(6, '0')}`,
      );
      const jobIds = await createVoices(stack, batch);
      await mapLimit(batch, 50, (voiceId) =>
        startVoiceClone(stack.client, cloneInput(voiceId, jobIds.get(voiceId), timing), {
          taskQueue: BENCH_TASK_QUEUE,
        }),
      );
      voiceIds.push(...batch);
      const batchDeadline = Date.now() + 5 * 60_000;
      let waiting = 0;
      while ((waiting = await submittedJobs()) < voiceIds.length && Date.now() < batchDeadline) {
        await sleep(1_000);
      }
      if (waiting < voiceIds.length) {
        options.log(`scale: only ${waiting}/${voiceIds.length} waiting after 5 min; measuring as is`);
        break;
      }
      options.log(
        `scale: ${voiceIds.length}/${options.clones} waiting for their callback (${Math.round((Date.now() - t0) / 1000)} s)`,
      );
    }
    const clones = voiceIds.length;
    const rampMs = Date.now() - t0;
    const waitingMemory = await settledMemory(worker, options.settleMs);
    options.log(
      `scale: ${clones} waiting; worker RSS ${waitingMemory.series.map((sample) => `${sample.rssMiB}`).join(' → ')} MiB ` +
        `(every 5 s; peak ${toMiB(waitingMemory.peakRssBytes)} MiB)`,
    );

    const jobs = (await stack.emulator.admin.jobs()).filter(
      (job) => job.voiceId.startsWith(options.prefix) && job.submittedAt,
    );
    const receiverBefore = await stack.receiver.metrics();
    const finishStart = Date.now();
    await mapLimit(jobs, FINISH_CONCURRENCY, (job) => stack.emulator.admin.finishJob(job.jobId, { status: 'Success' }));
    const doneQuery = `WorkflowId STARTS_WITH "voice-clone-${options.prefix}" AND ExecutionStatus != "Running"`;
    // Dropped callbacks are polled for callbackTimeout after each clone's start, the last one started at the end of
    // the ramp, then within one poll interval (30 s) or so.
    const finishDeadline = t0 + rampMs + timing.callbackTimeout + 5 * 60_000;
    let loggedAt = Date.now();
    let allClosed = false;
    for (;;) {
      const done = await countWorkflows(stack, doneQuery, options.log, finishDeadline);
      if (done >= clones) {
        allClosed = true;
        break;
      }
      if (Date.now() - loggedAt >= 15_000) {
        loggedAt = Date.now();
        options.log(
          `scale: ${done}/${clones} closed ${Math.round((loggedAt - finishStart) / 1000)} s after the callbacks began`,
        );
      }
      if (Date.now() > finishDeadline) {
        options.log(
          `scale: only ${done}/${clones} closed ${Math.round((Date.now() - finishStart) / 1000)} s after the callbacks began`,
        );
        break;
      }
      await sleep(1_000);
    }
    const receiverAfter = await stack.receiver.metrics();
    const receiverDuringBurst = {
      signalled: receiverAfter.signalled - receiverBefore.signalled, // in time or from the backlog
      backlogged: receiverAfter.backlogged - receiverBefore.backlogged,
      busy: receiverAfter.busy - receiverBefore.busy,
      temporalUnavailable: receiverAfter.temporalUnavailable - receiverBefore.temporalUnavailable,
    };
    options.log(`scale: the receiver's answers to the burst: ${JSON.stringify(receiverDuringBurst)}`);
    const iceCallbacksDuringBurst = await iceCallbackOutcomes(stack, options.prefix);
    options.log(`scale: ICE's callbacks in the burst, by job: ${JSON.stringify(iceCallbacksDuringBurst)}`);
    // Close times from the server, not from when our count query noticed.
    const lastClose = await readWithRetries(
      'listing close times',
      async () => {
        let last = finishStart;
        for await (const execution of stack.client.workflow.list({ query: doneQuery })) {
          last = Math.max(last, execution.closeTime?.getTime() ?? 0);
        }
        return last;
      },
      options.log,
    );
    const completedVia: Record<string, number> = {};
    let completedCorrectly = 0;
    await mapLimit(voiceIds, 50, async (voiceId) => {
      // The result of a closed clone, read up to three times: one failed read must not count as a failed clone.
      let lastError: unknown;
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          const handle = stack.client.workflow.getHandle(`voice-clone-${voiceId}`);
          const result = (await beforeDeadline(
            stack.client,
            () => handle.result(),
            Date.now() + 10_000,
            voiceId,
          )) as VoiceCloneResult;
          completedVia[result.completedVia] = (completedVia[result.completedVia] ?? 0) + 1;
          completedCorrectly++;
          return;
        } catch (error) {
          lastError = error;
        }
      }
      const key = `error:${(lastError as Error).name}`;
      completedVia[key] = (completedVia[key] ?? 0) + 1;
    });
    return {
      clones,
      requestedClones: options.clones,
      rampMs,
      waitingWorkerRssMiB: waitingMemory.series.at(-1)?.rssMiB ?? 0,
      waitingWorkerRssSeries: waitingMemory.series,
      waitingWorkerPeakRssMiB: toMiB(waitingMemory.peakRssBytes),
      finishAllMs: allClosed ? lastClose - finishStart : null,
      workerPeakRssMiB: toMiB(Math.max(worker.memory().peakRssBytes, worker.sampledPeakRssBytes())),
      completedCorrectly,
      completedVia,
      receiverDuringBurst,
      iceCallbacksDuringBurst,
    };
  } finally {
    await worker.shutdown();
    await stack.emulator.admin.updateSettings(previous);
  }
}
