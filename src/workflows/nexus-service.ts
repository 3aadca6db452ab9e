/**
 * The Nexus service other namespaces call the package through: its name and operations, declared once and imported
 * by the handler the package's worker serves (src/nexus/handler.ts) and by callers' workflows
 * (`createNexusServiceClient({ service: voiceCloneNexusService, endpoint })`). Workflow-safe: nexus-rpc and types.
 */
import * as nexus from 'nexus-rpc';
import type { VoiceCloneInput, VoiceCloneResult } from './definitions';

/** The service's name on the wire: a Nexus endpoint routes calls to the worker that serves it. */
export const VOICE_CLONE_NEXUS_SERVICE_NAME = 'iceVoiceClone';

/**
 * `cloneVoice`: runs `voiceCloneWorkflow` under its usual workflow ID (`voiceCloneWorkflowId`) and answers its
 * result; a call for a voice already cloning attaches to that clone. A bad input fails `InvalidInput` before any
 * workflow starts; the clone's failures reach the caller with their type (`TrainingFailed`, ICE's Code, …) as the
 * cause of the `NexusOperationFailure` (`voiceCloneFailureOf` finds it).
 */
export const voiceCloneNexusService = nexus.service(VOICE_CLONE_NEXUS_SERVICE_NAME, {
  cloneVoice: nexus.operation<VoiceCloneInput, VoiceCloneResult>(),
});
