/**
 * The scale run: many clones waiting for their callbacks at once (the emulator's training time set to a day),
 * the worker's memory while they wait, then every job finished through the admin API and the time until every
 * clone has closed. Starting stops at a time budget so that a slow machine still yields a (smaller) result.
 * The burst's events reach the clones the way the stack takes them: ICE's HTTP callbacks or its MNS queue.
 */
import type { CallbackConsumerMetrics } from '../../src/callback/consumer-metrics';
import type { CallbackMetrics } from '../../src/callback/metrics';
import { startVoiceClone } from '../../src/client/start-voice-clone';
import type { MnsQueueSummary } from '../../src/emulator';
import type { WorkerChild } from '../../src/local-stack/worker-child';
import type { VoiceCloneResult } from '../../src/workflows/definitions';
import { cloneInput, createVoices } from './clone-phase';
import type { RssSample, ScaleResult } from './report-types';
import { BENCH_TASK_QUEUE, type BurstStack } from './stack';
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

/** Messages a queue still holds: visible, received and not deleted, or delayed. */
const queueMessageCount = (queue: MnsQueueSummary): number =>
  queue.activeMessages + queue.inactiveMessages + queue.delayMessages;

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
  stack: BurstStack,
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

/**
 * Per job, whether ICE's callback was answered 2xx (HTTP) or written into the queue (MNS) on its first try, on one
 * of its retries, or never.
 */
