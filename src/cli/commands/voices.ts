import { listVoices, type VoiceSummary } from '../../client/voices';
import { loadIceClientConfig } from '../../config';
import { createIceClient } from '../../ice';
import { createLogger } from '../../observability/logger';
import { VOICE_CLONE_EDITIONS, type VoiceCloneEdition } from '../../workflows/definitions';
import { EXIT_OK, stringOption, UsageError, type CommandSpec } from '../args';
import type { Command } from '../context';

const spec: CommandSpec = {
  name: 'voices',
  summary:
    "List the account's cloned voices and their jobs (ListCustomizedVoices and ListCustomizedVoiceJobs, every\n" +
    'page), one row per job, newest first; a voice without a job has one row of its own.',
  options: {
    edition: {
      type: 'string',
      value: '<edition>',
      description: `Only this edition: ${VOICE_CLONE_EDITIONS.join(', ')} (default all three).`,
    },
    json: { type: 'boolean', description: 'Print JSON for scripts (voices with their jobs) instead of a table.' },
  },
  notes: [
    'ICE settings: ICE_REGION / ICE_ENDPOINT and Alibaba credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET or the',
    'default credential chain). RAM actions needed: ice:ListCustomizedVoices, ice:ListCustomizedVoiceJobs.',
    'ICE does not document the Type of CosyVoice voices: where it lists them as Standard, they show as Standard.',
  ],
};

const COLUMNS = ['TYPE', 'VOICE ID', 'VOICE NAME', 'GENDER', 'JOB ID', 'STATUS', 'CREATED'] as const;

export function formatVoiceTable(voices: readonly VoiceSummary[]): string {
  const rows: string[][] = [];
  for (const voice of voices) {
    const head = [voice.type, voice.voiceId, voice.voiceName || '-', voice.gender || '-'];
    if (voice.jobs.length === 0) rows.push([...head, '-', '-', '-']);
    for (const job of voice.jobs) rows.push([...head, job.jobId, job.status || '-', job.createTime || '-']);
  }
  if (rows.length === 0) return 'No voices.';
  const widths = COLUMNS.map((title, column) => Math.max(title.length, ...rows.map((row) => [...row[column]].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell + ' '.repeat(widths[column] - [...cell].length))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}

export const command: Command = {
  spec,
  async run({ values }, context) {
    const edition = stringOption(values, 'edition');
    if (edition !== undefined && !(VOICE_CLONE_EDITIONS as readonly string[]).includes(edition)) {
      throw new UsageError(`voices: --edition must be one of ${VOICE_CLONE_EDITIONS.join(', ')}, got "${edition}"`);
    }
    const logger = createLogger('voices', context.logLevel);
    const ice = createIceClient(loadIceClientConfig(context.env), { logger });
    const voices = await listVoices(ice, edition === undefined ? {} : { edition: edition as VoiceCloneEdition });
    context.io.out(values.json === true ? JSON.stringify(voices) : formatVoiceTable(voices));
    return EXIT_OK;
  },
};
