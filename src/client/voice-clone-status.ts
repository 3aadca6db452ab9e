import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { statusQuery, voiceCloneWorkflowId, type VoiceCloneStatus } from '../workflows/definitions';

export interface VoiceCloneStatusReport {
  workflowId: string;
  runId: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, ... */
  execution: WorkflowExecutionStatusName;
  startTime: Date;
  closeTime?: Date;
  /** The workflow's own view (stage, job, last ICE status); absent when the query could not be answered. */
  progress?: VoiceCloneStatus;
  progressError?: string;
}

/** Describe + `status` query for a voice's clone workflow (latest run). */
export async function getVoiceCloneStatus(client: Client, voiceId: string): Promise<VoiceCloneStatusReport> {
  const handle = client.workflow.getHandle(voiceCloneWorkflowId(voiceId));
  const description = await handle.describe();
  const report: VoiceCloneStatusReport = {
    workflowId: description.workflowId,
    runId: description.runId,
    execution: description.status.name,
    startTime: description.startTime,
    closeTime: description.closeTime,
  };
  try {
    report.progress = await handle.query(statusQuery);
  } catch (error) {
    // A closed workflow answers queries only while a worker polls its task queue.
    report.progressError = error instanceof Error ? error.message : String(error);
  }
  return report;
}
