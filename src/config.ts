/**
 * The one place that reads settings. Every other module receives typed config objects; nothing else reads
 * `process.env` (ESLint enforces it). Each setting has a default and a validation rule, and the README's
 * settings table lists them all. A bad value fails with a `ConfigError` that names the variable and the rule.
 *
 * Secrets (AccessKey secrets, callback auth keys) are returned here but never logged, and error messages never echo
 * them.
 */
import { isIP } from 'node:net';
import { ICE_AUTH_KEY_RULE, ICE_CALLBACK_URL_MAX_BYTES, isValidIceAuthKey } from './ice/callback-auth';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { DEFAULT_TASK_QUEUE } from './workflows/definitions';
import { iceCallbackQueueNameProblem, urlProblem } from './workflows/ice-ids';
import { ICE_FOREIGN_EVENT_TYPES } from './callback/event-types';
import type { IceCallRateLimits } from './ice/rate-limiter';
import { ICE_ACTIONS, type IceAction } from './ice/types';

/** The environment settings are read from (default `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The process's environment, for entry points that hand it to the loaders below (the CLI). */
export function processEnv(): Env {
  return process.env;
}

/** A bad setting: its message names the variable and what it must be (the CLI exits 2). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    readonly rule: string,
  ) {
    super(`${variable}: ${rule}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parsing helpers
// ---------------------------------------------------------------------------------------------------------

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be from ${min} to ${max}, got ${value}`);
  return value;
}

function readOptionalNumber(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function readUrl(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  // The one URL rule (src/workflows/ice-ids.ts), as for every URL the package takes.
  const problem = urlProblem(raw, protocols);
  if (problem !== undefined) throw new ConfigError(name, problem);
  return raw;
}

/** What a bind-host setting must be (the text of its ConfigError). */
export const BIND_HOST_RULE = 'must be an IP address or a host name (letters, digits, "-" and ".")';

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** An address a server can be told to bind: an IP literal or a host name (whether it resolves shows at listen). */
export function isBindHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  // Only digits and dots is meant as an IPv4 address: a bad one (999.1.1.1) is refused, not looked up as a name.
  if (/^[\d.]+$/.test(host)) return false;
  return HOST_NAME.test(host);
}

function readHost(env: Env, name: string, fallback: string): string {
  const host = read(env, name) ?? fallback;
  if (!isBindHost(host)) throw new ConfigError(name, `${BIND_HOST_RULE}, got "${host}"`);
  return host;
}

// ---------------------------------------------------------------------------------------------------------
// ICE client
// ---------------------------------------------------------------------------------------------------------

/** An Alibaba Cloud AccessKey pair, with the STS token for temporary credentials. */
export interface IceCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Where and as whom the ICE client calls: `createIceClient`'s settings. */
export interface IceClientConfig {
  /** Region id, e.g. `cn-shanghai`. Used for the endpoint when `endpoint` is not set. */
  region: string;
  /** Full URL of the ICE endpoint (`http://` allowed, that is how the emulator is reached). */
  endpoint: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /**
   * Explicit key pair. When absent the client uses Alibaba's default credential chain
   * (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN, credentials file, ECS RAM role, OIDC).
   */
  credentials?: IceCredentials;
  /**
   * The client's own limit on calls per second, per ICE action (ICE_MAX_CALLS_PER_SECOND, _BY_ACTION); a call waits
   * at most `readTimeoutMs` for its slot. Absent: no limit.
   */
  maxCallsPerSecond?: IceCallRateLimits;
}

const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

/**
 * The ICE client's settings from ICE_REGION, ICE_ENDPOINT and the credential variables (default endpoint
 * `https://ice.<region>.aliyuncs.com`). Throws `ConfigError` naming a bad variable.
 */
