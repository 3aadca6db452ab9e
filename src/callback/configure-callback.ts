/**
 * `ice-voice-clone configure-callback`: point ICE's event callback at the receiver (HTTP) or at an MNS queue read by
 * the queue consumer, with SetEventCallback, sharing the account's one callback setting
 * (docs/ice-api.md#callback-setting) with the team's other ICE pipelines instead of taking it over. It reads
 * GetEventCallback first, refuses to replace another URL or another queue unless told to, never drops an event type
 * that was subscribed, and reads the setting back. The auth key is sent once and never returned or printed.
 */
import { ICE_AUTH_KEY_RULE, ICE_CALLBACK_URL_MAX_BYTES, isValidIceAuthKey } from '../ice/callback-auth';
import type { GetEventCallbackResponse, IceClient, SetEventCallbackRequest } from '../ice/types';
import { iceCallbackQueueNameProblem } from '../workflows/ice-ids';

/** What both kinds of callback setting take. */
interface ConfigureCallbackCommonOptions {
  /**
   * Event types to subscribe to, added to those the account already has. ASSUMPTION (docs/ice-api.md#callback-events):
   * ICE documents no voice-clone event name, so by default no type is added.
   */
  eventTypes?: string[];
  /** Take over a setting that points at another URL or at another MNS queue (default: refuse). */
  replace?: boolean;
}

/** ICE posts each event to `url` (CallbackType=HTTP). */
export interface ConfigureHttpCallbackOptions extends ConfigureCallbackCommonOptions {
  /** The public URL ICE posts to; also the first part of the signed string, so the receiver's ICE_CALLBACK_URL. */
  url: string;
  /** When given, AuthSwitch=on with this key; otherwise AuthSwitch=off. Secret. */
  authKey?: string;
  mnsQueue?: never;
}

/** ICE writes each event into the MNS queue `mnsQueue` of its region (CallbackType=MNS); MNS mode is unsigned. */
export interface ConfigureMnsCallbackOptions extends ConfigureCallbackCommonOptions {
  /** The queue's name: `ice-callback-` then letters, digits or '-' (`iceCallbackQueueNameProblem`). */
  mnsQueue: string;
  url?: never;
  authKey?: never;
}

/** What to set as the account's ICE event callback (one per account and region): a URL or an MNS queue. */
export type ConfigureIceCallbackOptions = ConfigureHttpCallbackOptions | ConfigureMnsCallbackOptions;

/** ICE's callback settings as read back, without the auth key. */
export interface IceCallbackSettings {
  /** `HTTP` or `MNS` as ICE reports it ('' when nothing is configured). */
  callbackType: string;
  callbackUrl: string;
  /** Only for an MNS setting. */
  callbackQueueName?: string;
  /** Empty: taken to mean every event type. ASSUMPTION (docs/ice-api.md#callback-setting). */
  eventTypeList: string[];
  /** `on`: ICE signs each callback with the auth key. */
  authSwitch: 'on' | 'off';
  /** Whether ICE reported a key, shown instead of the key itself. */
  authKey: '[set]' | '[not set]';
  /** The RequestId of the GetEventCallback read. */
  requestId: string;
}

/** The HTTP callback this package would set or has set, without the key. */
export interface PlannedHttpCallback {
  callbackType: 'HTTP';
  callbackUrl: string;
  /** Empty: no EventTypeList is sent. */
  eventTypeList: string[];
  authSwitch: 'on' | 'off';
  authKey: '[set]' | '[not set]';
}

/** The MNS callback this package would set or has set. */
export interface PlannedMnsCallback {
  callbackType: 'MNS';
  callbackQueueName: string;
  /** Empty: no EventTypeList is sent. */
  eventTypeList: string[];
}

/** The callback this package would set or has set, without the key. */
export type PlannedIceCallback = PlannedHttpCallback | PlannedMnsCallback;

/** Another pipeline's callback that the plan would replace. */
export type ReplacedIceCallback = { kind: 'url'; url: string; signed: boolean } | { kind: 'mns'; queueName: string };

