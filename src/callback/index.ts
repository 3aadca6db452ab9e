export { startCallbackReceiver, CallbackReceiverError, HEALTH_PATH, METRICS_PATH } from './server';
export type { CallbackReceiverOptions, RunningCallbackReceiver, CallbackReceiverErrorCode } from './server';
export { createIceCallbackHandler } from './handler';
export type { IceCallbackHandler, IceCallbackHandlerOptions, IceCallbackHandlerConfig } from './handler';
export { ICE_FOREIGN_EVENT_TYPES } from './event-types';
export { runCallbackReceiver, type RunCallbackReceiverOptions } from './run';
export {
  configureIceCallback,
  planIceCallback,
  applyIceCallbackPlan,
  ConfigureCallbackError,
  FORWARD_URL_VARIABLE,
} from './configure-callback';
export type {
  ConfigureIceCallbackOptions,
  ConfigureHttpCallbackOptions,
  ConfigureMnsCallbackOptions,
  ConfigureCallbackErrorCode,
  ConfiguredIceCallback,
  IceCallbackPlan,
  IceCallbackSettings,
  PlannedIceCallback,
  PlannedHttpCallback,
  PlannedMnsCallback,
  ReplacedIceCallback,
} from './configure-callback';
export { signIceCallback, verifyIceCallbackSignature, ICE_SIGNATURE_HEADER, ICE_TIMESTAMP_HEADER } from './signature';
export type { SignatureKeyForm } from './signature';
export { quantile } from './metrics';
export type { CallbackMetrics, LatencySummary, CallbackRejectionReason, CallbackOutcome } from './metrics';
export { RECEIVER_CHANNEL_ARGS, createReceiverConnection } from './temporal-connection';
export { startIceCallbackConsumer } from './consumer';
export type { IceCallbackConsumer, IceCallbackConsumerOptions, IceCallbackConsumerConfig } from './consumer';
export type { CallbackConsumerMetrics, DeletedOutcome } from './consumer-metrics';
export { runCallbackConsumer, type RunCallbackConsumerOptions } from './consumer-service';