export function loadIceClientConfig(env: Env = process.env): IceClientConfig {
  const region = read(env, 'ICE_REGION') ?? 'cn-shanghai';
  if (!REGION_PATTERN.test(region))
    throw new ConfigError('ICE_REGION', `must look like "cn-shanghai", got "${region}"`);
  const endpoint = readUrl(env, 'ICE_ENDPOINT', ['https:', 'http:']) ?? `https://ice.${region}.aliyuncs.com`;
  return {
    region,
    endpoint,
    connectTimeoutMs: readInt(env, 'ICE_CONNECT_TIMEOUT_MS', 5_000, 100, 120_000),
    readTimeoutMs: readInt(env, 'ICE_READ_TIMEOUT_MS', 10_000, 100, 300_000),
    ...readIceCallRateLimits(env),
  };
}

const CALLS_PER_SECOND_MIN = 0.01;
const CALLS_PER_SECOND_MAX = 10_000;

/** ICE_MAX_CALLS_PER_SECOND and ICE_MAX_CALLS_PER_SECOND_BY_ACTION, as `{ maxCallsPerSecond }` when either is set. */
function readIceCallRateLimits(env: Env): { maxCallsPerSecond?: IceCallRateLimits } {
  const perSecond = readOptionalNumber(env, 'ICE_MAX_CALLS_PER_SECOND', CALLS_PER_SECOND_MIN, CALLS_PER_SECOND_MAX);
  const byAction = readCallsPerSecondByAction(env, 'ICE_MAX_CALLS_PER_SECOND_BY_ACTION');
  if (perSecond === undefined && byAction === undefined) return {};
  return { maxCallsPerSecond: { ...(perSecond !== undefined && { perSecond }), ...(byAction && { byAction }) } };
}

/** `Action:calls,Action:calls`: each an ICE action the package calls, once, with a number of calls per second. */
function readCallsPerSecondByAction(env: Env, name: string): Partial<Record<IceAction, number>> | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const byAction: Partial<Record<IceAction, number>> = {};
  for (const entry of raw.split(',').map((part) => part.trim())) {
    const [action = '', rate = '', ...rest] = entry.split(':').map((part) => part.trim());
    if (rest.length > 0 || rate === '') throw new ConfigError(name, `"${entry}" must be <Action>:<calls per second>`);
    if (!isIceAction(action)) throw new ConfigError(name, `"${action}" is not an ICE action the package calls`);
    if (byAction[action] !== undefined) throw new ConfigError(name, `${action} is given twice`);
    const value = Number(rate);
    if (!Number.isFinite(value) || value < CALLS_PER_SECOND_MIN || value > CALLS_PER_SECOND_MAX) {
      throw new ConfigError(
        name,
        `${action}'s limit must be a number from ${CALLS_PER_SECOND_MIN} to ${CALLS_PER_SECOND_MAX}, got "${rate}"`,
      );
    }
    byAction[action] = value;
  }
  return byAction;
}

function isIceAction(name: string): name is IceAction {
  return (ICE_ACTIONS as readonly string[]).includes(name);
}

// ---------------------------------------------------------------------------------------------------------
// Temporal connection and worker
// ---------------------------------------------------------------------------------------------------------

// Declared with the workflow's definitions, where workflow code (a parent's executeChild) can import it too.
export { DEFAULT_TASK_QUEUE };
/** The worker's default sticky-cache size (workflows). */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;
/** Deliveries calling Temporal at once, in the receiver and in the queue consumer (ICE_CALLBACK_MAX_IN_FLIGHT). */
export const DEFAULT_CALLBACK_MAX_IN_FLIGHT = 32;
/** Retries of an ICE answer that lacks what a clone needs (a read's Status, a submit's JobId) before it fails. */
export const DEFAULT_UNEXPECTED_RESPONSE_RETRIES = 5;

/**
 * Connection settings from Temporal's environment configuration: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE (see @temporalio/envconfig).
 */