/** What `planIceCallback` found and would set; nothing is written until `applyIceCallbackPlan`. */
export interface IceCallbackPlan {
  /** The account's setting before; undefined when none is configured. */
  before: IceCallbackSettings | undefined;
  /** What `applyIceCallbackPlan` would set: the account's event types plus the asked ones (an empty list stays). */
  planned: PlannedIceCallback;
  /** Set when the account's callback belongs to another endpoint: applying the plan needs `replace`. */
  replaces?: ReplacedIceCallback;
  /** Things an operator should know (no secrets). */
  notes: string[];
}

/** What configureIceCallback did: the setting read back, plus what it replaced. */
export interface ConfiguredIceCallback extends IceCallbackSettings {
  /** The account's setting before this call; undefined when none was configured. */
  before: IceCallbackSettings | undefined;
  /** The other pipeline's callback this call took over (only with `replace`). */
  replaced?: ReplacedIceCallback;
  /**
   * `ICE_CALLBACK_FORWARD_URL=<old url>` for the receiver or the queue consumer, so the replaced endpoint keeps
   * getting its events.
   */
  forwardLine?: string;
  /** Things an operator should know (no secrets). */
  notes: string[];
}

export type ConfigureCallbackErrorCode =
  | 'InvalidCallbackTarget'
  | 'InvalidCallbackUrl'
  | 'InvalidQueueName'
  | 'InvalidAuthKey'
  | 'InvalidEventType'
  | 'CallbackInUse'
  | 'NotApplied';

/**
 * Why configuring ICE's callback stopped: a bad URL, queue name, key or event type, or both a URL and a queue
 * (nothing called), `CallbackInUse` (another endpoint's setting, left as it was) or `NotApplied` (ICE's read-back
 * differs from what was set).
 */
export class ConfigureCallbackError extends Error {
  override readonly name = 'ConfigureCallbackError';
  constructor(
    readonly code: ConfigureCallbackErrorCode,
    message: string,
    /** For CallbackInUse: what was found and left as it was. */
    readonly plan?: IceCallbackPlan,
  ) {
    super(message);
  }
}

/** The receiver's (and the queue consumer's) setting that forwards non-voice events to the replaced endpoint. */
export const FORWARD_URL_VARIABLE = 'ICE_CALLBACK_FORWARD_URL';

const EVENT_TYPE_PATTERN = /^[A-Za-z][\w.-]{0,127}$/;

function validateUrl(options: ConfigureHttpCallbackOptions): void {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigureCallbackError('InvalidCallbackUrl', 'callback URL must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigureCallbackError('InvalidCallbackUrl', 'callback URL must use http or https');
  }
  if (Buffer.byteLength(options.url) > ICE_CALLBACK_URL_MAX_BYTES) {
    throw new ConfigureCallbackError(
      'InvalidCallbackUrl',
      `callback URL must be at most ${ICE_CALLBACK_URL_MAX_BYTES} bytes (ICE limit)`,
    );
  }
  if (options.authKey !== undefined && !isValidIceAuthKey(options.authKey)) {
    // Never echo the key.
    throw new ConfigureCallbackError('InvalidAuthKey', `auth key must be ${ICE_AUTH_KEY_RULE}`);
  }
}

function validateQueue(options: ConfigureMnsCallbackOptions): void {
  // Both checks guard JavaScript callers: the types already forbid a URL or a key beside a queue.
  if (options.url !== undefined) {
    throw new ConfigureCallbackError('InvalidCallbackTarget', 'give a callback URL or an MNS queue, not both');
  }
  if (options.authKey !== undefined) {
    // AuthSwitch and AuthKey take effect only for HTTP (docs/ice-api.md#callback-setting).
    throw new ConfigureCallbackError('InvalidAuthKey', 'an auth key applies only to an HTTP callback, not to MNS');
  }
  const problem = iceCallbackQueueNameProblem(options.mnsQueue);
  if (problem !== undefined) throw new ConfigureCallbackError('InvalidQueueName', `MNS queue name ${problem}`);
}

