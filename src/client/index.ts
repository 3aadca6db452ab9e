export {
  startVoiceClone,
  InvalidVoiceCloneInputError,
  type StartVoiceCloneOptions,
  type VoiceCloneHandle,
} from './start-voice-clone';
export { getVoiceCloneStatus, type VoiceCloneStatusReport } from './voice-clone-status';
