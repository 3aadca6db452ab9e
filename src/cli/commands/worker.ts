import { Runtime } from '@temporalio/worker';
import { loadIceClientConfig, loadLogLevel, loadWorkerConfig } from '../../config';
import { createIceClient } from '../../ice/client';
import type { IceClient } from '../../ice/types';
import { createLogger } from '../../observability/logger';
import { countIceCalls, packageMetrics } from '../../observability/metrics';
import { runVoiceCloneWorker } from '../../worker';
import { EXIT_OK, type CommandSpec } from '../args';
import type { Command } from '../context';

const spec: CommandSpec = {
  name: 'worker',
  summary:
    'Run the voice-clone worker: the clone workflow and its ICE activities, on the task queue\n' +
    'VOICE_CLONE_TASK_QUEUE of the Temporal cluster in TEMPORAL_ADDRESS. SIGINT/SIGTERM stop it cleanly.',
  options: {},
  notes: [
    'Settings (environment): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE;',
    'ICE_REGION or ICE_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (or the default credential chain);',
    'VOICE_CLONE_TASK_QUEUE, VOICE_CLONE_ICE_MAX_ACTIVITIES_PER_SECOND, VOICE_CLONE_METRICS_ADDRESS (Prometheus),',
    'LOG_LEVEL. See the README for the full table.',
  ],
};

/**
 * The worker's runtime is installed inside runVoiceCloneWorker; the package's counters join its Prometheus
 * exporter on the first ICE call, when that runtime exists.
 */
function attachMetricsOnFirstCall(ice: IceClient): IceClient {
  let attached = false;
  const attach = (): void => {
    if (attached) return;
    attached = true;
    packageMetrics.attachTemporalMeter(Runtime.instance().metricMeter);
  };
  return new Proxy(ice, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        attach();
        return (value as (...callArgs: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export const command: Command = {
  spec,
  async run(_args, context) {
    const { metricsAddress } = loadWorkerConfig(context.env);
    const logger = createLogger('worker', loadLogLevel(context.env));
    const counted = countIceCalls(createIceClient(loadIceClientConfig(context.env), { logger }));
    await runVoiceCloneWorker(context.env, { ice: metricsAddress ? attachMetricsOnFirstCall(counted) : counted });
    return EXIT_OK;
  },
};
