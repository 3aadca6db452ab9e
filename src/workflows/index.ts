/**
 * Workflow bundle entry of the package's own worker: every workflow it registers (each exported function is a
 * workflow type, so nothing else is exported here). Teams import from `ice-voice-clone/workflows` (./public.ts).
 */
export { voiceCloneWorkflow } from './voice-clone';
export { voiceCloneBatchWorkflow } from './voice-clone-batch';
