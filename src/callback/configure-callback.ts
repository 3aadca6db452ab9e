/**
 * `ice-voice-clone configure-callback`: point ICE's event callback at the receiver with SetEventCallback and
 * read it back with GetEventCallback, so nobody has to click through the console. The auth key is sent once and
 * never returned or printed.
 */
import type { IceClient } from '../ice/types';

export interface ConfigureIceCallbackOptions {
  /** The public URL ICE posts to; also the first part of the signed string, so the receiver's ICE_CALLBACK_URL. */
  url: string;
  /** When given, AuthSwitch=on with this key; otherwise AuthSwitch=off. Secret. */
  authKey?: string;
  /**
   * ASSUMPTION: ICE does not document the voice-clone event name, so by default no EventTypeList is sent and
   * ICE keeps whatever it delivers by default; pass names to restrict it.
   */
  eventTypes?: string[];
}

/** ICE's callback settings as read back, without the auth key. */
export interface IceCallbackSettings {
  callbackType: string;
  callbackUrl: string;
  eventTypeList: string[];
  authSwitch: 'on' | 'off';
  /** Whether ICE reported a key, shown instead of the key itself. */
  authKey: '[set]' | '[not set]';
  requestId: string;
}

export class ConfigureCallbackError extends Error {
  override readonly name = 'ConfigureCallbackError';
  constructor(
    readonly code: 'InvalidCallbackUrl' | 'InvalidAuthKey' | 'InvalidEventType' | 'NotApplied',
    message: string,
  ) {
    super(message);
  }
}

const AUTH_KEY_PATTERN = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z\d]{1,32}$/;
const EVENT_TYPE_PATTERN = /^[A-Za-z][\w.-]{0,127}$/;

function validate(options: ConfigureIceCallbackOptions): void {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigureCallbackError('InvalidCallbackUrl', 'callback URL must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigureCallbackError('InvalidCallbackUrl', 'callback URL must use http or https');
  }
  if (Buffer.byteLength(options.url) > 256) {
    throw new ConfigureCallbackError('InvalidCallbackUrl', 'callback URL must be at most 256 bytes (ICE limit)');
  }
  if (options.authKey !== undefined && !AUTH_KEY_PATTERN.test(options.authKey)) {
    // Never echo the key.
    throw new ConfigureCallbackError(
      'InvalidAuthKey',
      'auth key must be ≤32 letters and digits with an upper-case letter, a lower-case letter and a digit',
    );
  }
  for (const eventType of options.eventTypes ?? []) {
    if (!EVENT_TYPE_PATTERN.test(eventType)) {
      throw new ConfigureCallbackError('InvalidEventType', `invalid event type "${eventType}"`);
    }
  }
}

export async function configureIceCallback(
  ice: IceClient,
  options: ConfigureIceCallbackOptions,
): Promise<IceCallbackSettings> {
  validate(options);
  const eventTypeList = options.eventTypes?.length ? options.eventTypes : undefined;
  await ice.setEventCallback({
    callbackType: 'HTTP',
    callbackUrl: options.url,
    authSwitch: options.authKey !== undefined ? 'on' : 'off',
    ...(options.authKey !== undefined ? { authKey: options.authKey } : {}),
    ...(eventTypeList ? { eventTypeList } : {}),
  });
  const current = await ice.getEventCallback();
  const expectedSwitch = options.authKey !== undefined ? 'on' : 'off';
  // The signature covers the URL byte for byte: a URL ICE normalised differently would fail every callback.
  if (current.callbackUrl !== options.url || current.authSwitch !== expectedSwitch) {
    throw new ConfigureCallbackError(
      'NotApplied',
      `ICE reports CallbackURL "${current.callbackUrl}" with AuthSwitch ${current.authSwitch} after SetEventCallback`,
    );
  }
  return {
    callbackType: current.callbackType,
    callbackUrl: current.callbackUrl,
    eventTypeList: current.eventTypeList,
    authSwitch: current.authSwitch,
    authKey: current.authKey ? '[set]' : '[not set]',
    requestId: current.requestId,
  };
}