function validate(options: ConfigureIceCallbackOptions): void {
  if (options.mnsQueue !== undefined) validateQueue(options);
  else validateUrl(options);
  for (const eventType of options.eventTypes ?? []) {
    if (!EVENT_TYPE_PATTERN.test(eventType)) {
      throw new ConfigureCallbackError('InvalidEventType', `invalid event type "${eventType}"`);
    }
  }
}

function withoutKey(current: GetEventCallbackResponse): IceCallbackSettings {
  return {
    callbackType: current.callbackType,
    callbackUrl: current.callbackUrl,
    ...(current.callbackQueueName !== undefined && { callbackQueueName: current.callbackQueueName }),
    eventTypeList: current.eventTypeList,
    authSwitch: current.authSwitch,
    authKey: current.authKey ? '[set]' : '[not set]',
    requestId: current.requestId,
  };
}

function isConfigured(current: IceCallbackSettings): boolean {
  return current.callbackType === 'MNS' || current.callbackUrl !== '' || current.callbackQueueName !== undefined;
}

/** The setting `planned` would take over from another endpoint, or undefined when it is ours (updated in place). */
function replacedBy(
  before: IceCallbackSettings | undefined,
  planned: PlannedIceCallback,
): ReplacedIceCallback | undefined {
  if (!before) return undefined;
  if (before.callbackType === 'MNS') {
    const queueName = before.callbackQueueName ?? '';
    const same = planned.callbackType === 'MNS' && planned.callbackQueueName === queueName;
    return same ? undefined : { kind: 'mns', queueName };
  }
  if (planned.callbackType === 'HTTP' && planned.callbackUrl === before.callbackUrl) return undefined;
  return { kind: 'url', url: before.callbackUrl, signed: before.authSwitch === 'on' };
}

/** The account's event types plus the wanted ones; notes why a name was not added. */
function mergedEventTypes(before: IceCallbackSettings | undefined, wanted: string[], notes: string[]): string[] {
  if (!before) return wanted;
  if (before.eventTypeList.length === 0) {
    // ASSUMPTION (docs/ice-api.md#callback-setting): an empty EventTypeList means ICE sends every event type, so
    // naming types would narrow what the account already receives.
    if (wanted.length > 0) {
      notes.push(
        `the account's EventTypeList is empty, taken to mean every event type (ICE does not document it): ` +
          `${wanted.join(',')} not added, so that no event type is dropped`,
      );
    }
    return [];
  }
  return [...new Set([...before.eventTypeList, ...wanted])];
}

function plannedSetting(options: ConfigureIceCallbackOptions, eventTypeList: string[]): PlannedIceCallback {
  if (options.mnsQueue !== undefined) {
    return { callbackType: 'MNS', callbackQueueName: options.mnsQueue, eventTypeList };
  }
  return {
    callbackType: 'HTTP',
    callbackUrl: options.url,
    eventTypeList,
    authSwitch: options.authKey !== undefined ? 'on' : 'off',
    authKey: options.authKey !== undefined ? '[set]' : '[not set]',
  };
}

/** Reads the account's setting and works out what to set; writes nothing. */
export async function planIceCallback(ice: IceClient, options: ConfigureIceCallbackOptions): Promise<IceCallbackPlan> {
  validate(options);
  const read = withoutKey(await ice.getEventCallback());
  const before = isConfigured(read) ? read : undefined;
  const notes: string[] = [];
  const planned = plannedSetting(options, mergedEventTypes(before, [...new Set(options.eventTypes ?? [])], notes));
  const replaces = replacedBy(before, planned);
  if (replaces?.kind === 'mns') {
    notes.push(
      `the account delivers to the MNS queue ${replaces.queueName}; MNS delivery cannot be forwarded to (it has no ` +
        'URL): whoever reads that queue gets no more events once it is replaced, so operators must decide',
    );
  }
  if (planned.callbackType === 'MNS') {
    // docs/ice-api.md#callback-delivery: a write to the queue that fails is retried twice, then the event is dropped.
    notes.push(
      `ICE writes the events into the MNS queue ${planned.callbackQueueName} of its own region: the queue must ` +
        `exist there (ICE drops what it cannot write), and the callback consumer reads it ` +
        `(ICE_CALLBACK_MNS_QUEUE=${planned.callbackQueueName})`,
    );
  }
  return { before, planned, ...(replaces && { replaces }), notes };
}

