/**
 * The burst's ceiling on this machine: the scale run's burst with bare Temporal. N baseline clones (the clone's
 * shape, no package logic: bench/baseline-workflows.ts) wait for their signal on a fresh stack with the same
 * worker settings, then all are signalled at the queue consumer's default concurrency, and the time until every
 * one has closed is taken. What the package's burst cannot beat on the same machine, whatever its front door.
 */
import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { DEFAULT_CALLBACK_MAX_IN_FLIGHT } from '../../src/config';
import type { BaselineBurstResult } from './report-types';
import { startBenchStack, type BenchStackOptions } from './stack';
import { mapLimit, sleep } from './stats';

const TASK_QUEUE = 'baseline-burst';
const CLOSED = "WorkflowType='baselineCloneWorkflow' AND ExecutionStatus='Completed'";

/**
 * Waits until `clones` baseline clones have closed, then answers the last close time from the server (as the scale
 * run does): awaiting 10,000 results at once would be 10,000 long polls, beyond the namespace's poller limit.
 */
async function lastCloseAfter(client: Client, clones: number, giveUpAt: number): Promise<number> {
  while ((await client.workflow.count(CLOSED)).count < clones) {
    if (Date.now() > giveUpAt) throw new Error(`baseline burst: not all ${clones} clones closed in time`);
    await sleep(1_000);
  }
  let last = 0;
  for await (const execution of client.workflow.list({ query: CLOSED })) {
    last = Math.max(last, execution.closeTime?.getTime() ?? 0);
  }
  return last;
}

/** Stands in for ICE: counts the baseline's submits and never signals (the burst does). */
async function startSubmitCounter(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let submits = 0;
  const server: Server = createServer((_request, response) => {
    submits++;
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/train`,
    count: () => submits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function runBaselineBurst(
  stackOptions: BenchStackOptions,
  clones: number,
  log: (line: string) => void,
): Promise<BaselineBurstResult> {
  const stack = await startBenchStack(stackOptions);
  const counter = await startSubmitCounter();
  const worker = await stack.startBaselineWorker(TASK_QUEUE, counter.url);
  try {
    const workflowIds = Array.from({ length: clones }, (_, index) => `BenchBb${String(index).padStart(6, '0')}`);
    const t0 = Date.now();
    const handles = await mapLimit(workflowIds, 50, (workflowId) =>
      stack.client.workflow.start('baselineCloneWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [{ voiceId: workflowId, recordings: 1 }],
      }),
    );
    while (counter.count() < clones) await sleep(1_000);
    const rampMs = Date.now() - t0;
    log(`baseline burst: ${clones} bare clones waiting after ${Math.round(rampMs / 1000)} s; settling 10 s`);
    await sleep(10_000);
    const burstAt = Date.now();
    await mapLimit(handles, DEFAULT_CALLBACK_MAX_IN_FLIGHT, (handle) => handle.signal('iceCallback', {}));
    const signalledMs = Date.now() - burstAt;
    const finishAllMs = (await lastCloseAfter(stack.client, clones, burstAt + 30 * 60_000)) - burstAt;
    log(`baseline burst: all ${clones} signalled in ${signalledMs / 1000} s, closed ${finishAllMs / 1000} s after`);
    return { clones, rampMs, signalledMs, finishAllMs, signalConcurrency: DEFAULT_CALLBACK_MAX_IN_FLIGHT };
  } finally {
    await worker.shutdown();
    await counter.close();
    await stack.close();
  }
}
