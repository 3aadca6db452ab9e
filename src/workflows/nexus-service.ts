/**
 * The Nexus service other namespaces call the package through: its name and operations, declared once and imported
 * by the handler the package's worker serves (src/nexus/handler.ts) and by callers' workflows
 * (`createNexusServiceClient({ service: voiceCloneNexusService, endpoint })`). Workflow-safe: nexus-rpc and types.
 */
import { ApplicationFailure } from '@temporalio/common';
import * as nexus from 'nexus-rpc';
import type { VoiceCloneBatchInput, VoiceCloneBatchResult } from './batch-definitions';
import type { VoiceCloneInput, VoiceCloneResult } from './definitions';

/** Deeper than any chain the service produces (NexusOperationFailure → HandlerError ×2 → ApplicationFailure). */
const MAX_CAUSE_DEPTH = 16;

/** The service's name on the wire: a Nexus endpoint routes calls to the worker that serves it. */
export const VOICE_CLONE_NEXUS_SERVICE_NAME = 'iceVoiceClone';

/**
 * `cloneVoice`: runs `voiceCloneWorkflow` under its usual workflow ID (`voiceCloneWorkflowId`) and answers its
 * result; a call for a voice already cloning attaches to that clone. A bad input fails `InvalidInput` before any
 * workflow starts; the clone's failures reach the caller with their type (`TrainingFailed`, ICE's Code, …) as the
 * cause of the `NexusOperationFailure` (`voiceCloneFailureOf` finds it).
 *
 * `cloneVoices`: runs `voiceCloneBatchWorkflow` (one per operation; each voice a child clone under its usual ID)
 * and answers its report. A batch that breaks a rule fails `InvalidInput` before it starts; an invalid entry ends
 * `Failed` in the report, as with `startVoiceCloneBatch`.
 */
export const voiceCloneNexusService = nexus.service(VOICE_CLONE_NEXUS_SERVICE_NAME, {
  cloneVoice: nexus.operation<VoiceCloneInput, VoiceCloneResult>(),
  cloneVoices: nexus.operation<VoiceCloneBatchInput, VoiceCloneBatchResult>(),
});

/**
 * The clone's own failure inside what a `cloneVoice` call threw: the innermost `ApplicationFailure` of the cause
 * chain (`InvalidInput` under the operation's handler errors, `TrainingFailed` or ICE's Code under the
 * `NexusOperationFailure`), or undefined when there is none (a timeout, a cancellation). Workflow-safe.
 */
export function voiceCloneFailureOf(error: unknown): ApplicationFailure | undefined {
  let found: ApplicationFailure | undefined;
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < MAX_CAUSE_DEPTH; depth += 1) {
    if (current instanceof ApplicationFailure) found = current;
    current = current.cause;
  }
  return found;
}
