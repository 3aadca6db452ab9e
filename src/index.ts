/**
 * The package's runtime API for Node code (`ice-voice-clone`: clients, the worker plugin, workers, the callback
 * receiver). It loads no emulator, local-stack or Temporal-binary code: those are in `ice-voice-clone/testing`.
 * Workflow code must not import this module (it pulls in Node APIs): a parent workflow imports `voiceCloneWorkflow`
 * and the definitions from `ice-voice-clone/workflows` (src/workflows/public.ts; see examples/).
 */
export * from './workflows/definitions';
export {
  validateVoiceCloneInput,
  type ValidVoiceCloneInput,
  type ValidBasicVoiceCloneInput,
  type ValidStandardVoiceCloneInput,
  type ValidCosyVoiceCloneInput,
  type VoiceCloneInputValidation,
} from './workflows/validation';
export * from './workflows/ice-ids';
export { voiceCloneWorkflow } from './workflows/voice-clone';
export * from './workflows/batch-definitions';
export { validateVoiceCloneBatchInput, type BatchValidation } from './workflows/batch-validation';
export { voiceCloneBatchWorkflow } from './workflows/voice-clone-batch';
export {
  startVoiceCloneBatch,
  VOICE_CLONE_BATCH_WORKFLOW_ID_PREFIX,
  type StartVoiceCloneBatchOptions,
  type VoiceCloneBatchHandle,
} from './client';
export {
  startVoiceClone,
  InvalidVoiceCloneInputError,
  getVoiceCloneStatus,
  listVoices,
  deleteVoiceCloneJob,
  updateVoiceDemoAudio,
  type StartVoiceCloneOptions,
  type VoiceCloneHandle,
  type VoiceCloneStatusOptions,
  type VoiceCloneStatusReport,
  type ListVoicesOptions,
  type VoiceSummary,
  type VoiceJobSummary,
} from './client';
export { startRecordingSession, type RecordingSessionStart, type SubmittedVoiceCloneHandle } from './client';
export { voiceClonePlugin, VoiceClonePlugin, VOICE_CLONE_PLUGIN_NAME, type VoiceClonePluginOptions } from './plugin';
export {
  createVoiceCloneWorker,
  runVoiceCloneWorker,
  defaultWorkflowsPath,
  type VoiceCloneWorkerOptions,
} from './worker';
export { createVoiceCloneActivities, type VoiceCloneActivities } from './activities';
export * from './ice';
export {
  createIceCallbackHandler,
  createReceiverConnection,
  ICE_FOREIGN_EVENT_TYPES,
  type IceCallbackHandler,
  type IceCallbackHandlerOptions,
  type IceCallbackHandlerConfig,
  type CallbackMetrics,
} from './callback';
export {
  startCallbackReceiver,
  runCallbackReceiver,
  configureIceCallback,
  planIceCallback,
  applyIceCallbackPlan,
  ConfigureCallbackError,
  signIceCallback,
  verifyIceCallbackSignature,
  type CallbackReceiverOptions,
  type RunningCallbackReceiver,
  type ConfigureIceCallbackOptions,
  type ConfiguredIceCallback,
  type IceCallbackPlan,
  type IceCallbackSettings,
} from './callback';
export {
  startIceCallbackConsumer,
  runCallbackConsumer,
  type IceCallbackConsumer,
  type IceCallbackConsumerOptions,
  type IceCallbackConsumerConfig,
  type CallbackConsumerMetrics,
  type RunCallbackConsumerOptions,
} from './callback';
export {
  createMnsQueueClient,
  MnsError,
  type MnsQueueClient,
  type MnsMessage,
  type MnsCredentials,
} from './mns/client';
export { mnsCredentialChain } from './mns/credentials';
export {
  loadIceClientConfig,
  loadTemporalConnectConfig,
  loadWorkerConfig,
  loadTaskQueue,
  loadCallbackReceiverConfig,
  loadCallbackConsumerConfig,
  loadEmulatorConfig,
  loadLocalToolsConfig,
  ConfigError,
  EMULATOR_DEV_CREDENTIALS,
  type IceClientConfig,
  type CallbackReceiverConfig,
  type CallbackConsumerConfig,
  type EmulatorConfig,
  type WorkerConfig,
} from './config';
export { createLogger, silentLogger, type Logger } from './observability/logger';
export {
  MetricsRegistry,
  packageMetrics,
  voiceCloneCounters,
  countIceCalls,
  PROMETHEUS_CONTENT_TYPE,
  type Counter,
  type Gauge,
  type Summary,
  type Labels,
} from './observability/metrics';
export { TRACER_NAME } from './observability/tracing';
export { ICE_SPAN_ATTRIBUTES } from './ice/tracing';
export { CALLBACK_SPAN_ATTRIBUTES } from './callback/tracing';
