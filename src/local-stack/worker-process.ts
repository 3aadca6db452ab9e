/**
 * The package's worker in its own process, so that the bench can read its peak memory (VmHWM) and the fault suite
 * can kill it with SIGKILL. Runs on plain node, as a built package does (child-script.ts). Parent side:
 * worker-child.ts.
 *
 * Messages to the parent: { type: 'ready' }, { type: 'memory', rss, heapUsed } every second, { type: 'stopped' }.
 * Message from the parent: { type: 'shutdown' } drains and exits.
 */
import type { VersioningBehavior, WorkerDeploymentVersion } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { IceClientConfig } from '../config';
import { createIceClient } from '../ice/client';
import { silentLogger } from '../observability/logger';
import { createVoiceCloneWorker } from '../worker';
import { receiveSpec, runChild } from './child-entry';
import { runWorkerChild } from './worker-child-side';

export interface WorkerSpec {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Pre-built workflow bundle (bundleWorkflowCode output written to a file): built once, shared by workers. */
  workflowBundlePath: string;
  ice: IceClientConfig;
  /** Sticky cache size; undefined = the package's default. */
  maxCachedWorkflows?: number;
  /** false = the worker upserts no search attributes (what they cost, in the bench). */
  lookUpSearchAttributes?: boolean;
  /** Task-queue-wide cap on activities per second (VOICE_CLONE_ICE_MAX_ACTIVITIES_PER_SECOND); undefined = none. */
  maxIceActivitiesPerSecond?: number;
  /** The worker's deployment version (a versioned worker); undefined = unversioned. */
  deployment?: WorkerDeploymentVersion;
  /** With `deployment`: the behaviour of workflows that declare none (default the plugin's). */
  defaultVersioningBehavior?: VersioningBehavior;
}

async function main(): Promise<void> {
  const spec = await receiveSpec<WorkerSpec>();
  const connection = await NativeConnection.connect({ address: spec.address });
  const worker = await createVoiceCloneWorker({
    connection,
    namespace: spec.namespace,
    taskQueue: spec.taskQueue,
    ice: createIceClient(spec.ice),
    workflowBundle: { codePath: spec.workflowBundlePath },
    maxCachedWorkflows: spec.maxCachedWorkflows,
    lookUpSearchAttributes: spec.lookUpSearchAttributes,
    maxIceActivitiesPerSecond: spec.maxIceActivitiesPerSecond,
    deployment: spec.deployment ?? false,
    defaultVersioningBehavior: spec.defaultVersioningBehavior,
    logger: silentLogger,
  });
  await runWorkerChild(worker, connection);
}

runChild('worker-process', main);
