/**
 * The package's own worker: the clone workflow and its ICE activities on one task queue, assembled from the worker
 * plugin (src/plugin.ts) that teams add to their own workers. Credentials are read here, by the worker process,
 * through src/config.ts (or Alibaba's default chain): they never travel in workflow input or history.
 */
import type { VersioningBehavior, WorkerDeploymentVersion } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerPlugin, type WorkflowBundleOption } from '@temporalio/worker';
import {
  DEFAULT_MAX_CACHED_WORKFLOWS,
  DEFAULT_TASK_QUEUE,
  loadIceClientConfig,
  loadTemporalConnectConfig,
  loadWorkerConfig,
  type Env,
} from './config';
import { createIceClient } from './ice/client';
import type { IceClient } from './ice/types';
import { createLogger, silentLogger, type Logger } from './observability/logger';
import { installTemporalRuntime } from './observability/temporal-runtime';
import { defaultWorkflowsPath, voiceClonePlugin } from './plugin';

export { defaultWorkflowsPath };

/**
 * Options of `createVoiceCloneWorker`: a connection and an ICE client are required; `namespace` defaults to
 * `default`, `taskQueue` to `voice-clone` (DEFAULT_TASK_QUEUE).
 */
export interface VoiceCloneWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  ice: IceClient;
  /** A prebuilt bundle (tests bundle once and share it); otherwise the worker bundles `workflowsPath`. */
  workflowBundle?: WorkflowBundleOption;
  /** Workflow module to bundle; default: this package's workflows. Point it at your own to add workflows. */
  workflowsPath?: string;
  /** Task-queue-wide cap on activities per second, to stay inside ICE's quotas. */
  maxIceActivitiesPerSecond?: number;
  /** Sticky-cache size; default DEFAULT_MAX_CACHED_WORKFLOWS (waiting clones need no cache, replay is cheap). */
  maxCachedWorkflows?: number;
  /** Ask the namespace which search attributes exist (default true); false: the workflow upserts none. */
  lookUpSearchAttributes?: boolean;
  /** Retries of an incomplete ICE answer; default VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES (see VoiceClonePluginOptions). */
  unexpectedResponseRetries?: number;
  /**
   * The worker's deployment version (Worker Versioning, docs/deploys.md); default VOICE_CLONE_WORKER_DEPLOYMENT_NAME
   * and VOICE_CLONE_WORKER_BUILD_ID (see VoiceClonePluginOptions); `false` or neither set: unversioned.
   */
  deployment?: WorkerDeploymentVersion | false;
  /** With `deployment`: the behaviour of workflows that declare none; default `AUTO_UPGRADE` (see the plugin's). */
  defaultVersioningBehavior?: VersioningBehavior;
  logger?: Logger;
  /**
   * More worker plugins, after the package's (e.g. Temporal's `OpenTelemetryPlugin`). With a prebuilt
   * `workflowBundle`, their workflow interceptor modules must already be in the bundle.
   */
  plugins?: WorkerPlugin[];
  /** Serve the Nexus service `voiceCloneNexusService`; default VOICE_CLONE_NEXUS_SERVICE (on). */
  nexusService?: boolean;
}

/**
 * A Temporal worker that runs the voice clone's workflows and activities (through `VoiceClonePlugin`); the caller
 * runs and shuts it down. Bundles the workflows unless given a bundle (seconds, once per call).
 */
export async function createVoiceCloneWorker(options: VoiceCloneWorkerOptions): Promise<Worker> {
  const namespace = options.namespace ?? 'default';
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  const logger = (options.logger ?? silentLogger).child({ component: 'worker', taskQueue, namespace });
  const maxCachedWorkflows = options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS;
  const worker = await Worker.create({
    connection: options.connection,
    namespace,
    taskQueue,
    // Without workflowsPath or a bundle, the plugin adds the package's workflows.
    plugins: [
      voiceClonePlugin({
        iceClient: options.ice,
        lookUpSearchAttributes: options.lookUpSearchAttributes,
        unexpectedResponseRetries: options.unexpectedResponseRetries,
        nexusService: options.nexusService,
        workerDeployment: options.deployment,
        defaultVersioningBehavior: options.defaultVersioningBehavior,
      }),
      ...(options.plugins ?? []),
    ],
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    ...(options.workflowsPath !== undefined && !options.workflowBundle ? { workflowsPath: options.workflowsPath } : {}),
    maxCachedWorkflows,
    ...(options.maxIceActivitiesPerSecond !== undefined
      ? { maxTaskQueueActivitiesPerSecond: options.maxIceActivitiesPerSecond }
      : {}),
  });
  logger.info('voice clone worker created', {
    maxIceActivitiesPerSecond: options.maxIceActivitiesPerSecond,
    maxCachedWorkflows,
    deployment: worker.options.workerDeploymentOptions?.version,
  });
  return worker;
}

/**
 * The CLI's `worker` command: settings from the environment (Temporal's envconfig, ICE_*, VOICE_CLONE_*),
 * runs until SIGINT/SIGTERM, then lets running activities finish and closes the connection. Installs Temporal's
 * runtime for the process (SDK logs as JSON lines, metrics exporter): call it before any other Temporal connection.
 */
export async function runVoiceCloneWorker(env: Env, overrides: { ice?: IceClient } = {}): Promise<void> {
  const workerConfig = loadWorkerConfig(env);
  const connectConfig = loadTemporalConnectConfig(env);
  const logger = createLogger('worker', workerConfig.logLevel);
  // Before the first connection: the runtime carries the SDK's logging and the metrics exporter, and shuts the
  // worker down on SIGINT/SIGTERM.
  installTemporalRuntime({ logger, sdkLogLevel: workerConfig.logLevel, metricsAddress: workerConfig.metricsAddress });
  const ice = overrides.ice ?? createIceClient(loadIceClientConfig(env), { logger });
  const connection = await NativeConnection.connect(connectConfig.connectionOptions);
  try {
    const worker = await createVoiceCloneWorker({
      connection,
      namespace: connectConfig.namespace,
      taskQueue: workerConfig.taskQueue,
      ice,
      maxIceActivitiesPerSecond: workerConfig.maxIceActivitiesPerSecond,
      maxCachedWorkflows: workerConfig.maxCachedWorkflows,
      deployment: workerConfig.deployment ?? false,
      logger,
      nexusService: workerConfig.nexusService,
    });
    logger.info('worker running; SIGINT or SIGTERM stops it after running activities finish', {
      address: connectConfig.connectionOptions.address,
    });
    await worker.run(); // the runtime calls worker.shutdown() on SIGINT/SIGTERM
    logger.info('worker stopped');
  } finally {
    await connection.close();
  }
}
