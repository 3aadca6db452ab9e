import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { loadTaskQueue } from '../../config';
import { startVoiceClone } from '../../client/start-voice-clone';
import { EDITIONS, isNamedEdition, type EditionInput, type NamedVoiceEdition } from '../../workflows/editions';
import { validateVoiceCloneInput } from '../../workflows/validation';
import {
  VOICE_CLONE_EDITIONS,
  type BasicVoiceCloneInput,
  type SubmittedClone,
  type VoiceCloneEdition,
  type VoiceCloneInput,
  type VoiceCloneResult,
  type VoiceCloneTiming,
  type VoiceToCreate,
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
    '(CreateCustomizedVoiceJob) first, unless --gender and --scenario are given: then the workflow creates it and,\n' +
    'without --recording, waits for the recordings an app sends as updates (addRecording, submitTraining).\n' +
    'Standard and CosyVoice: the submit makes the voice; ICE assigns its VoiceId.',
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
      description:
        'Standard, CosyVoice: the voice name (≤32 characters); names the clone. Required. Basic: of the voice to create.',
    },
    gender: {
      type: 'string',
      value: '<female|male>',
      description: 'Standard, CosyVoice: required. Basic, with --scenario: the voice to create.',
    },
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
    scenario: {
      type: 'string',
      value: '<story|interaction|navigation>',
      description: 'Basic, with --gender: the workflow creates the voice (CreateCustomizedVoiceJob) unless ICE has it.',
    },
    'auto-submit-after': {
      type: 'string',
      value: '<n>',
      description: 'Recording session: submit once n recordings (sent as updates) passed (1-20).',
    },
    'recording-timeout': {
      type: 'string',
      value: '<duration>',
      description: 'Recording session: fail RecordingTimedOut when not submitted within this (7 days).',
    },
    wait: { type: 'boolean', description: 'Show progress and wait for the result (exit 0 success, 1 failure).' },
    'wait-for': {
      type: 'string',
      value: 'submitted',
      description: 'Return once ICE has the training job (Update-with-Start): print its JobId, exit 0.',
    },
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
    ['recording-timeout', 'recordingTimeout'],
  ] as const;
  for (const [flag, field] of flags) {
    const raw = stringOption(values, flag);
    if (raw !== undefined) timing[field] = /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return Object.keys(timing).length > 0 ? timing : undefined;
}

/** The flags of one edition only (each edition's `cliFlags`): given with another, they are a usage error. */
const EDITION_FLAGS: Record<string, readonly VoiceCloneEdition[]> = editionsByFlag();

function editionsByFlag(): Record<string, VoiceCloneEdition[]> {
  const byFlag: Record<string, VoiceCloneEdition[]> = {};
  for (const edition of VOICE_CLONE_EDITIONS) {
    for (const flag of EDITIONS[edition].cliFlags) (byFlag[flag] ??= []).push(edition);
  }
  return byFlag;
}

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

/** Each edition's input from its flags (the flags it takes are its description's `cliFlags`). */
const INPUT_FROM_FLAGS: { [E in VoiceCloneEdition]: (values: ParsedValues) => EditionInput<E> } = {
  basic: (values) => {
    const recordings = listOption(values, 'recording').map(parseRecordingFlag);
    const input: EditionInput<'basic'> = {
      voiceId: requiredString(spec, values, 'voice-id'),
      ...(stringOption(values, 'job-id') !== undefined && { jobId: stringOption(values, 'job-id') }),
      ...demoFrom(values),
      ...(recordings.length > 0 && { recordings }),
    };
    addRecordingSessionFlags(values, input);
    return input;
  },
  standard: (values) => {
    const voice = namedVoiceFrom(values);
    const audioMediaIds = audiosFrom(values);
    const authenticationMediaId = requiredString(spec, values, 'authentication-media-id');
    return { edition: 'standard', ...voice, authenticationMediaId, audioMediaIds, ...demoFrom(values) };
  },
  cosyvoice: (values) => {
    const voice = namedVoiceFrom(values);
    const audios = audiosFrom(values);
    if (audios.length > 1) throw new UsageError('start: CosyVoice trains on one audio: give --audio-media-id once');
    const model = requiredString(spec, values, 'model') as CosyVoiceModel;
    return { edition: 'cosyvoice', ...voice, audioMediaId: audios[0], model, ...demoFrom(values) };
  },
};

function demoFrom(values: ParsedValues): { demoAudioMediaUrl?: string } {
  const demoAudioUrl = stringOption(values, 'demo-audio-url');
  return demoAudioUrl === undefined ? {} : { demoAudioMediaUrl: demoAudioUrl };
}

/** The VoiceName and gender a named edition's voice is trained under (checked by the validator). */
function namedVoiceFrom(values: ParsedValues): { voiceName: string; gender: VoiceGender } {
  return {
    voiceName: requiredString(spec, values, 'voice-name'),
    gender: requiredString(spec, values, 'gender') as VoiceGender,
  };
}

