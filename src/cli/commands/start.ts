import { WorkflowFailedError } from '@temporalio/client';
import { loadTaskQueue } from '../../config';
import { startVoiceClone } from '../../client/start-voice-clone';
import { validateVoiceCloneInput } from '../../workflows/validation';
import {
  VOICE_CLONE_EDITIONS,
  type VoiceCloneEdition,
  type VoiceCloneInput,
  type VoiceCloneResult,
  type VoiceCloneTiming,
} from '../../workflows/definitions';
import { COSYVOICE_MODELS, type CosyVoiceModel, type VoiceGender } from '../../ice/types';
import {
  EXIT_FAILURE,
  EXIT_OK,
  listOption,
  requiredString,
  stringOption,
  UsageError,
  type CommandSpec,
  type ParsedValues,
} from '../args';
import type { Command } from '../context';
import { describeWorkflowFailure } from '../errors';
import { formatElapsed, watchCloneProgress } from '../progress';
import { parseRecordingFlag } from '../recordings';
import { connectTemporal } from '../temporal';

const spec: CommandSpec = {
  name: 'start',
  summary:
    'Start the clone workflow of a voice (or attach to the running one: one workflow per voice, so ICE is never\n' +
    'asked to train the same voice twice). Basic (the default): the voice must exist in ICE\n' +
    '(CreateCustomizedVoiceJob) first. Standard and CosyVoice: the submit makes the voice; ICE assigns its VoiceId.',
  options: {
    edition: {
      type: 'string',
      value: '<edition>',
      description: `${VOICE_CLONE_EDITIONS.join(', ')} (default basic).`,
    },
    'voice-id': {
      type: 'string',
      value: '<id>',
      description: 'Basic: the VoiceId (1-32 letters or digits). Required.',
    },
    'job-id': {
      type: 'string',
      value: '<id>',
      description: 'Basic: the JobId CreateCustomizedVoiceJob returned: one read instead of paging the job list.',
    },
    recording: {
      type: 'string',
      multiple: true,
      value: '<N=url>',
      description: 'Basic: recording of demonstration sentence N to run through detection first.',
    },
    'voice-name': {
      type: 'string',
      value: '<name>',
      description: 'Standard, CosyVoice: the voice name (≤32 characters); names the clone. Required.',
    },
    gender: { type: 'string', value: '<female|male>', description: 'Standard, CosyVoice: required.' },
    'audio-media-id': {
      type: 'string',
      multiple: true,
      value: '<id>',
      description: 'Standard: training audio media IDs (15-30 min in all); CosyVoice: the one. Required.',
    },
    'authentication-media-id': {
      type: 'string',
      value: '<id>',
      description: "Standard: media ID of the speaker reading ICE's consent text. Required.",
    },
    model: { type: 'string', value: '<model>', description: `CosyVoice: ${COSYVOICE_MODELS.join(', ')}. Required.` },
    'demo-audio-url': { type: 'string', value: '<url>', description: 'https URL where ICE writes a demo clip.' },
    'callback-timeout': {
      type: 'string',
      value: '<duration>',
      description: 'Wait this long for the callback before polling (10 minutes).',
    },
    'poll-interval': { type: 'string', value: '<duration>', description: 'First polling interval (30 seconds).' },
    'max-poll-interval': {
      type: 'string',
      value: '<duration>',
      description: 'Polling backs off up to this (5 minutes).',
    },
    'training-timeout': { type: 'string', value: '<duration>', description: 'Give up after this long (24 hours).' },
    wait: { type: 'boolean', description: 'Show progress and wait for the result (exit 0 success, 1 failure).' },
    json: { type: 'boolean', description: 'Print JSON for scripts instead of text.' },
  },
  notes: [
    'Durations: Temporal duration strings ("30s", "10 minutes") or milliseconds.',
    'Temporal connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings; task queue:',
    'VOICE_CLONE_TASK_QUEUE. A worker (`ice-voice-clone worker`) must be running for the clone to progress.',
  ],
};

