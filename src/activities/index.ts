/**
 * The clone workflow's activities: thin wrappers, one per ICE operation, over the `IceClient` the worker process
 * builds from its own credentials (never from workflow input).
 */
import { createCreateVoiceCloneJob } from './create-voice-clone-job';
import { createDetectVoiceRecording } from './detect-voice-recording';
import type { IceActivityDeps } from './deps';
import { createFindNamedVoiceJob } from './find-named-voice-job';
import { createFindVoiceCloneJob } from './find-voice-clone-job';
import { createListRegisteredSearchAttributes, type SearchAttributeDeps } from './list-registered-search-attributes';
import { createPollVoiceCloneJob } from './poll-voice-clone-job';
import { createReadDemonstrations } from './read-demonstrations';
import { createReadVoiceCloneOutcome } from './read-voice-clone-outcome';
import { createReadVoiceCloneJob } from './read-voice-clone-job';
import { createSubmitNamedVoiceJob } from './submit-named-voice-job';
import { createSubmitVoiceCloneJob } from './submit-voice-clone-job';

/** What the activities call: the worker's ICE client and, to look up registered search attributes, Temporal. */
export type VoiceCloneActivityDeps = IceActivityDeps & SearchAttributeDeps;

/**
 * The activities `voiceCloneWorkflow` calls, for `Worker.create({ activities })` (the plugin registers them for
 * you). ICE errors leave them as retryable or non-retryable `ApplicationFailure`s named by ICE's Code.
 */
export function createVoiceCloneActivities(deps: VoiceCloneActivityDeps) {
  return {
    detectVoiceRecording: createDetectVoiceRecording(deps),
    findVoiceCloneJob: createFindVoiceCloneJob(deps),
    submitVoiceCloneJob: createSubmitVoiceCloneJob(deps),
    findNamedVoiceJob: createFindNamedVoiceJob(deps),
    submitNamedVoiceJob: createSubmitNamedVoiceJob(deps),
    readVoiceCloneJob: createReadVoiceCloneJob(deps),
    pollVoiceCloneJob: createPollVoiceCloneJob(deps),
    listRegisteredSearchAttributes: createListRegisteredSearchAttributes(deps),
    createVoiceCloneJob: createCreateVoiceCloneJob(deps),
    readDemonstrations: createReadDemonstrations(deps),
    readVoiceCloneOutcome: createReadVoiceCloneOutcome(deps),
  };
}

/** The activity functions by name, as `proxyActivities<VoiceCloneActivities>` types them in the workflow. */
export type VoiceCloneActivities = ReturnType<typeof createVoiceCloneActivities>;
export * from './types';
export { toActivityFailure } from './to-activity-failure';
