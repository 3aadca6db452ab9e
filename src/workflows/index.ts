/** Workflow bundle entry: every workflow the worker registers. Users may re-export these in their own bundle. */
export { voiceCloneWorkflow } from './voice-clone';
