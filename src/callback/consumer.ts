/**
 * The queue consumer: the second front door of the callback intake. It long-polls the MNS queue ICE writes its
 * events into (CallbackType=MNS) and hands each message to the same classification and delivery as the HTTP
 * receiver (stages.ts settleCallback); a message is deleted only once its outcome is settled (consumer-message.ts).
 * Several consumers may share a queue: MNS hides a received message from the others for its visibility timeout.
 * `stop()` ends receiving and waits for the deliveries in flight; what they do not settle stays in the queue.
 */
import type { Client } from '@temporalio/client';
import type { CallbackConsumerConfig } from '../config';
import type { IceClient } from '../ice/types';
import type { MnsMessage, MnsQueueClient } from '../mns/client';
import { createLogger, type Logger } from '../observability/logger';
import { MetricsRegistry } from '../observability/metrics';
import { ConsumerMetricsRecorder, type CallbackConsumerMetrics } from './consumer-metrics';
import { handleQueueMessage, type MessageContext } from './consumer-message';
import { DeliveryGate } from './delivery-gate';
import { CallbackMetricsRecorder, type CallbackMetrics } from './metrics';
import type { IntakeContext } from './stages';
import { UnmatchedIds } from './unmatched-ids';

/** What the consumer reads of its settings (the address is the service's business: consumer-service.ts). */
export type IceCallbackConsumerConfig = Omit<CallbackConsumerConfig, 'address' | 'endpoint'>;

export interface IceCallbackConsumerOptions {
  config: IceCallbackConsumerConfig;
  /** Signals the clones; its namespace is the clones' namespace. */
  client: Client;
  /** Reads the job or voice an event names when its ids alone do not tell the clone. */
  ice: IceClient;
  queue: MnsQueueClient;
  logger?: Logger;
  /** Where its metrics are declared; default: a registry of its own. */
  registry?: MetricsRegistry;
}

/** A consumer that receives until stopped. */
export interface IceCallbackConsumer {
  /** The intake's counts (signalled, forwarded, …) and the queue's (received, deleted, kept, …). */
  metrics(): { intake: CallbackMetrics; queue: CallbackConsumerMetrics };
  renderMetrics(): string;
  /** False once the last receive failed (MNS unreachable, refused), until one succeeds again. */
  healthy(): boolean;
  /** Stops receiving, waits for the deliveries in flight, then resolves. */
  stop(): Promise<void>;
}

/** Pause after a failed receive: doubling from 1 s, at most 30 s. */
function receiveBackoffMs(failures: number): number {
  return Math.min(1000 * 2 ** Math.min(failures - 1, 5), 30_000);
}

function createMessageContext(options: IceCallbackConsumerOptions, registry: MetricsRegistry): MessageContext {
  const { config, client, ice } = options;
  const logger = options.logger ?? createLogger('callback-consumer');
  const intake: IntakeContext = {
    // No backlog at this door: a message waits in its queue, not in memory.
    config: { maxBacklog: 0 },
    client,
    ice,
    logger,
    forwardTarget:
      config.forwardUrl === undefined ? undefined : { url: config.forwardUrl, authKey: config.forwardAuthKey },
    voiceEventTypes: config.voiceEventTypes === undefined ? undefined : new Set(config.voiceEventTypes),
    recorder: new CallbackMetricsRecorder(registry),
    gate: new DeliveryGate(config.maxInFlight),
    unmatched: new UnmatchedIds(),
  };
  return {
    intake,
    queue: options.queue,
    consumerMetrics: new ConsumerMetricsRecorder(registry),
    maxDequeue: config.maxDequeue,
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    retryVisibilitySeconds: config.retryVisibilitySeconds,
  };
}

/** Starts receiving at once; see {@link IceCallbackConsumer}. */
export function startIceCallbackConsumer(options: IceCallbackConsumerOptions): IceCallbackConsumer {
  const registry = options.registry ?? new MetricsRegistry();
  const context = createMessageContext(options, registry);
  const loop = new ReceiveLoop(options.config, context);
  const done = loop.run();
  return {
    metrics: () => ({ intake: context.intake.recorder.snapshot(), queue: context.consumerMetrics.snapshot() }),
    renderMetrics: () => registry.render(),
    healthy: () => loop.healthy,
    stop: async () => {
      loop.stop();
      await done;
    },
  };
}

class ReceiveLoop {
  healthy = true;
  private stopping = false;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private slotFreed: () => void = () => undefined;

  constructor(
    private readonly config: IceCallbackConsumerConfig,
    private readonly context: MessageContext,
  ) {}

  stop(): void {
    this.stopping = true;
    // A receive cut short loses nothing: what MNS handed out comes back after its visibility timeout.
    this.abort.abort();
    this.slotFreed();
  }

  async run(): Promise<void> {
    const { logger } = this.context.intake;
    let failures = 0;
    while (!this.stopping) {
      const free = this.config.maxInFlight - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      try {
        const messages = await this.receive(Math.min(this.config.batchSize, free));
        failures = 0;
        this.healthy = true;
        for (const message of messages) this.track(message);
      } catch (error) {
        if (this.stopping) break;
        failures += 1;
        this.healthy = false;
        this.context.consumerMetrics.recordReceiveError();
        logger.warn('queue receive failed; trying again', { error: String(error), failures });
        await this.pause(receiveBackoffMs(failures));
      }
    }
    await Promise.allSettled([...this.inFlight]);
    logger.info('callback consumer stopped');
  }

  private receive(max: number): Promise<MnsMessage[]> {
    return this.context.queue.receive(max, this.config.waitSeconds, this.abort.signal);
  }

  private track(message: MnsMessage): void {
    const handled = handleQueueMessage(this.context, message).finally(() => {
      this.inFlight.delete(handled);
      this.slotFreed();
    });
    this.inFlight.add(handled);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