export function loadTemporalConnectConfig(env: Env = process.env): ClientConnectConfig {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  let config: ClientConnectConfig;
  try {
    config = loadClientConnectConfig({ overrideEnvVars });
  } catch (error) {
    throw temporalConfigError(env, error);
  }
  config.connectionOptions.address ??= 'localhost:7233';
  config.namespace ??= 'default';
  return config;
}

/**
 * Envconfig's refusal as a `ConfigError` naming the variable behind it. Only its first line is kept: a TOML error
 * quotes the lines of the file around the fault, which may hold an API key.
 */
function temporalConfigError(env: Env, error: unknown): ConfigError {
  const { code, path: file, message = String(error) } = (error ?? {}) as NodeJS.ErrnoException;
  const reason = message.split('\n')[0].trim();
  const fileVariable = Object.keys(env).find((key) => key.startsWith('TEMPORAL_') && read(env, key) === file);
  if (file !== undefined && fileVariable !== undefined) {
    return new ConfigError(fileVariable, `cannot read "${file}" (${code ?? reason})`);
  }
  if (/^Profile .* not found/.test(reason)) return new ConfigError('TEMPORAL_PROFILE', reason);
  if (/TOML/.test(reason)) return new ConfigError('TEMPORAL_CONFIG_FILE', `(or its default file) ${reason}`);
  return new ConfigError('TEMPORAL_* (Temporal environment configuration)', reason);
}

/** The lowest level a logger writes. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The worker's settings: `loadWorkerConfig`. */
export interface WorkerConfig {
  taskQueue: string;
  /** Task-queue-wide cap on ICE activities per second (ICE quotas); undefined = no cap. */
  maxIceActivitiesPerSecond?: number;
  /**
   * Workflows kept in the worker's sticky cache. Clones spend most of their life waiting, and an evicted one is
   * replayed from its short history when its callback comes, so a small cache bounds memory at little cost.
   */
  maxCachedWorkflows: number;
  /** `host:port` for Prometheus metrics; undefined = metrics off. */
  metricsAddress?: string;
  logLevel: LogLevel;
  /**
   * How often an activity retries a 2xx ICE answer without the field it needs before the clone fails with
   * `UnexpectedIceResponse` (a non-JSON answer, a gateway's, is retried until the activity's deadline instead).
   */
  unexpectedResponseRetries: number;
  /** Serve the Nexus service `voiceCloneNexusService` on the worker's task queue (VOICE_CLONE_NEXUS_SERVICE). */
  nexusService: boolean;
  /** The worker's deployment version (Worker Versioning, docs/deploys.md); undefined = an unversioned worker. */
  deployment?: WorkerDeploymentVersion;
}

