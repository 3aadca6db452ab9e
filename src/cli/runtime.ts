/**
 * Temporal's runtime for processes that host a worker next to other things (the local stack): its logs go to
 * our structured logger, it installs no signal handlers (the stack stops parts in order itself), and with
 * VOICE_CLONE_METRICS_ADDRESS it exports Prometheus metrics that include the package's own counters.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Logger } from '../observability/logger';
import { packageMetrics } from '../observability/metrics';

export function installEmbeddedRuntime(logger: Logger, metricsAddress?: string): void {
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
      const fields = { temporal: true, ...(meta ?? {}) };
      if (level === 'ERROR') logger.error(message, fields);
      else logger.warn(message, fields);
    }),
    ...(metricsAddress && { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } }),
  });
  packageMetrics.attachTemporalMeter(Runtime.instance().metricMeter);
}
