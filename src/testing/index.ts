/**
 * `ice-voice-clone/testing`: the workshop, kept out of the runtime entry as `@temporalio/testing` is kept out of
 * the SDK's: the ICE emulator and its admin client, the local stack (`npm start`'s system and the one start module
 * under the tests), and the integration-test harness on top of it. Loading it loads the emulator and the stack;
 * `ice-voice-clone` itself does not.
 */
export * from '../emulator';
export {
  startLocalStack,
  checkLocalStackPorts,
  LOCAL_STACK_DEFAULT_PORTS,
  LOCAL_STACK_DEFAULT_TRAINING_MS,
  startStack,
  type LocalStack,
  type LocalStackOptions,
  type Stack,
  type StackOptions,
  type StackEmulator,
  type StackEmulatorOptions,
  type StackReceiver,
  type StackReceiversOptions,
  type StackConsumer,
  type StackConsumerOptions,
  type InProcessWorker,
  type InProcessWorkerOptions,
  type ChildWorkerOptions,
  type RunningTemporal,
  type TemporalStarter,
} from '../local-stack/stack';
export { devServerProcess, type DevServerProcess, type DevServerProcessOptions } from '../local-stack/temporal-server';
export {
  sdkDevServer,
  timeSkippingServer,
  type SdkDevServerOptions,
  type SdkTestServer,
  type TimeSkippingServerOptions,
} from '../local-stack/test-servers';
export type { WorkerChild } from '../local-stack/worker-child';
export { workflowBundle, workflowBundleFile } from '../local-stack/workflow-bundle';
export {
  startHarness,
  startIceHarness,
  taskQueueFor,
  TEST_TIMINGS,
  TEST_TRAINING_MS,
  type Harness,
  type HarnessOptions,
  type HarnessWorkerOptions,
  type IceHarness,
  type IceHarnessOptions,
} from './harness';
export { assertWorkflowFailed } from './assertions';
export { startNexusCaller, type NexusCaller, type NexusCallerOptions, type NexusTarget } from './nexus-caller';
export { startTcpBlackHole, type TcpBlackHole } from './black-hole';
export { startHttpServer, type TestHttpServer } from './http-server';
export { closedPort } from './closed-port';
export { startRoundRobinProxy, type RoundRobinProxy, type UpstreamCount } from './round-robin-proxy';
export { runReceiverService, type ReceiverServiceOptions, type RunningReceiverService } from './receiver-service';
export {
  startHttpCapture,
  type HttpCapture,
  type HttpCaptureOptions,
  type CapturedRequest,
  type CaptureAnswer,
} from './http-capture';
