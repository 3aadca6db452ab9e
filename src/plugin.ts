/**
 * The package as a Temporal worker plugin: `Worker.create({ plugins: [voiceClonePlugin()], ... })` registers the
 * clone's ICE activities in a team's own worker, next to its own activities and workflows. The team's workflows
 * module re-exports `voiceCloneWorkflow` from `ice-voice-clone/workflows`, and its parent workflows run the clone as
 * a child on their own task queue (README: "Using it from your code"). Credentials stay in the worker process.
 */
import { SimplePlugin } from '@temporalio/plugin';
import { Client } from '@temporalio/client';
import type { VersioningBehavior, WorkerDeploymentVersion } from '@temporalio/common';
import type { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createVoiceCloneActivities } from './activities';
import { startIceCallbackConsumer, type IceCallbackConsumerConfig } from './callback/consumer';
import {
  loadCallbackConsumerConfig,
  loadIceClientConfig,
  loadNexusServiceEnabled,
  loadUnexpectedResponseRetries,
  loadWorkerDeployment,
  type Env,
  type IceClientConfig,
} from './config';
import { createMnsQueueClient, type MnsQueueClient } from './mns/client';
import { mnsCredentialChain } from './mns/credentials';
import { createIceClient } from './ice/client';
import { createVoiceCloneNexusHandler } from './nexus/handler';
import type { IceClient } from './ice/types';
import { silentLogger, type Logger } from './observability/logger';
import { countIceCalls } from './observability/metrics';

/** The name the plugin registers under with Temporal. */
export const VOICE_CLONE_PLUGIN_NAME = 'ice-voice-clone';

/** Options of `voiceClonePlugin` / `new VoiceClonePlugin`; every one has a default. */
export interface VoiceClonePluginOptions {
  /** The ICE client the activities call. Default: one built from `ice`. */
  iceClient?: IceClient;
  /**
   * ICE settings for the default client. Default: `loadIceClientConfig(env)` (ICE_REGION, ICE_ENDPOINT, …);
   * without explicit credentials the client takes Alibaba's default credential chain.
   */
  ice?: IceClientConfig;
  /** Where the default ICE settings are read from. Default: the process environment. */
  env?: Env;
  /**
   * Ask the namespace which of the clone's search attributes exist (default true; needs `connection` in the worker
   * options). false, or no connection: the clone upserts none.
   */
  lookUpSearchAttributes?: boolean;
  /** Logs of the default ICE client. */
  logger?: Logger;
  /**
   * Retries of an ICE answer that lacks what the clone needs (a read's Status, a submit's JobId) before the clone
   * fails `UnexpectedIceResponse`. Default: VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES from `env` (5).
   */
  unexpectedResponseRetries?: number;
  /**
   * Runs the callback queue consumer (ICE's events from MNS) inside this worker, for as long as it runs: `true`
   * reads its settings from `env` (ICE_CALLBACK_MNS_QUEUE, …), or give them. Needs `connection` in the worker
   * options (it signals through it). Default: no consumer.
   */
  callbackConsumer?: true | { config: IceCallbackConsumerConfig; queue: MnsQueueClient };
  /**
   * Serve the Nexus service `voiceCloneNexusService` on the worker's task queue, for callers in other namespaces
   * (a Nexus endpoint targets that task queue). Default: VOICE_CLONE_NEXUS_SERVICE from `env` (on).
   */
  nexusService?: boolean;
  /**
   * The worker's deployment version (Worker Versioning, docs/deploys.md): the worker then runs versioned, and each
   * workflow keeps the versioning behaviour it declares. Default: VOICE_CLONE_WORKER_DEPLOYMENT_NAME and
   * VOICE_CLONE_WORKER_BUILD_ID from `env`; neither set, or `false`: the worker stays unversioned.
   */
  workerDeployment?: WorkerDeploymentVersion | false;
  /**
   * With `workerDeployment`: the behaviour of workflows that declare none (a team's own). Default `AUTO_UPGRADE`,
   * what an unversioned worker does today: a running workflow takes the new code at its next task.
   */
  defaultVersioningBehavior?: VersioningBehavior;
}

/** The consumer's settings and queue client, read where the plugin is built (a bad one throws ConfigError). */
function consumerSettings(
  options: VoiceClonePluginOptions,
): { config: IceCallbackConsumerConfig; queue: MnsQueueClient } | undefined {
  if (options.callbackConsumer === undefined) return undefined;
  if (options.callbackConsumer !== true) return options.callbackConsumer;
  const config = loadCallbackConsumerConfig(options.env);
  const credentials = mnsCredentialChain(options.ice?.credentials);
  const queue = createMnsQueueClient({ endpoint: config.endpoint, queueName: config.queueName, credentials });
  return { config, queue };
}

/**
 * The worker's versioning options for a deployment version; a worker that already has other ones is refused (two
 * versions for one worker would route its tasks to the wrong build).
 */
