/**
 * The package's own counters (ICE calls, callbacks, clones) in a tiny registry that renders Prometheus text.
 * When the worker's Temporal runtime exports metrics (VOICE_CLONE_METRICS_ADDRESS), `attachTemporalMeter` mirrors
 * every increment into the runtime's meter, so that one scrape address shows Temporal's metrics and ours.
 * Processes without a runtime exporter (the callback receiver) serve `registry.render()` on their own `/metrics`.
 */
import type { MetricCounter, MetricMeter, MetricTags } from '@temporalio/common';
import { isIceError } from '../ice/errors';
import type { IceAction, IceClient } from '../ice/types';

export type Labels = Record<string, string>;

export interface Counter {
  readonly name: string;
  inc(labels?: Labels, value?: number): void;
  /** Current value for exactly these labels (0 when never incremented). */
  value(labels?: Labels): number;
}

interface CounterState {
  name: string;
  help: string;
  values: Map<string, { labels: Labels; value: number }>;
  mirror?: MetricCounter;
}

const NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function renderLabels(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${escapeLabelValue(value)}"`).join(',')}}`;
}

export class MetricsRegistry {
  private readonly counters = new Map<string, CounterState>();
  private meter?: MetricMeter;

  /** Returns the counter with this name, creating it on first use (the same name always means the same counter). */
  counter(name: string, help: string): Counter {
    if (!NAME_PATTERN.test(name)) throw new Error(`invalid metric name "${name}"`);
    let state = this.counters.get(name);
    if (!state) {
      state = { name, help, values: new Map() };
      if (this.meter) state.mirror = this.meter.createCounter(name, undefined, help);
      this.counters.set(name, state);
    }
    const counter = state;
    return {
      name,
      inc: (labels: Labels = {}, value = 1) => {
        if (!(value >= 0)) throw new Error(`counter ${name} can only increase`);
        const key = labelKey(labels);
        const entry = counter.values.get(key) ?? { labels: { ...labels }, value: 0 };
        entry.value += value;
        counter.values.set(key, entry);
        counter.mirror?.add(value, labels as MetricTags);
      },
      value: (labels: Labels = {}) => counter.values.get(labelKey(labels))?.value ?? 0,
    };
  }

  /** Mirror every counter (existing and future) into a Temporal metric meter, e.g. `Runtime.instance().metricMeter`. */
  attachTemporalMeter(meter: MetricMeter): void {
    if (this.meter === meter) return; // attaching twice must not count twice
    this.meter = meter;
    for (const state of this.counters.values()) {
      state.mirror = meter.createCounter(state.name, undefined, state.help);
      // Carry over what was counted before the meter existed.
      for (const { labels, value } of state.values.values()) if (value > 0) state.mirror.add(value, labels);
    }
  }

  /** Prometheus text exposition format (version 0.0.4). */
  render(): string {
    const lines: string[] = [];
    for (const state of this.counters.values()) {
      lines.push(`# HELP ${state.name} ${state.help.replace(/\n/g, ' ')}`);
      lines.push(`# TYPE ${state.name} counter`);
      for (const { labels, value } of state.values.values()) {
        lines.push(`${state.name}${renderLabels(labels)} ${value}`);
      }
    }
    return lines.length === 0 ? '' : lines.join('\n') + '\n';
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The process-wide registry that the worker, activities and callback receiver count into. */
export const packageMetrics = new MetricsRegistry();

/**
 * The package's counter names, declared once so that every part counts into the same series.
 * Labels: `operation` = ICE action, `outcome` = success | retryable | final; `reason` = rejection reason;
 * `result` = Success | Fail (ICE terminal status) or a failure type.
 */
export const voiceCloneCounters = {
  iceCalls: (registry: MetricsRegistry = packageMetrics) =>
    registry.counter('ice_voice_clone_ice_calls_total', 'ICE API calls made by activities, by operation and outcome'),
  clonesCompleted: (registry: MetricsRegistry = packageMetrics) =>
    registry.counter('ice_voice_clone_clones_completed_total', 'Voice clones that ended, by result'),
  callbacksReceived: (registry: MetricsRegistry = packageMetrics) =>
    registry.counter('ice_voice_clone_callbacks_received_total', 'ICE callback requests received'),
  callbacksRejected: (registry: MetricsRegistry = packageMetrics) =>
    registry.counter('ice_voice_clone_callbacks_rejected_total', 'ICE callback requests rejected, by reason'),
  callbacksSignalled: (registry: MetricsRegistry = packageMetrics) =>
    registry.counter('ice_voice_clone_callbacks_signalled_total', 'ICE callbacks delivered to a clone as a signal'),
  callbacksUnmatched: (registry: MetricsRegistry = packageMetrics) =>
    registry.counter('ice_voice_clone_callbacks_unmatched_total', 'ICE callbacks that matched no known clone'),
} as const;

/**
 * Wraps an ICE client so that every call counts into `ice_voice_clone_ice_calls_total{operation,outcome}`
 * (outcome: success, or the IceError kind: retryable | final). The worker command wraps its client with it.
 */
export function countIceCalls(ice: IceClient, registry: MetricsRegistry = packageMetrics): IceClient {
  const counter = voiceCloneCounters.iceCalls(registry);
  const counted = {} as Record<keyof IceClient, unknown>;
  for (const method of Object.keys(ICE_METHOD_OPERATIONS) as (keyof IceClient)[]) {
    const call = ice[method] as (request?: unknown) => Promise<unknown>;
    counted[method] = async (request?: unknown) => {
      const operation = ICE_METHOD_OPERATIONS[method];
      try {
        const response = await call.call(ice, request);
        counter.inc({ operation, outcome: 'success' });
        return response;
      } catch (error) {
        counter.inc({ operation, outcome: isIceError(error) ? error.kind : 'error' });
        throw error;
      }
    };
  }
  return counted as unknown as IceClient;
}

const ICE_METHOD_OPERATIONS: Record<keyof IceClient, IceAction> = {
  createCustomizedVoiceJob: 'CreateCustomizedVoiceJob',
  getDemonstrationForCustomizedVoiceJob: 'GetDemonstrationForCustomizedVoiceJob',
  detectAudioForCustomizedVoiceJob: 'DetectAudioForCustomizedVoiceJob',
  submitCustomizedVoiceJob: 'SubmitCustomizedVoiceJob',
  submitStandardCustomizedVoiceJob: 'SubmitStandardCustomizedVoiceJob',
  submitCosyVoiceCustomizedVoiceJob: 'SubmitCosyVoiceCustomizedVoiceJob',
  deleteCustomizedVoiceJob: 'DeleteCustomizedVoiceJob',
  updateCustomizedVoice: 'UpdateCustomizedVoice',
  getCustomizedVoiceJob: 'GetCustomizedVoiceJob',
  listCustomizedVoiceJobs: 'ListCustomizedVoiceJobs',
  getCustomizedVoice: 'GetCustomizedVoice',
  listCustomizedVoices: 'ListCustomizedVoices',
  setEventCallback: 'SetEventCallback',
  getEventCallback: 'GetEventCallback',
};
