/**
 * The local ICE emulator's entry point. Speaks ICE's wire protocol on `POST /` (V3 signatures checked against
 * `keyPairs`), MNS's queue API under `/queues/` (MNS signatures, the same key pairs; see ./mns/mns-service.ts) and
 * the admin API on `/__emulator` (see ./admin-api.ts).
 *
 * Documented deterministic rules: a RecordUrl containing "fail-detection" fails detection (Pass=false with a
 * Reason); a Basic VoiceId or a Standard/CosyVoice VoiceName starting with "FailTrain" (or listed in
 * faults.failTrainingVoiceIds) ends training in Fail; Standard's media rules are in ./edition-rules.ts.
 */
import { EMULATOR_DEV_CREDENTIALS, type EmulatorConfig, type IceCredentials } from '../config';
import { createIceClient } from '../ice/client';
import type { IceClient } from '../ice/types';
import { silentLogger, type Logger } from '../observability/logger';
import { EmulatorAdminClient, type EmulatorSettings, type FaultConfig } from './admin-api';
import { ICE_CALLBACK_TIMING, type CallbackTiming } from './callback-dispatcher';
import { IceEmulator } from './ice-emulator';

export * from './admin-api';
export { FAIL_DETECTION_MARKER } from './ice-operations';
export {
  SHORT_AUDIO_MARKER,
  STANDARD_MAX_AUDIOS,
  VOICEPRINT_MISMATCH_MARKER,
  VOICEPRINT_MISMATCH_MESSAGE,
} from './edition-rules';
export {
  COSYVOICE_QUOTA_CODE,
  COSYVOICE_VOICE_LIMIT,
  JOB_NOT_FOUND_CODE,
  JOB_STATUS_CODE,
  VOICE_NOT_FOUND_CODE,
} from './voice-job-book';
export { TRAINING_FAILED_MESSAGE } from './ice-emulator';
export { EMULATOR_EXPOSED_WARNING } from './bind-warning';
export type { CallbackTiming } from './callback-dispatcher';
export type { MnsQueueSummary } from './mns/mns-queue-book';

/** Options of `startEmulator`: any `EmulatorConfig` field overrides `EMULATOR_DEFAULTS`. */
export interface StartEmulatorOptions extends Partial<EmulatorConfig> {
  faults?: FaultConfig;
  logger?: Logger;
  /** ICE's callback timing (3 s timeout, 1 s between 3 attempts) unless a test shortens it. */
  callbackTiming?: Partial<CallbackTiming>;
  /** Run-time settings to start with (trainingMs comes from the config above). */
  settings?: Pick<Partial<EmulatorSettings>, 'lowerCaseCallbackKey' | 'cosyVoiceJobType'>;
  /**
   * With a state file: whether it keeps the callback setting's AuthKey, as ICE keeps it (default true: a restarted
   * emulator signs callbacks and GetEventCallback answers the key). The local stack, whose key is generated per run,
   * sets false: a setting with a key is then neither written nor restored.
   */
  callbackAuthKeyOnDisk?: boolean;
}

/** A started emulator: where it listens, its admin client, a key pair it accepts, and how to stop it. */
export interface RunningEmulator {
  /** http://127.0.0.1:<port> (or the configured host) */
  url: string;
  port: number;
  admin: EmulatorAdminClient;
  /** The first accepted key pair, for clients pointed at this emulator. */
  credentials: IceCredentials;
  close(): Promise<void>;
}

/**
 * The package's ICE client pointed at an emulator with its key pair, both timeouts `timeoutMs`: what tests, examples
 * and tools that drive the emulator directly need.
 */
export function emulatorIceClient(
  emulator: Pick<RunningEmulator, 'url' | 'credentials'>,
  timeoutMs = 3_000,
): IceClient {
  return createIceClient({
    region: 'cn-shanghai',
    endpoint: emulator.url,
    connectTimeoutMs: timeoutMs,
    readTimeoutMs: timeoutMs,
    credentials: emulator.credentials,
  });
}

/** Defaults for programmatic use: random port, dev key pair, a short training time. */
export const EMULATOR_DEFAULTS: EmulatorConfig = {
  host: '127.0.0.1',
  port: 0,
  keyPairs: [EMULATOR_DEV_CREDENTIALS],
  trainingMs: 1_000,
  userId: 1234567890123456,
};

/**
 * Starts a local ICE emulator (default: a random port on 127.0.0.1, the dev key pair, 1 s training) and resolves
 * once it listens. Throws for an empty `keyPairs`; `close()` stops it.
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const { faults, logger, callbackTiming, settings, callbackAuthKeyOnDisk, ...overrides } = options;
  const config: EmulatorConfig = { ...EMULATOR_DEFAULTS, ...stripUndefined(overrides) };
  if (config.keyPairs.length === 0) throw new Error('startEmulator: keyPairs must not be empty');
  const emulator = new IceEmulator(config, {
    faults: faults ?? {},
    logger: logger ?? silentLogger,
    callbackTiming: { ...ICE_CALLBACK_TIMING, ...stripUndefined(callbackTiming ?? {}) },
    settings,
    callbackAuthKeyOnDisk: callbackAuthKeyOnDisk ?? true,
  });
  const port = await emulator.start();
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  (logger ?? silentLogger).info('ICE emulator listening', { url, trainingMs: config.trainingMs });
  return {
    url,
    port,
    admin: new EmulatorAdminClient(url),
    credentials: config.keyPairs[0],
    close: () => emulator.close(),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
