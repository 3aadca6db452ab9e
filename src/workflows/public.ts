/**
 * What `ice-voice-clone/workflows` exports: the clone workflow, its contract (names, types, signal, query, search
 * attributes, failure types) and the default task queue. Workflow-safe, for a team's workflow code: its workflows
 * module re-exports `voiceCloneWorkflow`, its parent workflows run it with `executeChild`. The worker's own bundle
 * entry is ./index.ts (only workflows: every function exported there is registered as a workflow type).
 */
export { voiceCloneWorkflow } from './voice-clone';
export * from './definitions';
export * from './ice-ids';
export { voiceCloneBatchWorkflow } from './voice-clone-batch';
export * from './batch-definitions';