function setRequest(planned: PlannedIceCallback, authKey: string | undefined): SetEventCallbackRequest {
  // ASSUMPTION (docs/ice-api.md#callback-setting): leaving EventTypeList out keeps ICE's default (or, in place,
  // the empty list that was there).
  const eventTypes = planned.eventTypeList.length > 0 ? { eventTypeList: planned.eventTypeList } : {};
  if (planned.callbackType === 'MNS') {
    return { callbackType: 'MNS', callbackQueueName: planned.callbackQueueName, ...eventTypes };
  }
  return {
    callbackType: 'HTTP',
    callbackUrl: planned.callbackUrl,
    authSwitch: planned.authSwitch,
    ...(authKey !== undefined && { authKey }),
    ...eventTypes,
  };
}

/** Throws NotApplied when ICE's read-back is not the planned setting. */
function checkApplied(planned: PlannedIceCallback, current: IceCallbackSettings): void {
  if (planned.callbackType === 'MNS') {
    if (current.callbackType !== 'MNS' || current.callbackQueueName !== planned.callbackQueueName) {
      throw new ConfigureCallbackError(
        'NotApplied',
        `ICE reports CallbackType "${current.callbackType}" with CallbackQueueName ` +
          `"${current.callbackQueueName ?? ''}" after SetEventCallback`,
      );
    }
  } else if (current.callbackUrl !== planned.callbackUrl || current.authSwitch !== planned.authSwitch) {
    // The signature covers the URL byte for byte: a URL ICE normalised differently would fail every callback.
    throw new ConfigureCallbackError(
      'NotApplied',
      `ICE reports CallbackURL "${current.callbackUrl}" with AuthSwitch ${current.authSwitch} after SetEventCallback`,
    );
  }
  const lost = planned.eventTypeList.filter((eventType) => !current.eventTypeList.includes(eventType));
  if (lost.length > 0) {
    throw new ConfigureCallbackError(
      'NotApplied',
      `ICE's EventTypeList lacks ${lost.join(',')} after SetEventCallback`,
    );
  }
}

/** Sets the planned callback and reads it back. The plan must come from planIceCallback with the same options. */
export async function applyIceCallbackPlan(
  ice: IceClient,
  plan: IceCallbackPlan,
  options: Pick<ConfigureHttpCallbackOptions, 'authKey'>,
): Promise<ConfiguredIceCallback> {
  await ice.setEventCallback(setRequest(plan.planned, options.authKey));
  const current = withoutKey(await ice.getEventCallback());
  checkApplied(plan.planned, current);
  return {
    ...current,
    before: plan.before,
    ...(plan.replaces && { replaced: plan.replaces }),
    ...(plan.replaces?.kind === 'url' && { forwardLine: `${FORWARD_URL_VARIABLE}=${plan.replaces.url}` }),
    notes: plan.notes,
  };
}

/** The replaced setting in words (no secrets). */
export function describeReplacedCallback(replaced: ReplacedIceCallback): string {
  return replaced.kind === 'url' ? replaced.url : `the MNS queue ${replaced.queueName}`;
}

/**
 * Plans, refuses (CallbackInUse) when the account's callback belongs to another endpoint and `replace` is not set,
 * otherwise sets and reads back.
 */
export async function configureIceCallback(
  ice: IceClient,
  options: ConfigureIceCallbackOptions,
): Promise<ConfiguredIceCallback> {
  const plan = await planIceCallback(ice, options);
  if (plan.replaces && options.replace !== true) {
    throw new ConfigureCallbackError(
      'CallbackInUse',
      `ICE's event callback already delivers to ${describeReplacedCallback(plan.replaces)}; nothing changed ` +
        '(replace it explicitly)',
      plan,
    );
  }
  return applyIceCallbackPlan(ice, plan, options);
}
