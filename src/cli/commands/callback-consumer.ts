import { runCallbackConsumer } from '../../callback/consumer-service';
import { loadCallbackConsumerConfig } from '../../config';
import { createLogger } from '../../observability/logger';
import type { CommandSpec } from '../args';
import type { Command } from '../context';
import { bindOf, runNamingBindSettings } from '../errors';

const spec: CommandSpec = {
  name: 'callback-consumer',
  summary:
    "Run the ICE callback queue consumer: receives ICE's events from its MNS queue (CallbackType=MNS) and turns\n" +
    "each clone's into the `iceCallback` signal; a message is deleted once settled. SIGINT/SIGTERM stop it.",
  options: {},
  notes: [
    'Settings (environment): ICE_CALLBACK_MNS_QUEUE (required, "ice-callback-…"), ICE_MNS_ENDPOINT (default',
    'https://<ALIBABA_CLOUD_ACCOUNT_ID>.mns.<ICE_REGION>.aliyuncs.com), ALIBABA_CLOUD_ACCOUNT_ID,',
    'ICE_CALLBACK_MNS_MAX_DEQUEUE (10), ICE_CALLBACK_MNS_BATCH_SIZE (16), ICE_CALLBACK_MNS_WAIT_SECONDS (30),',
    'ICE_CALLBACK_MNS_RETRY_VISIBILITY_SECONDS (30, doubling), ICE_CALLBACK_MAX_IN_FLIGHT,',
    'ICE_CALLBACK_CONSUMER_ADDRESS (/healthz, /metrics),',
    "ICE_CALLBACK_VOICE_EVENT_TYPES, ICE_CALLBACK_FORWARD_URL and ICE_CALLBACK_FORWARD_AUTH_KEY (other pipelines' events",
    "go on to their endpoint); TEMPORAL_* as for the worker; ICE_* and Alibaba's credential chain (MNS and ICE reads).",
  ],
};

export const command: Command = {
  spec,
  async run(_args, context) {
    // Refused here, naming the variable (exit 2), before anything connects.
    const config = loadCallbackConsumerConfig(context.env);
    const address = config.address;
    const bind = bindOf(address?.host ?? '', address?.port ?? 0, 'ICE_CALLBACK_CONSUMER_ADDRESS');
    const started = (health?: string): void =>
      context.io.out(
        `ICE callback consumer receiving from ${config.queueName}${health ? `; health at ${health}` : ''}`,
      );
    return runNamingBindSettings(
      bind,
      runCallbackConsumer(context.env, {
        stopRequested: () => context.stopRequested(),
        logger: createLogger('callback-consumer', context.logLevel),
        onStarted: (_consumer, health) => started(health),
      }),
    );
  },
};
