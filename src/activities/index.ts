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
import { createReadVoiceCloneJob } from './read-voice-clone-job';
import { createSubmitNamedVoiceJob } from './submit-named-voice-job';
import { createSubmitVoiceCloneJob } from './submit-voice-clone-job';

export type VoiceCloneActivityDeps = IceActivityDeps & SearchAttributeDeps;

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
  };
}

export type VoiceCloneActivities = ReturnType<typeof createVoiceCloneActivities>;
export * from './types';
export { toActivityFailure } from './to-activity-failure';
