/**
 * Temporal's runtime for the processes that host a worker (the `worker` command, the local stack): the SDK's own
 * log lines (worker state, activity and workflow logs) go through our structured logger, as JSON with secrets
 * redacted, instead of the SDK's plain-text console logger; with a metrics address it exports Prometheus metrics,
 * Temporal's and the package's (observability/metrics.ts, mirrored into the runtime's meter). One per process,
 * installed before the first connection.
 */
import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogLevel as SdkLogLevel } from '@temporalio/worker';
import type { LogLevel } from '../config';
import type { Logger } from './logger';
import { packageMetrics } from './metrics';

/** How the Temporal worker runtime is installed: its log forwarding and metrics. */
export interface TemporalRuntimeOptions {
  logger: Logger;
  /** The lowest level of the SDK's logs that is passed on. */
  sdkLogLevel: LogLevel;
  /** host:port for Temporal's Prometheus exporter, which also serves the package's counters. */
  metricsAddress?: string;
  /** Signals on which the runtime shuts its workers down; default SIGINT and SIGTERM. [] when the host does it. */
  shutdownSignals?: NodeJS.Signals[];
}

const SDK_LEVEL: Record<LogLevel, SdkLogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
const PACKAGE_LEVEL: Record<SdkLogLevel, LogLevel> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Installs the runtime. A host application that installed its own first keeps it (and its logging), unless a
 * metrics address was asked for: that needs this runtime, so the conflict is an error. Either way the package's
 * metrics count into the runtime's meter, so they appear wherever that runtime exports.
 */
export function installTemporalRuntime(options: TemporalRuntimeOptions): void {
  const { logger, metricsAddress } = options;
  try {
    Runtime.install({
      ...(options.shutdownSignals && { shutdownSignals: options.shutdownSignals }),
      logger: new DefaultLogger(SDK_LEVEL[options.sdkLogLevel], ({ level, message, meta }) =>
        logger[PACKAGE_LEVEL[level]](message, { temporal: true, ...(meta ?? {}) }),
      ),
      ...(metricsAddress && { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } }),
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError) || metricsAddress) throw error;
    logger.debug("Temporal's runtime was installed by the host application: its logger stays in place");
  }
  packageMetrics.attachTemporalMeter(Runtime.instance().metricMeter);
}
