import { loadIceClientConfig, loadWorkerConfig } from '../../config';
import { createIceClient } from '../../ice/client';
import { createLogger } from '../../observability/logger';
import { runVoiceCloneWorker } from '../../worker';
import { EXIT_OK, type CommandSpec } from '../args';
import type { Command } from '../context';
import { metricsExporterFailure } from '../errors';

const spec: CommandSpec = {
  name: 'worker',
  summary:
    'Run the voice-clone worker: the clone workflow and its ICE activities, on the task queue\n' +
    'VOICE_CLONE_TASK_QUEUE of the Temporal cluster in TEMPORAL_ADDRESS. SIGINT/SIGTERM stop it cleanly.',
  options: {},
  notes: [
    'Settings (environment): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE;',
    'ICE_REGION or ICE_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (or the default credential chain);',
    "ICE_MAX_CALLS_PER_SECOND and ICE_MAX_CALLS_PER_SECOND_BY_ACTION (ICE's per-operation limits, per process);",
    'VOICE_CLONE_TASK_QUEUE, VOICE_CLONE_ICE_MAX_ACTIVITIES_PER_SECOND, VOICE_CLONE_METRICS_ADDRESS (Prometheus),',
    'VOICE_CLONE_WORKER_DEPLOYMENT_NAME with VOICE_CLONE_WORKER_BUILD_ID (a versioned worker, README "Deploys"),',
    'VOICE_CLONE_NEXUS_SERVICE (on: serve voiceCloneNexusService),',
    'LOG_LEVEL. See the README for the full table.',
  ],
};

export const command: Command = {
  spec,
  async run(_args, context) {
    const logger = createLogger('worker', context.logLevel);
    // The plugin counts its calls into the package's metrics (exported with VOICE_CLONE_METRICS_ADDRESS).
    const ice = createIceClient(loadIceClientConfig(context.env), { logger });
    const { metricsAddress } = loadWorkerConfig(context.env);
    await runVoiceCloneWorker(context.env, { ice }).catch((error: unknown) => {
      throw metricsExporterFailure(error, metricsAddress);
    });
    return EXIT_OK;
  },
};
