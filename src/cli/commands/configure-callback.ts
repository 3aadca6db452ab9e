import { configureIceCallback } from '../../callback/configure-callback';
import { loadIceClientConfig, loadLogLevel } from '../../config';
import { createIceClient } from '../../ice';
import { createLogger } from '../../observability/logger';
import { EXIT_OK, listOption, requiredString, stringOption, UsageError, type CommandSpec } from '../args';
import type { Command } from '../context';

const spec: CommandSpec = {
  name: 'configure-callback',
  summary:
    "Point ICE's event callback at the callback receiver (SetEventCallback, CallbackType HTTP) and print the\n" +
    'settings ICE reports back (GetEventCallback), without the auth key.',
  options: {
    url: {
      type: 'string',
      value: '<url>',
      description: "Public URL ICE posts to (≤256 bytes); must equal the receiver's ICE_CALLBACK_URL.",
    },
    'auth-key': {
      type: 'string',
      value: '<key>',
      description: 'Turn signing on with this key (≤32 letters+digits with upper, lower case and a digit).',
    },
    unsigned: { type: 'boolean', description: 'Turn signing off (AuthSwitch=off). Not for production.' },
    'event-type': {
      type: 'string',
      multiple: true,
      value: '<name>',
      description: 'Restrict EventTypeList to these events.',
    },
    json: { type: 'boolean', description: 'Print JSON for scripts instead of text.' },
  },
  notes: [
    'ICE settings: ICE_REGION / ICE_ENDPOINT and Alibaba credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET or the',
    'default credential chain). RAM actions needed: ice:SetEventCallback, ice:GetEventCallback.',
    'The receiver must run with ICE_CALLBACK_URL=<url> and the key in ICE_CALLBACK_AUTH_KEYS.',
  ],
};

export const command: Command = {
  spec,
  async run({ values }, context) {
    const url = requiredString(spec, values, 'url');
    const authKey = stringOption(values, 'auth-key');
    if (authKey === undefined && values.unsigned !== true) {
      throw new UsageError('configure-callback: give --auth-key <key> (recommended) or --unsigned');
    }
    if (authKey !== undefined && values.unsigned === true) {
      throw new UsageError('configure-callback: --auth-key and --unsigned exclude each other');
    }
    const logger = createLogger('configure-callback', loadLogLevel(context.env));
    const ice = createIceClient(loadIceClientConfig(context.env), { logger });
    const eventTypes = listOption(values, 'event-type');
    const settings = await configureIceCallback(ice, {
      url,
      ...(authKey !== undefined && { authKey }),
      ...(eventTypes.length > 0 && { eventTypes }),
    });
    if (values.json === true) {
      context.io.out(JSON.stringify(settings));
    } else {
      context.io.out(
        [
          `Callback type   ${settings.callbackType}`,
          `Callback URL    ${settings.callbackUrl}`,
          `Event types     ${settings.eventTypeList.length > 0 ? settings.eventTypeList.join(',') : '(ICE default)'}`,
          `Auth switch     ${settings.authSwitch}`,
          `Auth key        ${settings.authKey}`,
          `RequestId       ${settings.requestId}`,
        ].join('\n'),
      );
    }
    return EXIT_OK;
  },
};
