export {
  startVoiceClone,
  InvalidVoiceCloneInputError,
  type StartVoiceCloneOptions,
  type VoiceCloneHandle,
} from './start-voice-clone';
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
