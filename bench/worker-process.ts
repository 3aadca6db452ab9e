/**
 * A worker in its own process, so that the bench can read its peak memory (VmHWM) and the fault suite can kill it
 * with SIGKILL. Runs compiled on plain node, like a built package (test/faults/support/compiled-script.ts).
 * Started with `fork` (IPC on); the spec arrives in the BENCH_WORKER_SPEC environment variable because it carries
 * the ICE key pair, which must not appear on a command line.
 *
 * Messages to the parent: { type: 'ready' }, { type: 'memory', rss, heapUsed } every second, { type: 'stopped' }.
 * Message from the parent: { type: 'shutdown' } drains and exits.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { DEFAULT_MAX_CACHED_WORKFLOWS, type IceCredentials } from '../src/config';
import { createBaselineActivities } from './baseline-activities';
import { benchIceClientConfig } from './support/bench-ice-client';
import { readChildSpec, runChild } from './support/child-entry';

export interface WorkerSpec {
  mode: 'package' | 'baseline';
  address: string;
  namespace: string;
  taskQueue: string;
  /** Pre-built workflow bundle (bundleWorkflowCode output written to a file): built once, shared by workers. */
  workflowBundlePath: string;
  iceEndpoint?: string;
  iceCredentials?: IceCredentials;
  baselineTrainerUrl?: string;
  /** Bench option: sticky cache size; undefined = the package's / SDK's default. */
  maxCachedWorkflows?: number;
  /** Bench option: false = the package worker upserts no search attributes (what they cost). */
  lookUpSearchAttributes?: boolean;
}

function send(message: Record<string, unknown>): void {
  if (process.send) process.send(message);
}

async function createWorker(spec: WorkerSpec, connection: NativeConnection): Promise<Worker> {
  const workflowBundle = { codePath: spec.workflowBundlePath };
  if (spec.mode === 'baseline') {
    if (!spec.baselineTrainerUrl) throw new Error('baseline worker needs baselineTrainerUrl');
    return Worker.create({
      connection,
      namespace: spec.namespace,
      taskQueue: spec.taskQueue,
      workflowBundle,
      activities: createBaselineActivities(spec.baselineTrainerUrl),
      // The same cache size as the package's worker, so that the ratio compares like with like.
      maxCachedWorkflows: spec.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    });
  }
  if (!spec.iceEndpoint || !spec.iceCredentials) throw new Error('package worker needs iceEndpoint and credentials');
  // Loaded only in package mode, so that the baseline worker carries none of the package's code.
  const { createIceClient } = await import('../src/ice/client');
  const { createVoiceCloneWorker } = await import('../src/worker');
  const { silentLogger } = await import('../src/observability/logger');
  const ice = createIceClient(benchIceClientConfig(spec.iceEndpoint, spec.iceCredentials));
  return createVoiceCloneWorker({
    connection,
    namespace: spec.namespace,
    taskQueue: spec.taskQueue,
    ice,
    workflowBundle,
    maxCachedWorkflows: spec.maxCachedWorkflows,
    lookUpSearchAttributes: spec.lookUpSearchAttributes,
    logger: silentLogger,
  });
}

async function main(): Promise<void> {
  const spec = readChildSpec<WorkerSpec>('BENCH_WORKER_SPEC');
  const connection = await NativeConnection.connect({ address: spec.address });
  const worker = await createWorker(spec, connection);
  const memoryTimer = setInterval(() => {
    const usage = process.memoryUsage();
    send({ type: 'memory', rss: usage.rss, heapUsed: usage.heapUsed });
  }, 1_000);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'shutdown') worker.shutdown();
  });
  process.on('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  send({ type: 'ready' });
  await running;
  clearInterval(memoryTimer);
  await connection.close();
  send({ type: 'stopped' });
  process.disconnect?.();
}

runChild('worker-process', main);
