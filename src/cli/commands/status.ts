import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isKnownVoiceJobStatus } from '../../ice/types';
import {
  searchAttributes,
  statusQuery,
  voiceCloneWorkflowId,
  type RecordingStatus,
  type VoiceCloneResult,
  type VoiceCloneStatus,
} from '../../workflows/definitions';
import { VOICE_ID_PATTERN } from '../../workflows/validation';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CommandSpec } from '../args';
import type { Command } from '../context';
import { CliFailure, describeWorkflowFailure } from '../errors';
import { formatElapsed } from '../progress';
import { connectTemporal } from '../temporal';

const spec: CommandSpec = {
  name: 'status',
  summary: "Show a clone's workflow state, stage, last ICE status, job and timings.",
  positionals: [{ name: '<voiceId>', description: 'The VoiceId whose clone to show.', required: true }],
  options: { json: { type: 'boolean', description: 'Print JSON for scripts instead of text.' } },
  notes: ['Exit code: 0 when the clone is running or succeeded, 1 when it failed or does not exist.'],
};

export interface CloneStatusReport {
  voiceId: string;
  workflowId: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TIMED_OUT, TERMINATED, CANCELLED… */
  execution: string;
  stage?: string;
  jobId?: string;
  /** ICE's raw Status: a value this package does not know means "not finished". */
  lastIceStatus?: string;
  lastIceStatusAt?: string;
  statusChecks?: number;
  callbacksReceived?: number;
  startedAt: string;
  closedAt?: string;
  durationMs: number;
  result?: VoiceCloneResult;
  failure?: string;
  /** Recording session (while running): each sentence's latest recording and its detection. */
  recordings?: RecordingStatus[];
}

const QUERY_TIMEOUT_MS = 5_000;

async function queryWithTimeout(client: Client, workflowId: string): Promise<VoiceCloneStatus | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), QUERY_TIMEOUT_MS)));
  const query = client.workflow
    .getHandle(workflowId)
    .query(statusQuery)
    .catch(() => undefined);
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads what Temporal knows without needing a worker; the live `status` query only for running clones. */
export async function readCloneStatus(client: Client, voiceId: string): Promise<CloneStatusReport> {
  const workflowId = voiceCloneWorkflowId(voiceId);
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const attributes = description.typedSearchAttributes;
  const report: CloneStatusReport = {
    voiceId,
    workflowId,
    runId: description.runId,
    execution: description.status.name,
    stage: attributes.get(searchAttributes.voiceCloneStage),
    jobId: attributes.get(searchAttributes.iceJobId),
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString(),
    durationMs: (description.closeTime ?? new Date()).getTime() - description.startTime.getTime(),
  };
  if (description.status.name === 'RUNNING') {
    const status = await queryWithTimeout(client, workflowId);
    if (status) {
      Object.assign(report, {
        stage: status.stage,
        jobId: status.jobId ?? report.jobId,
        lastIceStatus: status.lastIceStatus,
        lastIceStatusAt: status.lastIceStatusAt,
        statusChecks: status.statusChecks,
        callbacksReceived: status.callbacksReceived,
        ...(status.recordings && { recordings: status.recordings }),
      });
    }
  } else if (description.status.name === 'COMPLETED') {
    // A clone completes only when trained; without registered search attributes it wrote no VoiceCloneStage.
    report.stage = 'Succeeded';
    report.result = (await handle.result()) as VoiceCloneResult;
    report.lastIceStatus = report.result.status;
    report.jobId = report.result.jobId || report.jobId;
    report.statusChecks = report.result.statusChecks;
  } else {
    try {
      await handle.result();
    } catch (error) {
      // Failed before it knew its search attributes (invalid input) or without them registered: no stage written.
      if (description.status.name === 'FAILED') report.stage ??= 'Failed';
      report.failure = error instanceof WorkflowFailedError ? describeWorkflowFailure(error) : String(error);
    }
  }
  return report;
}

export function formatCloneStatus(report: CloneStatusReport): string {
  const rows: [string, string | number | undefined][] = [
    ['Voice', report.voiceId],
    ['Workflow', `${report.workflowId} (run ${report.runId})`],
    ['Execution', report.execution],
    ['Stage', report.stage],
    ['ICE job', report.jobId],
    [
      'ICE status',
      report.lastIceStatus &&
        `${report.lastIceStatus}${report.lastIceStatusAt ? ` (read ${report.lastIceStatusAt})` : ''}` +
          (isKnownVoiceJobStatus(report.lastIceStatus) ? '' : ' — not a status this package knows: not finished'),
    ],
    ['Status checks', report.statusChecks],
    ['Callbacks', report.callbacksReceived],
    ['Started', report.startedAt],
    ['Closed', report.closedAt],
    [report.closedAt ? 'Took' : 'Running for', formatElapsed(report.durationMs)],
    ['Result', report.result && `${report.result.status} via ${report.result.completedVia}: ${report.result.message}`],
    ['Failure', report.failure],
  ];
  const lines = rows
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([label, value]) => `${label.padEnd(14)} ${value}`);
  if (report.recordings) lines.push(...formatRecordings(report.recordings));
  return lines.join('\n');
}

/** The recording session's table: one line per sentence recorded, with ICE's reason for a failed one. */
function formatRecordings(recordings: RecordingStatus[]): string[] {
  const passed = recordings.filter((row) => row.state === 'passed').length;
  const lines = [`${'Recordings'.padEnd(14)} ${passed} of ${recordings.length} passed detection`];
  for (const row of recordings) {
    const reason = row.reason ? ` — ${row.reason}` : '';
    lines.push(`  ${String(row.audioRecordId).padStart(2)}  ${row.state.padEnd(9)} ${row.text}${reason}`);
  }
  return lines;
}

export const command: Command = {
  spec,
  async run({ values, positionals }, context) {
    const voiceId = positionals[0] ?? '';
    if (!VOICE_ID_PATTERN.test(voiceId))
      throw new UsageError(`status: <voiceId> must be 1-32 letters or digits, got "${voiceId}"`);
    const temporal = await connectTemporal(context.env);
    try {
      const report = await readCloneStatus(temporal.client, voiceId).catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) {
          throw new CliFailure(
            `no clone for voice ${voiceId} (workflow ${voiceCloneWorkflowId(voiceId)} not found in ${temporal.namespace})`,
          );
        }
        throw error;
      });
      context.io.out(values.json === true ? JSON.stringify(report) : formatCloneStatus(report));
      return report.execution === 'RUNNING' || report.execution === 'COMPLETED' ? EXIT_OK : EXIT_FAILURE;
    } finally {
      await temporal.close();
    }
  },
};