function workerDeploymentOptions(
  options: WorkerOptions,
  version: WorkerDeploymentVersion | undefined,
  defaultVersioningBehavior: VersioningBehavior,
): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (version === undefined) return {};
  const existing = options.workerDeploymentOptions?.version;
  if (existing && (existing.deploymentName !== version.deploymentName || existing.buildId !== version.buildId)) {
    throw new TypeError(
      `${VOICE_CLONE_PLUGIN_NAME} plugin: workerDeployment ${version.deploymentName}:${version.buildId} differs from ` +
        `the worker's workerDeploymentOptions ${existing.deploymentName}:${existing.buildId}`,
    );
  }
  return {
    workerDeploymentOptions: options.workerDeploymentOptions ?? {
      version,
      useWorkerVersioning: true,
      defaultVersioningBehavior,
    },
  };
}

/** The package's workflow bundle entry: the worker bundles it when it is given neither workflowsPath nor a bundle. */
export function defaultWorkflowsPath(): string {
  return require.resolve('./workflows');
}

/**
 * A Temporal worker plugin that registers the clone's ICE activities and, when the worker has no workflows of its
 * own, the package's workflows. Reads its settings when built (a bad ICE_* setting throws `ConfigError`); an
 * activity name the worker already registers throws `TypeError`.
 */
export class VoiceClonePlugin extends SimplePlugin {
  private readonly ice: IceClient;
  private readonly lookUpSearchAttributes: boolean;
  private readonly unexpectedResponseRetries: number;
  private readonly consumer: { config: IceCallbackConsumerConfig; queue: MnsQueueClient } | undefined;
  private readonly logger: Logger;
  private readonly workerDeployment: WorkerDeploymentVersion | undefined;
  private readonly defaultVersioningBehavior: VersioningBehavior;
  private temporal: { connection: NativeConnection; namespace: string } | undefined;

  constructor(options: VoiceClonePluginOptions = {}) {
    const nexusService = options.nexusService ?? loadNexusServiceEnabled(options.env);
    super({
      name: VOICE_CLONE_PLUGIN_NAME,
      ...(nexusService ? { nexusServices: [createVoiceCloneNexusHandler()] } : {}),
    });
    // Settings are read now, so that a bad ICE_* value fails where the worker is assembled (ConfigError).
    const ice =
      options.iceClient ??
      createIceClient(options.ice ?? loadIceClientConfig(options.env), { logger: options.logger ?? silentLogger });
    // Counted here, the one place every worker's ICE calls pass: ice_voice_clone_ice_calls_total.
    this.ice = countIceCalls(ice);
    this.lookUpSearchAttributes = options.lookUpSearchAttributes !== false;
    this.unexpectedResponseRetries = options.unexpectedResponseRetries ?? loadUnexpectedResponseRetries(options.env);
    this.consumer = consumerSettings(options);
    this.logger = options.logger ?? silentLogger;
    this.workerDeployment =
      options.workerDeployment === false ? undefined : (options.workerDeployment ?? loadWorkerDeployment(options.env));
    this.defaultVersioningBehavior = options.defaultVersioningBehavior ?? 'AUTO_UPGRADE';
  }

  /** With `callbackConsumer`: the consumer receives while the worker runs, and finishes its deliveries after. */
  override async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    if (this.consumer === undefined || this.temporal === undefined) return super.runWorker(worker, next);
    const client = new Client({ connection: this.temporal.connection, namespace: this.temporal.namespace });
    const consumer = startIceCallbackConsumer({ ...this.consumer, client, ice: this.ice, logger: this.logger });
    try {
      await super.runWorker(worker, next);
    } finally {
      await consumer.stop();
    }
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    // The search-attribute lookup asks the worker's own connection, known only here.
    const connection = this.lookUpSearchAttributes ? options.connection : undefined;
    if (this.consumer !== undefined) {
      if (options.connection === undefined) {
        throw new TypeError(
          `${VOICE_CLONE_PLUGIN_NAME} plugin: callbackConsumer needs connection in the worker options`,
        );
      }
      this.temporal = { connection: options.connection, namespace: options.namespace ?? 'default' };
    }
    const activities: Record<string, unknown> = createVoiceCloneActivities({
      ice: this.ice,
      unexpectedResponseRetries: this.unexpectedResponseRetries,
      temporal: connection ? { connection, namespace: options.namespace ?? 'default' } : undefined,
    });
    const existing = (options.activities ?? {}) as Record<string, unknown>;
    const taken = Object.keys(activities).filter((name) => name in existing);
    if (taken.length > 0) {
      // Either registration would silently replace the other; the clone (or the team's code) would call the wrong one.
      throw new TypeError(`${VOICE_CLONE_PLUGIN_NAME} plugin: activity names already registered: ${taken.join(', ')}`);
    }
    const hasWorkflows = options.workflowsPath !== undefined || options.workflowBundle !== undefined;
    return super.configureWorker({
      ...options,
      activities: { ...existing, ...activities },
      ...(hasWorkflows ? {} : { workflowsPath: defaultWorkflowsPath() }),
      ...workerDeploymentOptions(options, this.workerDeployment, this.defaultVersioningBehavior),
    });
  }
}

/** The worker plugin that adds the voice-clone activities (and, for a worker without workflows, the workflow). */
export function voiceClonePlugin(options: VoiceClonePluginOptions = {}): VoiceClonePlugin {
  return new VoiceClonePlugin(options);
}
