export {
  startVoiceClone,
  InvalidVoiceCloneInputError,
  type StartVoiceCloneOptions,
  type VoiceCloneHandle,
} from './start-voice-clone';
export { type SubmittedVoiceCloneHandle } from './start-voice-clone-with-updates';
export { startRecordingSession, type RecordingSessionStart } from './start-recording-session';
export {
  getVoiceCloneStatus,
  voiceCloneFailureOf,
  type VoiceCloneStatusOptions,
  type VoiceCloneStatusReport,
} from './voice-clone-status';
export {
  listVoices,
  deleteVoiceCloneJob,
  updateVoiceDemoAudio,
  type ListVoicesOptions,
  type VoiceSummary,
  type VoiceJobSummary,
} from './voices';
export {
  startVoiceCloneBatch,
  VOICE_CLONE_BATCH_WORKFLOW_ID_PREFIX,
  type StartVoiceCloneBatchOptions,
  type VoiceCloneBatchHandle,
} from './start-voice-clone-batch';
