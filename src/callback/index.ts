export { startCallbackReceiver, CallbackReceiverError, HEALTH_PATH, METRICS_PATH } from './server';
export type { CallbackReceiverOptions, RunningCallbackReceiver, CallbackReceiverErrorCode } from './server';
export { runCallbackReceiver, type RunCallbackReceiverOptions } from './run';
export { configureIceCallback, ConfigureCallbackError } from './configure-callback';
export type { ConfigureIceCallbackOptions, IceCallbackSettings } from './configure-callback';
export { signIceCallback, verifyIceCallbackSignature, ICE_SIGNATURE_HEADER, ICE_TIMESTAMP_HEADER } from './signature';
export { renderPrometheusMetrics, quantile } from './metrics';
export type { CallbackMetrics, LatencySummary, CallbackRejectionReason, CallbackOutcome } from './metrics';
export { RECEIVER_CHANNEL_ARGS, createReceiverConnection } from './temporal-connection';