/** The task queue from VOICE_CLONE_TASK_QUEUE (default `voice-clone`). Throws `ConfigError` for a bad one. */
export function loadTaskQueue(env: Env = process.env): string {
  const taskQueue = read(env, 'VOICE_CLONE_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE;
  if (!/^[\w.-]{1,200}$/.test(taskQueue)) {
    throw new ConfigError('VOICE_CLONE_TASK_QUEUE', 'must be 1-200 letters, digits, "_", "." or "-"');
  }
  return taskQueue;
}

/** The log level from LOG_LEVEL (default `info`). Throws `ConfigError` for another value. */
export function loadLogLevel(env: Env = process.env): LogLevel {
  const level = (read(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') {
    throw new ConfigError('LOG_LEVEL', `must be debug, info, warn or error, got "${level}"`);
  }
  return level;
}

/** `IPv4:port` or `[IPv6]:port`, port 0-65535: what Temporal Core's Prometheus exporter binds. */
function isSocketAddress(address: string): boolean {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  if (!match) return false;
  const [, v6, v4, port] = match;
  const family = v6 === undefined ? 4 : 6;
  return isIP(v6 ?? v4) === family && Number(port) <= 65_535;
}

/**
 * The worker's settings from the environment (see README's settings table). Throws `ConfigError` naming a bad
 * variable.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const metricsAddress = read(env, 'VOICE_CLONE_METRICS_ADDRESS');
  if (metricsAddress !== undefined && !isSocketAddress(metricsAddress)) {
    // Temporal Core's exporter parses a socket address: a host name is refused there, with no variable named.
    throw new ConfigError(
      'VOICE_CLONE_METRICS_ADDRESS',
      `must be <IP address>:<port> (e.g. 127.0.0.1:9464 or [::1]:9464), got "${metricsAddress}"`,
    );
  }
  return {
    taskQueue: loadTaskQueue(env),
    maxIceActivitiesPerSecond: readOptionalNumber(env, 'VOICE_CLONE_ICE_MAX_ACTIVITIES_PER_SECOND', 0.01, 10_000),
    maxCachedWorkflows: readInt(env, 'VOICE_CLONE_MAX_CACHED_WORKFLOWS', DEFAULT_MAX_CACHED_WORKFLOWS, 0, 1_000_000),
    metricsAddress,
    logLevel: loadLogLevel(env),
    unexpectedResponseRetries: loadUnexpectedResponseRetries(env),
    nexusService: loadNexusServiceEnabled(env),
    deployment: loadWorkerDeployment(env),
  };
}

/** VOICE_CLONE_NEXUS_SERVICE (on|off, default on): whether the worker plugin serves the Nexus service. */
export function loadNexusServiceEnabled(env: Env = process.env): boolean {
  return readBool(env, 'VOICE_CLONE_NEXUS_SERVICE', true);
}

/** VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES alone, for code that assembles the clone's activities (the plugin). */
export function loadUnexpectedResponseRetries(env: Env = process.env): number {
  return readInt(env, 'VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES', DEFAULT_UNEXPECTED_RESPONSE_RETRIES, 0, 100);
}

/** What a deployment name must be: the server refuses "." and ":" in it (docs/deploys.md#names). */
export const DEPLOYMENT_NAME_RULE = 'must be 1-255 characters without spaces, "." or ":"';
/** What a build ID must be (docs/deploys.md#names). */
export const BUILD_ID_RULE = 'must be 1-255 characters without spaces';

/**
 * The worker's deployment version from VOICE_CLONE_WORKER_DEPLOYMENT_NAME and VOICE_CLONE_WORKER_BUILD_ID: both
 * (a versioned worker) or neither (undefined, an unversioned worker). Throws `ConfigError` for one alone or a bad one.
 */
export function loadWorkerDeployment(env: Env = process.env): WorkerDeploymentVersion | undefined {
  const deploymentName = read(env, 'VOICE_CLONE_WORKER_DEPLOYMENT_NAME');
  const buildId = read(env, 'VOICE_CLONE_WORKER_BUILD_ID');
  if (deploymentName === undefined && buildId === undefined) return undefined;
  if (deploymentName === undefined) {
    throw new ConfigError(
      'VOICE_CLONE_WORKER_DEPLOYMENT_NAME',
      'must be set together with VOICE_CLONE_WORKER_BUILD_ID',
    );
  }
  if (buildId === undefined) {
    throw new ConfigError(
      'VOICE_CLONE_WORKER_BUILD_ID',
      'must be set together with VOICE_CLONE_WORKER_DEPLOYMENT_NAME',
    );
  }
  if (!/^[^\s.:]{1,255}$/.test(deploymentName)) {
    throw new ConfigError('VOICE_CLONE_WORKER_DEPLOYMENT_NAME', `${DEPLOYMENT_NAME_RULE}, got "${deploymentName}"`);
  }
  if (!/^\S{1,255}$/.test(buildId))
    throw new ConfigError('VOICE_CLONE_WORKER_BUILD_ID', `${BUILD_ID_RULE}, got "${buildId}"`);
  return { deploymentName, buildId };
}

// ---------------------------------------------------------------------------------------------------------
// Callback receiver
// ---------------------------------------------------------------------------------------------------------

/** The callback receiver's settings: `loadCallbackReceiverConfig`. */
export interface CallbackReceiverConfig {
  host: string;
  port: number;
  path: string;
  /** The public URL exactly as configured in ICE's SetEventCallback: it is part of the signed string. */
  publicUrl?: string;
  /** One or more auth keys; several so that a key can be rotated without downtime. Secret. */
  authKeys: string[];
  maxSkewSeconds: number;
  allowUnsigned: boolean;
  maxBodyBytes: number;
  /** Bound on each Temporal call so that the answer stays inside ICE's 3 s. */
  temporalTimeoutMs: number;
  /** Deliveries (Temporal calls) in flight at once; the rest queue in arrival order. */
  maxInFlight: number;
  /**
   * Callbacks that cannot get a delivery slot by their deadline, answered 200 and delivered later (0: answer 503).
   * In memory: a backlog lost with the process is covered by the clones' polling.
   */
  maxBacklog: number;
  /**
   * Where callbacks that are not for a voice clone go (the account's other ICE pipelines share the one callback
   * setting); unset: they are answered 200 and dropped.
   */
  forwardUrl?: string;
  /**
   * Signs forwarded callbacks with ICE's scheme for `forwardUrl`; unset: forwarded unsigned. Never with
   * `allowUnsigned` (refused at load). Secret.
   */
  forwardAuthKey?: string;
  /** When set, only these event types are voice callbacks; every other type is another feature's. */
  voiceEventTypes?: string[];
}

/** The keys and the public URL they sign; the URL is required with keys, since it is part of the signed string. */
function readCallbackSigning(env: Env): Pick<CallbackReceiverConfig, 'authKeys' | 'publicUrl'> {
  const authKeys = (read(env, 'ICE_CALLBACK_AUTH_KEYS') ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  authKeys.forEach((key, index) => {
    if (!isValidIceAuthKey(key)) {
      // Never echo the key itself.
      throw new ConfigError('ICE_CALLBACK_AUTH_KEYS', `key #${index + 1} must be ${ICE_AUTH_KEY_RULE}`);
    }
  });
  const publicUrl = readUrl(env, 'ICE_CALLBACK_URL', ['https:', 'http:']);
  if (publicUrl !== undefined && Buffer.byteLength(publicUrl) > ICE_CALLBACK_URL_MAX_BYTES) {
    throw new ConfigError('ICE_CALLBACK_URL', `must be at most ${ICE_CALLBACK_URL_MAX_BYTES} bytes (ICE limit)`);
  }
  if (authKeys.length > 0 && publicUrl === undefined) {
    throw new ConfigError(
      'ICE_CALLBACK_URL',
      'is required when ICE_CALLBACK_AUTH_KEYS is set (it is part of the signature)',
    );
  }
  return { authKeys, publicUrl };
}

/**
 * Where other pipelines' callbacks go, and the key that signs them there. Unsigned mode never signs: a receiver
 * that checks no signature would otherwise put a valid one on anything anyone posts.
 */
function readForwarding(
  env: Env,
  publicUrl: string | undefined,
  allowUnsigned: boolean,
): Pick<CallbackReceiverConfig, 'forwardUrl' | 'forwardAuthKey'> {
  const forwardUrl = readUrl(env, 'ICE_CALLBACK_FORWARD_URL', ['https:', 'http:']);
  if (forwardUrl !== undefined && forwardUrl === publicUrl) {
    throw new ConfigError('ICE_CALLBACK_FORWARD_URL', 'must not be ICE_CALLBACK_URL (callbacks would loop)');
  }
  const forwardAuthKey = read(env, 'ICE_CALLBACK_FORWARD_AUTH_KEY');
  if (forwardAuthKey === undefined) return { forwardUrl };
  if (!isValidIceAuthKey(forwardAuthKey)) {
    throw new ConfigError('ICE_CALLBACK_FORWARD_AUTH_KEY', `must be ${ICE_AUTH_KEY_RULE}`);
  }
  if (forwardUrl === undefined) {
    throw new ConfigError('ICE_CALLBACK_FORWARD_AUTH_KEY', 'is set but ICE_CALLBACK_FORWARD_URL is not');
  }
  if (allowUnsigned) {
    throw new ConfigError(
      'ICE_CALLBACK_FORWARD_AUTH_KEY',
      'must not be set with ICE_CALLBACK_ALLOW_UNSIGNED=true (unsigned mode never signs what it forwards)',
    );
  }
  return { forwardUrl, forwardAuthKey };
}

function readVoiceEventTypes(env: Env): string[] | undefined {
  const names = (read(env, 'ICE_CALLBACK_VOICE_EVENT_TYPES') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!/^[A-Za-z][\w.-]{0,127}$/.test(name)) {
      throw new ConfigError('ICE_CALLBACK_VOICE_EVENT_TYPES', `"${name}" is not an event type name`);
    }
    if (ICE_FOREIGN_EVENT_TYPES.has(name)) {
      throw new ConfigError('ICE_CALLBACK_VOICE_EVENT_TYPES', `"${name}" is an event type of another ICE feature`);
    }
  }
  return names.length > 0 ? names : undefined;
}

/**
 * The receiver's settings, each at its default unless set. Code that fills in the keys itself (the local stack)
 * starts from these; a receiver run from the settings alone uses {@link loadCallbackReceiverServiceConfig}.
 */
export function loadCallbackReceiverConfig(env: Env = process.env): CallbackReceiverConfig {
  const path = read(env, 'ICE_CALLBACK_PATH') ?? '/ice/callback';
  if (!path.startsWith('/')) throw new ConfigError('ICE_CALLBACK_PATH', `must start with "/", got "${path}"`);
  const signing = readCallbackSigning(env);
  const allowUnsigned = readBool(env, 'ICE_CALLBACK_ALLOW_UNSIGNED', false);
  return {
    host: readHost(env, 'ICE_CALLBACK_HOST', '0.0.0.0'),
    port: readInt(env, 'ICE_CALLBACK_PORT', 8787, 0, 65_535),
    path,
    ...signing,
    maxSkewSeconds: readInt(env, 'ICE_CALLBACK_MAX_SKEW_SECONDS', 300, 1, 86_400),
    allowUnsigned,
    maxBodyBytes: readInt(env, 'ICE_CALLBACK_MAX_BODY_BYTES', 65_536, 256, 10_485_760),
    temporalTimeoutMs: readInt(env, 'ICE_CALLBACK_TEMPORAL_TIMEOUT_MS', 2_000, 100, 2_900),
    maxInFlight: readInt(env, 'ICE_CALLBACK_MAX_IN_FLIGHT', DEFAULT_CALLBACK_MAX_IN_FLIGHT, 1, 10_000),
    maxBacklog: readInt(env, 'ICE_CALLBACK_MAX_BACKLOG', 10_000, 0, 1_000_000),
    ...readForwarding(env, signing.publicUrl, allowUnsigned),
    voiceEventTypes: readVoiceEventTypes(env),
  };
}

/**
 * The settings of a receiver that serves from them alone (`callback-server`): it must be able to check
 * signatures, or be told plainly that it need not.
 */
export function loadCallbackReceiverServiceConfig(env: Env = process.env): CallbackReceiverConfig {
  const config = loadCallbackReceiverConfig(env);
  if (config.authKeys.length === 0 && !config.allowUnsigned) {
    throw new ConfigError(
      'ICE_CALLBACK_AUTH_KEYS',
      'must be set (with ICE_CALLBACK_URL), or ICE_CALLBACK_ALLOW_UNSIGNED=true (local development only)',
    );
  }
  return config;
}

// ---------------------------------------------------------------------------------------------------------
// Callback queue consumer (MNS)
// ---------------------------------------------------------------------------------------------------------

/** The queue consumer's settings: `loadCallbackConsumerConfig`. */
export interface CallbackConsumerConfig {
  /** The MNS queue ICE writes its events into (SetEventCallback CallbackQueueName). */
  queueName: string;
  /** MNS endpoint, `https://<account>.mns.<region>.aliyuncs.com` unless ICE_MNS_ENDPOINT says otherwise. */
  endpoint: string;
  /** Messages per batch receive (MNS allows 1 to 16). */
  batchSize: number;
  /** Long-poll wait of each receive, seconds (MNS allows up to 30). */
  waitSeconds: number;
  /** A message received more often than this is logged with its id and deleted (docs/mns.md#poison-messages). */
  maxDequeue: number;
  /** Bound on one message's delivery (ICE read and Temporal signal, or forward). */
  deliveryTimeoutMs: number;
  /** Visibility timeout of an unsettled message after its first receive, doubling per receive (at most 600 s). */
  retryVisibilitySeconds: number;
  /** Deliveries in flight at once. */
  maxInFlight: number;
  forwardUrl?: string;
  /** Signs forwarded events with ICE's scheme for `forwardUrl`. Secret. */
  forwardAuthKey?: string;
  voiceEventTypes?: string[];
  /** `<host>:<port>` for GET /healthz and /metrics; unset: none served. */
  address?: { host: string; port: number };
}

function readConsumerAddress(env: Env): CallbackConsumerConfig['address'] {
  const raw = read(env, 'ICE_CALLBACK_CONSUMER_ADDRESS');
  if (raw === undefined) return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(raw);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !isBindHost(host) || port > 65_535) {
    throw new ConfigError('ICE_CALLBACK_CONSUMER_ADDRESS', `must be <host>:<port> (e.g. 127.0.0.1:9465), got "${raw}"`);
  }
  return { host, port };
}

function readMnsEndpoint(env: Env): string {
  const explicit = readUrl(env, 'ICE_MNS_ENDPOINT', ['https:', 'http:']);
  if (explicit !== undefined) return explicit.replace(/\/+$/, '');
  const accountId = read(env, 'ALIBABA_CLOUD_ACCOUNT_ID');
  if (accountId === undefined) {
    throw new ConfigError(
      'ALIBABA_CLOUD_ACCOUNT_ID',
      'is required for the MNS endpoint unless ICE_MNS_ENDPOINT is set',
    );
  }
  if (!/^\d{1,32}$/.test(accountId)) throw new ConfigError('ALIBABA_CLOUD_ACCOUNT_ID', "must be the account's digits");
  return `https://${accountId}.mns.${loadIceClientConfig(env).region}.aliyuncs.com`;
}

/**
 * The consumer's settings: the queue and its endpoint, and the receiver's forwarding and event-type settings (one
 * classification for both front doors). Throws `ConfigError` naming a bad variable.
 */
export function loadCallbackConsumerConfig(env: Env = process.env): CallbackConsumerConfig {
  const queueName = read(env, 'ICE_CALLBACK_MNS_QUEUE');
  if (queueName === undefined) throw new ConfigError('ICE_CALLBACK_MNS_QUEUE', 'is required (the queue ICE writes to)');
  const problem = iceCallbackQueueNameProblem(queueName);
  if (problem !== undefined) throw new ConfigError('ICE_CALLBACK_MNS_QUEUE', problem);
  return {
    queueName,
    endpoint: readMnsEndpoint(env),
    // MNS's bounds: 1–16 messages a batch receive, waits of at most 30 s (docs/ice-api.md#mns-queue-callbacks).
    batchSize: readInt(env, 'ICE_CALLBACK_MNS_BATCH_SIZE', 16, 1, 16),
    waitSeconds: readInt(env, 'ICE_CALLBACK_MNS_WAIT_SECONDS', 30, 1, 30),
    maxDequeue: readInt(env, 'ICE_CALLBACK_MNS_MAX_DEQUEUE', 10, 1, 1_000),
    deliveryTimeoutMs: 10_000,
    retryVisibilitySeconds: readInt(env, 'ICE_CALLBACK_MNS_RETRY_VISIBILITY_SECONDS', 30, 1, 600),
    maxInFlight: readInt(env, 'ICE_CALLBACK_MAX_IN_FLIGHT', DEFAULT_CALLBACK_MAX_IN_FLIGHT, 1, 10_000),
    // No public URL: the queue door has no signature, so a forward key is allowed (MNS authenticated the writer).
    ...readForwarding(env, undefined, false),
    voiceEventTypes: readVoiceEventTypes(env),
    address: readConsumerAddress(env),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Local ICE emulator
// ---------------------------------------------------------------------------------------------------------

/** The documented development key pair the emulator accepts when no key pair is configured. Not a secret. */
export const EMULATOR_DEV_CREDENTIALS: IceCredentials = Object.freeze({
  accessKeyId: 'LTAIEmulatorDevKey0001',
  accessKeySecret: 'EmulatorDevSecretNotForProduction',
});

/** The ICE emulator's settings: `loadEmulatorConfig`. */
export interface EmulatorConfig {
  host: string;
  port: number;
  /** Key pairs whose signatures the emulator accepts. */
  keyPairs: IceCredentials[];
  /** How long a submitted job spends in PreTraining + Training before it ends. */
  trainingMs: number;
  /** When set, state is persisted to this JSON file and reloaded at start. */
  stateFile?: string;
  /** Numeric account id sent as `UserId` in callbacks. */
  userId: number;
}

/**
 * The ICE emulator's settings from the environment (see README's settings table). Throws `ConfigError` naming a
 * bad variable.
 */
export function loadEmulatorConfig(env: Env = process.env): EmulatorConfig {
  const accessKeyId = read(env, 'ALIBABA_CLOUD_ACCESS_KEY_ID');
  const accessKeySecret = read(env, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  if ((accessKeyId === undefined) !== (accessKeySecret === undefined)) {
    throw new ConfigError('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'must be set together with ALIBABA_CLOUD_ACCESS_KEY_ID');
  }
  const keyPairs = accessKeyId && accessKeySecret ? [{ accessKeyId, accessKeySecret }] : [EMULATOR_DEV_CREDENTIALS];
  return {
    host: readHost(env, 'ICE_EMULATOR_HOST', '127.0.0.1'),
    port: readInt(env, 'ICE_EMULATOR_PORT', 8788, 0, 65_535),
    keyPairs,
    trainingMs: readInt(env, 'ICE_EMULATOR_TRAINING_MS', 20_000, 0, 86_400_000),
    stateFile: read(env, 'ICE_EMULATOR_STATE_FILE'),
    userId: readInt(env, 'ICE_EMULATOR_USER_ID', 1234567890123456, 1, Number.MAX_SAFE_INTEGER),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Local tooling: Temporal server binaries and the local stack's data folder
// ---------------------------------------------------------------------------------------------------------

/** The settings of the local tools (`dev`, the local stack): `loadLocalToolsConfig`. */
export interface LocalToolsConfig {
  temporalCliPath?: string;
  temporalTestServerPath?: string;
  /** Folder for the local stack's SQLite database, emulator state and logs. */
  dataDir: string;
  /** Folder where fetched/built Temporal binaries are kept between runs. */
  cacheDir: string;
}

/** The local tools' settings from the environment. Throws `ConfigError` naming a bad variable. */
export function loadLocalToolsConfig(env: Env = process.env): LocalToolsConfig {
  return {
    temporalCliPath: read(env, 'TEMPORAL_CLI_PATH'),
    temporalTestServerPath: read(env, 'TEMPORAL_TEST_SERVER_PATH'),
    dataDir: read(env, 'VOICE_CLONE_DATA_DIR') ?? '.data',
    cacheDir: read(env, 'VOICE_CLONE_CACHE_DIR') ?? '.cache',
  };
}