async function iceCallbackOutcomes(
  stack: BurstStack,
  prefix: string,
): Promise<NonNullable<ScaleResult['iceCallbacksDuringBurst']>> {
  const firstDeliveredAttempt = new Map<string, number>();
  for (const delivery of await stack.emulator.admin.callbacks()) {
    if (!delivery.voiceId.startsWith(prefix)) continue;
    const landed = delivery.outcome === 'delivered' || delivery.outcome === 'queued';
    const attempt = landed ? delivery.attempt : Infinity;
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

/**
 * Paced ramp: a batch starts only when the previous one is waiting for its callback, so that when the budget runs
 * out every started clone is waiting (memory is then read on waiting clones, not on a backlog).
 */
async function rampUp(
  stack: BurstStack,
  options: ScaleOptions,
  timing: { callbackTimeout: number },
  t0: number,
): Promise<string[]> {
  const voiceIds: string[] = [];
  // A clone waits for its callback once ICE has its submit: the wait is not indexed (the package's plan leaves it
  // out), so the emulator's job book says how many are waiting. Its counts, not its list: read every second, a
  // list of 10,000 jobs was megabytes of JSON for the emulator to write and the bench to parse.
  const submittedBefore = (await stack.emulator.admin.jobCounts()).submitted;
  const submittedJobs = async () => (await stack.emulator.admin.jobCounts()).submitted - submittedBefore;
  for (let offset = 0; offset < options.clones && Date.now() - t0 < options.rampBudgetMs; offset += options.batchSize) {
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
  return voiceIds;
}

/** Counts closed clones every second until all have closed (true) or `finishDeadline` passes (false). */
async function waitUntilAllClosed(
  stack: BurstStack,
  doneQuery: string,
  clones: number,
  finishStart: number,
  finishDeadline: number,
  log: (line: string) => void,
): Promise<boolean> {
  let loggedAt = Date.now();
  for (;;) {
    const done = await countWorkflows(stack, doneQuery, log, finishDeadline);
    if (done >= clones) return true;
    if (Date.now() - loggedAt >= 15_000) {
      loggedAt = Date.now();
      log(`scale: ${done}/${clones} closed ${Math.round((loggedAt - finishStart) / 1000)} s after the callbacks began`);
    }
    if (Date.now() > finishDeadline) {
      log(
        `scale: only ${done}/${clones} closed ${Math.round((Date.now() - finishStart) / 1000)} s after the callbacks began`,
      );
      return false;
    }
    await sleep(1_000);
  }
}

/** Close times from the server, not from when our count query noticed. */
function lastCloseTime(stack: BurstStack, doneQuery: string, since: number, log: (line: string) => void) {
  return readWithRetries(
    'listing close times',
    async () => {
      let last = since;
      for await (const execution of stack.client.workflow.list({ query: doneQuery })) {
        last = Math.max(last, execution.closeTime?.getTime() ?? 0);
      }
      return last;
    },
    log,
  );
}

/** How each clone closed (its result's completedVia), or the error its result read ended with. */
async function closedVia(
  stack: BurstStack,
  voiceIds: readonly string[],
): Promise<{ completedVia: Record<string, number>; completedCorrectly: number }> {
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
  return { completedVia, completedCorrectly };
}

/** The intake's answers to the burst (HTTP receiver or queue consumer), counted from `before`. */
function intakeDuringBurst(
  before: CallbackMetrics,
  after: CallbackMetrics,
): NonNullable<ScaleResult['receiverDuringBurst']> {
  return {
    signalled: after.signalled - before.signalled, // in time or from the backlog
    backlogged: after.backlogged - before.backlogged,
    busy: after.busy - before.busy,
    temporalUnavailable: after.temporalUnavailable - before.temporalUnavailable,
  };
}

/** MNS: what the consumer did with the burst's messages, and how many the queue still holds after it. */
async function queueDuringBurst(
  stack: BurstStack,
  before: CallbackConsumerMetrics | undefined,
): Promise<ScaleResult['queueDuringBurst']> {
  const after = stack.intake.queueMetrics();
  if (!before || !after) return undefined;
  const deleted = (metrics: CallbackConsumerMetrics) =>
    Object.values(metrics.deleted).reduce((sum, count) => sum + (count ?? 0), 0);
  const queues = await stack.emulator.admin.mnsQueues();
  return {
    received: after.received - before.received,
    deleted: deleted(after) - deleted(before),
    redelivered: after.redelivered - before.redelivered,
    receiveErrors: after.receiveErrors - before.receiveErrors,
    leftInQueue: queues.reduce((sum, queue) => sum + queueMessageCount(queue), 0),
  };
}

export async function runScalePhase(stack: BurstStack, options: ScaleOptions): Promise<ScaleResult> {
  const previous = await stack.emulator.admin.settings();
  await stack.emulator.admin.updateSettings({ trainingMs: DAY_MS });
  const worker = await stack.startPackageWorker('scale');
  try {
    const timing = scaleTiming(options.rampBudgetMs, options.settleMs);
    const t0 = Date.now();
    const voiceIds = await rampUp(stack, options, timing, t0);
    const clones = voiceIds.length;
    const rampMs = Date.now() - t0;
    const waitingMemory = await settledMemory(worker, options.settleMs);
    options.log(
      `scale: ${clones} waiting; worker RSS ${waitingMemory.series.map((sample) => `${sample.rssMiB}`).join(' → ')} MiB ` +
        `(every 5 s; peak ${toMiB(waitingMemory.peakRssBytes)} MiB)`,
    );
    const burst = await burstAndWait(stack, options, t0 + rampMs + timing.callbackTimeout + 5 * 60_000, clones);
    return {
      callbacks: stack.intake.path,
      clones,
      requestedClones: options.clones,
      rampMs,
      waitingWorkerRssMiB: waitingMemory.series.at(-1)?.rssMiB ?? 0,
      waitingWorkerRssSeries: waitingMemory.series,
      waitingWorkerPeakRssMiB: toMiB(waitingMemory.peakRssBytes),
      workerPeakRssMiB: toMiB(Math.max(worker.memory().peakRssBytes, worker.sampledPeakRssBytes())),
      ...burst,
      ...(await closedVia(stack, voiceIds)),
    };
  } finally {
    await worker.shutdown();
    await stack.emulator.admin.updateSettings(previous);
  }
}

/**
 * Every waiting clone's training finished at once, then the wait until all have closed. Dropped callbacks are
 * polled for callbackTimeout after each clone's start, the last one started at the end of the ramp, then within
 * one poll interval (30 s) or so: `finishDeadline` leaves room for that.
 */
async function burstAndWait(
  stack: BurstStack,
  options: ScaleOptions,
  finishDeadline: number,
  clones: number,
): Promise<Pick<ScaleResult, 'finishAllMs' | 'receiverDuringBurst' | 'iceCallbacksDuringBurst' | 'queueDuringBurst'>> {
  const jobs = (await stack.emulator.admin.jobs()).filter(
    (job) => job.voiceId.startsWith(options.prefix) && job.submittedAt,
  );
  const intakeBefore = await stack.intake.metrics();
  const queueBefore = stack.intake.queueMetrics();
  const finishStart = Date.now();
  await mapLimit(jobs, FINISH_CONCURRENCY, (job) => stack.emulator.admin.finishJob(job.jobId, { status: 'Success' }));
  const doneQuery = `WorkflowId STARTS_WITH "voice-clone-${options.prefix}" AND ExecutionStatus != "Running"`;
  const allClosed = await waitUntilAllClosed(stack, doneQuery, clones, finishStart, finishDeadline, options.log);
  const receiverDuringBurst = intakeDuringBurst(intakeBefore, await stack.intake.metrics());
  options.log(`scale: the ${stack.intake.path} intake's answers to the burst: ${JSON.stringify(receiverDuringBurst)}`);
  const queue = await queueDuringBurst(stack, queueBefore);
  if (queue) options.log(`scale: the queue consumer during the burst: ${JSON.stringify(queue)}`);
  const iceCallbacksDuringBurst = await iceCallbackOutcomes(stack, options.prefix);
  options.log(`scale: ICE's callbacks in the burst, by job: ${JSON.stringify(iceCallbacksDuringBurst)}`);
  const lastClose = await lastCloseTime(stack, doneQuery, finishStart, options.log);
  return {
    finishAllMs: allClosed ? lastClose - finishStart : null,
    receiverDuringBurst,
    iceCallbacksDuringBurst,
    ...(queue && { queueDuringBurst: queue }),
  };
}
