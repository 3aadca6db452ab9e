import { runCallbackReceiver } from '../../callback/run';
import { loadCallbackReceiverServiceConfig } from '../../config';
import { createLogger } from '../../observability/logger';
import type { CommandSpec } from '../args';
import type { Command } from '../context';
import { bindOf, runNamingBindSettings } from '../errors';

const spec: CommandSpec = {
  name: 'callback-server',
  summary:
    "Run the ICE callback receiver: verifies ICE's signed HTTP callbacks and turns each into the clone's\n" +
    '`iceCallback` signal. Serves POST ICE_CALLBACK_PATH, GET /healthz and GET /metrics. SIGINT/SIGTERM stop it.',
  options: {},
  notes: [
    'Settings (environment): ICE_CALLBACK_URL (the public URL as configured in ICE), ICE_CALLBACK_AUTH_KEYS,',
    'ICE_CALLBACK_PORT (8787), ICE_CALLBACK_HOST, ICE_CALLBACK_PATH (/ice/callback), ICE_CALLBACK_MAX_SKEW_SECONDS,',
    'ICE_CALLBACK_ALLOW_UNSIGNED (no keys: local development only; excludes ICE_CALLBACK_FORWARD_AUTH_KEY),',
    'ICE_CALLBACK_MAX_BODY_BYTES, ICE_CALLBACK_TEMPORAL_TIMEOUT_MS,',
    "ICE_CALLBACK_VOICE_EVENT_TYPES, ICE_CALLBACK_FORWARD_URL and ICE_CALLBACK_FORWARD_AUTH_KEY (other pipelines' events",
    'go on to their old endpoint); TEMPORAL_* as for the worker; ICE_* and Alibaba credentials (for',
    'GetCustomizedVoiceJob when a callback has no VoiceId).',
  ],
};

export const command: Command = {
  spec,
  async run(_args, context) {
    // Refused here, naming the variable (exit 2), before anything connects or listens.
    const config = loadCallbackReceiverServiceConfig(context.env);
    const bind = bindOf(config.host, config.port, 'ICE_CALLBACK_HOST', 'ICE_CALLBACK_PORT');
    return runNamingBindSettings(
      bind,
      runCallbackReceiver(context.env, {
        stopRequested: () => context.stopRequested(),
        logger: createLogger('callback-receiver', context.logLevel),
        onListening: (receiver) => context.io.out(`ICE callback receiver listening on ${receiver.callbackUrl}`),
      }),
    );
  },
};
