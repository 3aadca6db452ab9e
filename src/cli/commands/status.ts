import { WorkflowNotFoundError } from '@temporalio/client';
import { getVoiceCloneStatus, type VoiceCloneStatusReport } from '../../client/voice-clone-status';
import { isKnownVoiceJobStatus } from '../../ice/types';
import { voiceCloneWorkflowId, type RecordingStatus, type VoiceCloneIdentity } from '../../workflows/definitions';
import { EDITIONS, isNamedEdition, NAMED_EDITIONS } from '../../workflows/editions';
import { BASIC_VOICE_ID_PATTERN, BASIC_VOICE_ID_RULE, isVoiceName, VOICE_NAME_RULE } from '../../workflows/ice-ids';
import { EXIT_FAILURE, EXIT_OK, stringOption, UsageError, type CommandSpec, type ParsedValues } from '../args';
import type { Command } from '../context';
import { CliFailure } from '../errors';
import { formatElapsed } from '../progress';
import { connectTemporal } from '../temporal';

/** The editions whose clone is named by `--edition` and `--voice-name`, and how ICE writes them. */
const NAMED = Object.keys(NAMED_EDITIONS);
const NAMED_LABELS = Object.values(NAMED_EDITIONS).map((edition) => edition.label);

const spec: CommandSpec = {
  name: 'status',
  summary:
    "Show a clone's workflow state, stage, last ICE status, job and timings. A Basic clone is named by its VoiceId,\n" +
    `a ${NAMED_LABELS.join(' or ')} clone by its edition and VoiceName (ICE assigns its VoiceId).`,
  positionals: [{ name: '<voiceId>', description: 'The VoiceId of the Basic clone to show.', required: false }],
  options: {
    edition: { type: 'string', value: '<edition>', description: `${NAMED.join(' or ')} (with --voice-name).` },
    'voice-name': { type: 'string', value: '<name>', description: 'The VoiceName the clone was started with.' },
    json: { type: 'boolean', description: 'Print JSON for scripts instead of text.' },
  },
  notes: [
    'Examples: `status Anna2026`, `status --edition cosyvoice --voice-name "Anna"`.',
    'Exit code: 0 when the clone is running or succeeded, 1 when it failed or does not exist.',
  ],
};

/** Which clone the user names: a Basic VoiceId, or an edition with a VoiceName. */
function identityFrom(values: ParsedValues, positionals: string[]): VoiceCloneIdentity {
  const edition = stringOption(values, 'edition');
  const voiceName = stringOption(values, 'voice-name');
  const voiceId = positionals[0];
  if (edition === undefined && voiceName === undefined) {
    if (voiceId === undefined) {
      throw new UsageError(`status: missing <voiceId> (or --edition ${NAMED.join('|')} with --voice-name)`);
    }
    if (!BASIC_VOICE_ID_PATTERN.test(voiceId)) {
      throw new UsageError(`status: <voiceId> ${BASIC_VOICE_ID_RULE}, got "${voiceId}"`);
    }
    return { voiceId };
  }
  if (voiceId !== undefined) throw new UsageError('status: give <voiceId> or --edition with --voice-name, not both');
  if (edition === 'basic') throw new UsageError('status: a Basic clone is named by its <voiceId>');
  if (!isNamedEdition(edition)) {
    throw new UsageError(`status: --edition must be ${NAMED.join(' or ')} with --voice-name, got "${edition ?? ''}"`);
  }
  if (!isVoiceName(voiceName)) throw new UsageError(`status: --voice-name ${VOICE_NAME_RULE}`);
  return { edition, voiceName };
}

function describeVoice(report: VoiceCloneStatusReport): string {
  if (report.edition === 'basic') return report.voiceId ?? '';
  const edition = EDITIONS[report.edition].label;
  return `"${report.voiceName ?? ''}" (${edition}${report.voiceId ? `, VoiceId ${report.voiceId}` : ''})`;
}

export function formatCloneStatus(report: VoiceCloneStatusReport): string {
  const rows: [string, string | number | undefined][] = [
    ['Voice', describeVoice(report)],
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
    [
      'Callbacks',
      report.callbacksReceived === undefined
        ? undefined
        : `${report.callbacksReceived}${report.callbacksCoalesced ? ` (${report.callbacksCoalesced} coalesced)` : ''}`,
    ],
    ['Started', report.startTime.toISOString()],
    ['Closed', report.closeTime?.toISOString()],
    [report.closeTime ? 'Took' : 'Running for', formatElapsed(report.durationMs)],
    ['Result', report.result && `${report.result.status} via ${report.result.completedVia}: ${report.result.message}`],
    ['Failure', report.failure && `${report.failure.type}: ${report.failure.message}`],
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
    const identity = identityFrom(values, positionals);
    const temporal = await connectTemporal(context.env);
    try {
      const report = await getVoiceCloneStatus(temporal.client, identity).catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) {
          const voice =
            'voiceId' in identity ? `voice ${identity.voiceId}` : `${identity.edition} voice "${identity.voiceName}"`;
          throw new CliFailure(
            `no clone for ${voice} (workflow ${voiceCloneWorkflowId(identity)} not found in ${temporal.namespace})`,
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