function audiosFrom(values: ParsedValues): string[] {
  const audios = listOption(values, 'audio-media-id');
  if (audios.length === 0) throw new UsageError('start: --audio-media-id is required');
  return audios;
}

/** Builds and validates the input before anything talks to Temporal or ICE. */
export function voiceCloneInputFromFlags(values: ParsedValues): VoiceCloneInput {
  const edition = editionFrom(values);
  const timing = timingFrom(values);
  const input: VoiceCloneInput = INPUT_FROM_FLAGS[edition](values);
  if (timing) input.timing = timing;
  const validation = validateVoiceCloneInput(input);
  if (!validation.ok) throw new UsageError(`invalid input: ${validation.message}`);
  return input;
}

/** --gender/--scenario/--voice-name make input.voice; --auto-submit-after its count (validation checks both). */
function addRecordingSessionFlags(values: ParsedValues, input: BasicVoiceCloneInput): void {
  const gender = stringOption(values, 'gender');
  const scenario = stringOption(values, 'scenario');
  const voiceName = stringOption(values, 'voice-name');
  if (gender !== undefined || scenario !== undefined || voiceName !== undefined) {
    if (gender === undefined || scenario === undefined) {
      throw new UsageError('start: --gender and --scenario go together (the voice the workflow creates)');
    }
    input.voice = { gender, scenario, ...(voiceName !== undefined && { voiceName }) } as VoiceToCreate;
  }
  const autoSubmitAfter = stringOption(values, 'auto-submit-after');
  if (autoSubmitAfter !== undefined) {
    input.autoSubmitAfter = /^\d+$/.test(autoSubmitAfter) ? Number(autoSubmitAfter) : Number.NaN;
  }
}

function waitForOption(values: ParsedValues): 'submitted' | undefined {
  const waitFor = stringOption(values, 'wait-for');
  if (waitFor === undefined) return undefined;
  if (waitFor !== 'submitted') throw new UsageError(`start: --wait-for must be "submitted", got "${waitFor}"`);
  if (values.wait === true) throw new UsageError('start: --wait and --wait-for submitted exclude each other');
  return waitFor;
}

export function describeSubmitted(voiceId: string, submitted: SubmittedClone): string {
  const passed = submitted.detection.filter((result) => result.pass).length;
  const detection =
    submitted.detection.length > 0 ? ` (${passed}/${submitted.detection.length} recordings passed)` : '';
  return `ICE has the training job of voice ${voiceId}: JobId ${submitted.jobId}${detection}`;
}

/** How the output names the voice: a Basic VoiceId, or the VoiceName with its edition. */
function voiceLabel(input: VoiceCloneInput): string {
  return isNamedInput(input) ? `"${input.voiceName}" (${EDITIONS[input.edition].label})` : input.voiceId;
}

function isNamedInput(
  input: VoiceCloneInput,
): input is { [E in NamedVoiceEdition]: EditionInput<E> }[NamedVoiceEdition] {
  return isNamedEdition(input.edition);
}

/** What `--json` prints of a started clone: its workflow ID and what names its voice. */
function startedJson(workflowId: string, input: VoiceCloneInput): Record<string, string> {
  return isNamedInput(input)
    ? { workflowId, edition: input.edition, voiceName: input.voiceName }
    : { workflowId, voiceId: input.voiceId };
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
    const waitFor = waitForOption(values);
    const json = values.json === true;
    const taskQueue = loadTaskQueue(context.env);
    const temporal = await connectTemporal(context.env);
    try {
      const startedAt = Date.now();
      if (waitFor === 'submitted') return await untilSubmitted(context, temporal.client, input, taskQueue, json);
      const handle = await startVoiceClone(temporal.client, input, { taskQueue });
      const voice = voiceLabel(input);
      const started = startedJson(handle.workflowId, input);
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

/** `--wait-for submitted`: one Update-with-Start call; the clone trains on after the command exits. */
async function untilSubmitted(
  context: Parameters<Command['run']>[1],
  client: Parameters<typeof startVoiceClone>[0],
  input: VoiceCloneInput,
  taskQueue: string,
  json: boolean,
): Promise<number> {
  try {
    const handle = await startVoiceClone(client, input, { taskQueue, waitFor: 'submitted' });
    const { jobId, detection } = handle.submitted;
    const voiceId = input.voiceId ?? '';
    context.io.out(
      json
        ? JSON.stringify({ workflowId: handle.workflowId, voiceId, ok: true, jobId, detection })
        : `${describeSubmitted(voiceId, handle.submitted)}; training continues in workflow ${handle.workflowId}`,
    );
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
    const failure = describeWorkflowFailure(error);
    if (json) {
      const [type, ...message] = failure.split(': ');
      context.io.out(
        JSON.stringify({ voiceId: input.voiceId, ok: false, failure: { type, message: message.join(': ') } }),
      );
    } else {
      context.io.err(`Clone of ${input.voiceId} was not submitted: ${failure}`);
    }
    return EXIT_FAILURE;
  }
}
