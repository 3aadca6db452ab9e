/**
 * The baseline's worker in its own process, beside the package's (src/local-stack/worker-process.ts) and run the
 * same way (compiled, plain node, forked by the stack's plumbing), so that both paths' memory and CPU are read
 * alike. It carries none of the package's code: only the baseline workflows' bundle and activities.
 *
 * Messages to the parent: { type: 'ready' }, { type: 'memory', rss, heapUsed } every second, { type: 'stopped' }.
 * Message from the parent: { type: 'shutdown' } drains and exits.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../src/config';
import { receiveSpec, runChild } from '../src/local-stack/child-entry';
import { runWorkerChild } from '../src/local-stack/worker-child-side';
import { createBaselineActivities } from './baseline-activities';

export interface BaselineWorkerSpec {
  address: string;
  namespace: string;
  taskQueue: string;
  workflowBundlePath: string;
  baselineTrainerUrl: string;
  /** Sticky cache size; undefined = the package's default, so that the ratio compares like with like. */
  maxCachedWorkflows?: number;
}

async function main(): Promise<void> {
  const spec = await receiveSpec<BaselineWorkerSpec>();
  const connection = await NativeConnection.connect({ address: spec.address });
  const worker = await Worker.create({
    connection,
    namespace: spec.namespace,
    taskQueue: spec.taskQueue,
    workflowBundle: { codePath: spec.workflowBundlePath },
    activities: createBaselineActivities(spec.baselineTrainerUrl),
    maxCachedWorkflows: spec.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
  });
  await runWorkerChild(worker, connection);
}

runChild('baseline-worker-process', main);