function timingFrom(values: ParsedValues): VoiceCloneTiming | undefined {
  const timing: VoiceCloneTiming = {};
  const flags = [
    ['callback-timeout', 'callbackTimeout'],
    ['poll-interval', 'pollInterval'],
    ['max-poll-interval', 'maxPollInterval'],
    ['training-timeout', 'trainingTimeout'],
  ] as const;
  for (const [flag, field] of flags) {
    const raw = stringOption(values, flag);
    if (raw !== undefined) timing[field] = /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return Object.keys(timing).length > 0 ? timing : undefined;
}

/** The flags of one edition only: given with another, they are a usage error, not silently dropped. */
const EDITION_FLAGS: Record<string, readonly VoiceCloneEdition[]> = {
  'voice-id': ['basic'],
  'job-id': ['basic'],
  recording: ['basic'],
  'voice-name': ['standard', 'cosyvoice'],
  gender: ['standard', 'cosyvoice'],
  'audio-media-id': ['standard', 'cosyvoice'],
  'authentication-media-id': ['standard'],
  model: ['cosyvoice'],
};

function editionFrom(values: ParsedValues): VoiceCloneEdition {
  const raw = stringOption(values, 'edition') ?? 'basic';
  if (!(VOICE_CLONE_EDITIONS as readonly string[]).includes(raw)) {
    throw new UsageError(`start: --edition must be one of ${VOICE_CLONE_EDITIONS.join(', ')}, got "${raw}"`);
  }
  const edition = raw as VoiceCloneEdition;
  for (const [flag, editions] of Object.entries(EDITION_FLAGS)) {
    if (values[flag] !== undefined && !editions.includes(edition)) {
      throw new UsageError(`start: --${flag} is for --edition ${editions.join(' or ')}, not ${edition}`);
    }
  }
  return edition;
}

/** Builds and validates the input before anything talks to Temporal or ICE. */
export function voiceCloneInputFromFlags(values: ParsedValues): VoiceCloneInput {
  const edition = editionFrom(values);
  const demoAudioUrl = stringOption(values, 'demo-audio-url');
  const demo = demoAudioUrl === undefined ? {} : { demoAudioMediaUrl: demoAudioUrl };
  const timing = timingFrom(values);
  let input: VoiceCloneInput;
  if (edition === 'basic') {
    const recordings = listOption(values, 'recording').map(parseRecordingFlag);
    input = {
      voiceId: requiredString(spec, values, 'voice-id'),
      ...(stringOption(values, 'job-id') !== undefined && { jobId: stringOption(values, 'job-id') }),
      ...demo,
      ...(recordings.length > 0 && { recordings }),
    };
  } else {
    const voiceName = requiredString(spec, values, 'voice-name');
    // Checked by the validator below; the casts only carry the text there.
    const gender = requiredString(spec, values, 'gender') as VoiceGender;
    const audios = listOption(values, 'audio-media-id');
    if (audios.length === 0) throw new UsageError('start: --audio-media-id is required');
    if (edition === 'standard') {
      const authenticationMediaId = requiredString(spec, values, 'authentication-media-id');
      input = { edition, voiceName, gender, authenticationMediaId, audioMediaIds: audios, ...demo };
    } else {
      if (audios.length > 1) throw new UsageError('start: CosyVoice trains on one audio: give --audio-media-id once');
      const model = requiredString(spec, values, 'model') as CosyVoiceModel;
      input = { edition, voiceName, gender, audioMediaId: audios[0], model, ...demo };
    }
  }
  if (timing) input.timing = timing;
  const validation = validateVoiceCloneInput(input);
  if (!validation.ok) throw new UsageError(`invalid input: ${validation.message}`);
  return input;
}

/** How the output names the voice: a Basic VoiceId, or the VoiceName with its edition. */
function voiceLabel(input: VoiceCloneInput): string {
  return input.edition === 'standard' || input.edition === 'cosyvoice'
    ? `"${input.voiceName}" (${input.edition === 'standard' ? 'Standard' : 'CosyVoice'})`
    : input.voiceId;
}

export function describeResult(result: VoiceCloneResult): string {
  const voice = result.voiceName === undefined ? result.voiceId : `"${result.voiceName}" (VoiceId ${result.voiceId})`;
  return (
    `Voice ${voice} is trained (job ${result.jobId}, via ${result.completedVia}, ` +
    `${result.statusChecks} status checks): ${result.message || result.status}`
  );
}

export const command: Command = {
  spec,
  async run({ values }, context) {
    const input = voiceCloneInputFromFlags(values);
    const json = values.json === true;
    const taskQueue = loadTaskQueue(context.env);
    const temporal = await connectTemporal(context.env);
    try {
      const startedAt = Date.now();
      const handle = await startVoiceClone(temporal.client, input, { taskQueue });
      const voice = voiceLabel(input);
      const started =
        input.edition === 'standard' || input.edition === 'cosyvoice'
          ? { workflowId: handle.workflowId, edition: input.edition, voiceName: input.voiceName }
          : { workflowId: handle.workflowId, voiceId: input.voiceId };
      if (values.wait !== true) {
        context.io.out(json ? JSON.stringify(started) : `Clone of ${voice} running as workflow ${handle.workflowId}`);
        return EXIT_OK;
      }
      if (!json) context.io.out(`Clone of ${voice} running as workflow ${handle.workflowId}; waiting…`);
      const progress = json ? undefined : watchCloneProgress(handle, (line) => context.io.out(line), { startedAt });
      const outcome = await Promise.race([
        handle.result().then(
          (result: VoiceCloneResult) => ({ kind: 'result' as const, result }),
          (error: unknown) => ({ kind: 'error' as const, error }),
        ),
        context.stopRequested().then(() => ({ kind: 'interrupted' as const })),
      ]);
      await progress?.stop();
      const elapsed = formatElapsed(Date.now() - startedAt);
      if (outcome.kind === 'interrupted') {
        context.io.err(`Stopped waiting; the clone continues as workflow ${handle.workflowId}.`);
        return EXIT_FAILURE;
      }
      if (outcome.kind === 'result') {
        context.io.out(
          json
            ? JSON.stringify({ ...started, ok: true, result: outcome.result })
            : `${describeResult(outcome.result)} [${elapsed}]`,
        );
        return EXIT_OK;
      }
      if (!(outcome.error instanceof WorkflowFailedError)) throw outcome.error;
      const failure = describeWorkflowFailure(outcome.error);
      if (json) {
        const [type, ...message] = failure.split(': ');
        context.io.out(JSON.stringify({ ...started, ok: false, failure: { type, message: message.join(': ') } }));
      } else {
        context.io.err(`Clone of ${voice} failed after ${elapsed}: ${failure}`);
      }
      return EXIT_FAILURE;
    } finally {
      await temporal.close();
    }
  },
};
