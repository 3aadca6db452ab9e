import { BIND_HOST_RULE, isBindHost, loadEmulatorConfig, type EmulatorConfig } from '../../config';
import { COSYVOICE_JOB_TYPES, startEmulator, type CosyVoiceJobType } from '../../emulator';
import { createLogger } from '../../observability/logger';
import {
  EXIT_OK,
  listOption,
  portOption,
  stringOption,
  UsageError,
  wholeNumberOption,
  type CommandSpec,
  type ParsedValues,
} from '../args';
import type { Command } from '../context';
import { bindFailure, type BindSettings } from '../errors';
import { parseFaultFlags } from '../faults';

const spec: CommandSpec = {
  name: 'emulator',
  summary:
    "Run the local ICE emulator: the voice-cloning operations on ICE's wire protocol (signed requests, same\n" +
    "envelopes and errors), callbacks, MNS's queue API under /queues/, fault injection and an admin API under\n" +
    '/__emulator/.',
  options: {
    port: {
      type: 'string',
      value: '<port>',
      description: 'Port to listen on (default ICE_EMULATOR_PORT or 8788; 0 = random).',
    },
    host: { type: 'string', value: '<host>', description: 'Address to bind (default ICE_EMULATOR_HOST or 127.0.0.1).' },
    'training-ms': {
      type: 'string',
      value: '<ms>',
      description: 'Time a submitted job trains before it ends (default ICE_EMULATOR_TRAINING_MS or 20000).',
    },
    'state-file': {
      type: 'string',
      value: '<file>',
      description: 'Persist jobs to this JSON file and reload them at start.',
    },
    fault: { type: 'string', multiple: true, value: '<op:kind[:n]>', description: 'Inject a fault (see below).' },
    'lower-case-callback-key': {
      type: 'boolean',
      description: "Sign callbacks with the lower-cased AuthKey (what ICE's documented example suggests).",
    },
    'cosyvoice-job-type': {
      type: 'string',
      value: '<type>',
      description:
        'Type CosyVoice jobs report and are listed under: CosyVoice (default) or Standard (ICE does not say).',
    },
  },
  notes: [
    'Faults (--fault):',
    '  <Action|*>:throttle|serverError|closeAfterAccept[:N|rate]   e.g. SubmitCustomizedVoiceJob:closeAfterAccept:1',
    '  <Action|*>:omitJobId[:N|rate]   carry a create/submit out, answer 200 without Data.JobId',
    '  <Action|*>:latency:<ms>                                    e.g. "*:latency:200"',
    '  <Action|*>:rateLimit:<calls/s>   beyond it 400 Throttling; under * each action apart, e.g. "*:rateLimit:20"',
    '  callbacks:drop|duplicate[:N|rate]  callbacks:delay:<ms>  callbacks:reorder:<batch>  failTraining:<VoiceId>',
    '  mns:deleteFails|receiveServerError[:N|rate]   MNS deletes / receives answer 500 InternalError',
    '  mns:base64Body[:N|rate]   ICE writes its events into the MNS queue base64-encoded',
    '  status:<VoiceId>:<raw|none>[:N]   GetCustomizedVoiceJob reports that raw Status (none = no Status field)',
    "  for the next N reads of the voice's job, e.g. status:Voice01:Queued:3",
    '  N (1, 2, …) = the next N calls; a rate (0.2) = that share of calls; nothing = every call.',
    'Deterministic rules: a recording URL containing "fail-detection" fails detection; a Basic VoiceId or a',
    'Standard/CosyVoice VoiceName starting with "FailTrain" ends training in Fail; Standard accepts 1-29 audio media',
    'IDs, refuses one containing "short-audio", and fails the job for an Authentication ID containing',
    '"voiceprint-mismatch"; CosyVoice refuses a 31st voice. Accepts the key pair in',
    'ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, else the dev pair LTAIEmulatorDevKey0001 / EmulatorDevSecretNotForProduction.',
  ],
};

/** The address to bind: a flag over its variable, each named when it cannot be used. */
function bindSettings(values: ParsedValues, config: EmulatorConfig): BindSettings {
  const hostFlag = stringOption(values, 'host');
  if (hostFlag !== undefined && !isBindHost(hostFlag)) {
    throw new UsageError(`--host ${BIND_HOST_RULE}, got "${hostFlag}"`);
  }
  const portFlag = portOption(spec, values, 'port');
  return {
    host: hostFlag ?? config.host,
    hostSetting: hostFlag === undefined ? 'ICE_EMULATOR_HOST' : '--host',
    port: portFlag ?? config.port,
    portSetting: portFlag === undefined ? 'ICE_EMULATOR_PORT' : '--port',
  };
}

export const command: Command = {
  spec,
  async run({ values }, context) {
    const config = loadEmulatorConfig(context.env);
    const faults = parseFaultFlags(listOption(values, 'fault'));
    const cosyVoiceJobType = stringOption(values, 'cosyvoice-job-type') ?? 'CosyVoice';
    if (!(COSYVOICE_JOB_TYPES as readonly string[]).includes(cosyVoiceJobType)) {
      throw new UsageError(`--cosyvoice-job-type must be one of ${COSYVOICE_JOB_TYPES.join(', ')}`);
    }
    const bind = bindSettings(values, config);
    const logger = createLogger('emulator', context.logLevel);
    const emulator = await startEmulator({
      ...config,
      host: bind.host,
      port: bind.port,
      trainingMs: wholeNumberOption(spec, values, 'training-ms', 0, 86_400_000) ?? config.trainingMs,
      stateFile: stringOption(values, 'state-file') ?? config.stateFile,
      faults,
      logger,
      settings: {
        lowerCaseCallbackKey: values['lower-case-callback-key'] === true,
        cosyVoiceJobType: cosyVoiceJobType as CosyVoiceJobType,
      },
    }).catch((error: unknown) => {
      throw bindFailure(error, bind);
    });
    context.io.out(`ICE emulator listening on ${emulator.url} (admin API: ${emulator.url}/__emulator/health)`);
    context.io.out(`Point the package at it with ICE_ENDPOINT=${emulator.url}. Ctrl-C stops it.`);
    await context.stopRequested();
    await emulator.close();
    return EXIT_OK;
  },
};
