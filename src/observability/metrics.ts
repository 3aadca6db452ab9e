/**
 * The package's one metrics system: every metric (the worker's ICE call counter, the callback receiver's counters,
 * backlog gauge and latency summary) is declared on a MetricsRegistry and rendered by it.
 *
 * Why this and not prom-client: the worker's one scrape address (VOICE_CLONE_METRICS_ADDRESS) belongs to Temporal
 * Core's Prometheus exporter, which takes metrics only through Temporal's MetricMeter. A prom-client registry would
 * need the same bridge into the meter and a second dependency. So `attachTemporalMeter` mirrors every update into
 * the meter (the worker's address then shows Temporal's metrics and ours), and `render()` serves a process without
 * that exporter (the receiver's `/metrics`), in Prometheus text format 0.0.4.
 */
import type { MetricMeter } from '@temporalio/common';
import { isIceError } from '../ice/errors';
import type { IceAction, IceClient } from '../ice/types';

/** Prometheus label names and values of one series. */
export type Labels = Record<string, string>;

/** One labelled value of a counter or gauge. */
export interface Series {
  labels: Labels;
  value: number;
}

/** A monotonically increasing Prometheus counter. */
export interface Counter {
  readonly name: string;
  inc(labels?: Labels, value?: number): void;
  /** Current value for exactly these labels (0 when never incremented). */
  value(labels?: Labels): number;
  /** Every label set counted so far, in first-use order. */
  series(): Series[];
}

/** A Prometheus gauge: a value that goes up and down. */
export interface Gauge {
  readonly name: string;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
  value(labels?: Labels): number;
  series(): Series[];
}

/** How a summary keeps its observations. */
export interface SummaryOptions {
  /** Rendered quantiles, e.g. [0.5, 0.9, 0.99]. */
  quantiles: readonly number[];
  /** Quantiles are over the most recent `window` observations, so they follow the current load. */
  window: number;
}

/** A summary's count, sum and quantiles at one moment. */
export interface SummaryReading {
  /** Observations since start, and their sum. */
  count: number;
  sum: number;
  /** The observations in the window, ascending. */
  window: readonly number[];
}

/** A label-less summary: count and sum since start, quantiles over a sliding window. */
export interface Summary {
  readonly name: string;
  observe(value: number): void;
  read(): SummaryReading;
}

interface Labelled {
  name: string;
  help: string;
  labelNames: readonly string[];
  series: Map<string, Series>;
}

type MetricState =
  | (Labelled & { type: 'counter'; mirror?: (series: Series, by: number) => void })
  | (Labelled & { type: 'gauge'; mirror?: (series: Series) => void })
  | {
      type: 'summary';
      name: string;
      help: string;
      options: SummaryOptions;
      count: number;
      sum: number;
      window: number[];
      next: number;
      mirror?: (value: number) => void;
    };

const NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Nearest-rank quantile of already sorted samples; 0 when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

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

/** The series for these labels, which must be exactly the declared label names. */
function seriesOf(state: Labelled, labels: Labels): Series {
  const names = Object.keys(labels);
  if (names.length !== state.labelNames.length || !names.every((label) => state.labelNames.includes(label))) {
    throw new Error(`metric ${state.name} takes labels [${state.labelNames.join(', ')}], got [${names.join(', ')}]`);
  }
  const key = labelKey(labels);
  let series = state.series.get(key);
  if (!series) {
    series = { labels: { ...labels }, value: 0 };
    state.series.set(key, series);
  }
  return series;
}

/** Holds the package's counters, gauges and summaries and renders them in Prometheus' text format. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, MetricState>();
  private meter?: MetricMeter;

  /** The counter with this name, created on first use (the same name always means the same counter). */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const state = this.declare(name, 'counter', () => ({ type: 'counter', name, help, labelNames, series: new Map() }));
    return {
      name,
      inc: (labels: Labels = {}, by = 1) => {
        if (!(by >= 0)) throw new Error(`counter ${name} can only increase`);
        const series = seriesOf(state, labels);
        series.value += by;
        state.mirror?.(series, by);
      },
      value: (labels: Labels = {}) => state.series.get(labelKey(labels))?.value ?? 0,
      series: () => [...state.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value })),
    };
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const state = this.declare(name, 'gauge', () => ({ type: 'gauge', name, help, labelNames, series: new Map() }));
    const add = (labels: Labels, by: number): void => {
      const series = seriesOf(state, labels);
      series.value += by;
      state.mirror?.(series);
    };
    return {
      name,
      inc: (labels: Labels = {}, by = 1) => add(labels, by),
      dec: (labels: Labels = {}, by = 1) => add(labels, -by),
      value: (labels: Labels = {}) => state.series.get(labelKey(labels))?.value ?? 0,
      series: () => [...state.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value })),
    };
  }

  summary(name: string, help: string, options: SummaryOptions): Summary {
    const state = this.declare(name, 'summary', () => ({
      type: 'summary',
      name,
      help,
      options,
      count: 0,
      sum: 0,
      window: [],
      next: 0,
    }));
    return {
      name,
      observe: (value: number) => {
        state.count += 1;
        state.sum += value;
        if (state.window.length < state.options.window) state.window.push(value);
        else state.window[state.next] = value;
        state.next = (state.next + 1) % state.options.window;
        state.mirror?.(value);
      },
      read: () => ({ count: state.count, sum: state.sum, window: [...state.window].sort((a, b) => a - b) }),
    };
  }

  /**
   * Mirror every metric (existing and future) into a Temporal metric meter, e.g. `Runtime.instance().metricMeter`:
   * counters as counters, gauges as gauges, summaries as histograms (Temporal's exporter has no summaries; its
   * default buckets are for milliseconds, so a summary in seconds needs the runtime's `histogramBucketOverrides`).
   */
  attachTemporalMeter(meter: MetricMeter): void {
    if (this.meter === meter) return; // attaching twice must not count twice
    this.meter = meter;
    for (const state of this.metrics.values()) this.mirror(state, meter, true);
  }

  /** Prometheus text exposition format (version 0.0.4), metrics in declaration order. */
  render(): string {
    const lines: string[] = [];
    for (const state of this.metrics.values()) {
      lines.push(`# HELP ${state.name} ${state.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${state.name} ${state.type}`);
      if (state.type === 'summary') {
        const sorted = [...state.window].sort((a, b) => a - b);
        for (const q of state.options.quantiles) lines.push(`${state.name}{quantile="${q}"} ${quantile(sorted, q)}`);
        lines.push(`${state.name}_sum ${state.sum}`, `${state.name}_count ${state.count}`);
        continue;
      }
      // A metric without labels is 0 until it first counts, so that a scrape shows it from the start.
      if (state.series.size === 0 && state.labelNames.length === 0) lines.push(`${state.name} 0`);
      for (const { labels, value } of state.series.values())
        lines.push(`${state.name}${renderLabels(labels)} ${value}`);
    }
    return lines.length === 0 ? '' : lines.join('\n') + '\n';
  }

  private declare<T extends MetricState['type']>(
    name: string,
    type: T,
    create: () => Extract<MetricState, { type: T }>,
  ): Extract<MetricState, { type: T }> {
    if (!NAME_PATTERN.test(name)) throw new Error(`invalid metric name "${name}"`);
    const existing = this.metrics.get(name);
    const state = create();
    if (existing) {
      const same =
        existing.type === state.type &&
        ('labelNames' in existing ? existing.labelNames.join() : '') ===
          ('labelNames' in state ? state.labelNames.join() : '');
      if (!same)
        throw new Error(`metric ${name} is declared already, differently (as a ${existing.type}; now a ${type})`);
      return existing as Extract<MetricState, { type: T }>;
    }
    this.metrics.set(name, state);
    if (this.meter) this.mirror(state, this.meter, false);
    return state;
  }

  /** Sets up the state's mirror; `carryOver` adds what was counted before the meter existed. */
  private mirror(state: MetricState, meter: MetricMeter, carryOver: boolean): void {
    switch (state.type) {
      case 'counter': {
        const counter = meter.createCounter(state.name, undefined, state.help);
        state.mirror = (series, by) => counter.add(by, series.labels);
        if (carryOver)
          for (const series of state.series.values()) if (series.value > 0) state.mirror(series, series.value);
        return;
      }
      case 'gauge': {
        const gauge = meter.createGauge(state.name, 'float', undefined, state.help);
        state.mirror = (series) => gauge.set(series.value, series.labels);
        if (carryOver) for (const series of state.series.values()) state.mirror(series);
        return;
      }
      case 'summary': {
        // Only observations from now on: the window does not hold every earlier one.
        const histogram = meter.createHistogram(state.name, 'float', undefined, state.help);
        state.mirror = (value) => histogram.record(value);
        return;
      }
    }
  }
}

/** The Content-Type of Prometheus' text exposition format (0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The process-wide registry of the worker's metrics, which the Temporal runtime exports (temporal-runtime.ts). */
export const packageMetrics = new MetricsRegistry();

/**
 * The worker's metrics, declared once so that every part counts into the same series. The receiver's are declared
 * in callback/metrics.ts, on a registry of each receiver's own.
 */
export const voiceCloneCounters = {
  /** Labels: `operation` = ICE action, `outcome` = success | retryable | final | error (not an IceError). */
  iceCalls: (registry: MetricsRegistry = packageMetrics) =>
    registry.counter('ice_voice_clone_ice_calls_total', 'ICE API calls made by activities, by operation and outcome', [
      'operation',
      'outcome',
    ]),
} as const;

/**
 * Wraps an ICE client so that every call counts into `ice_voice_clone_ice_calls_total{operation,outcome}`
 * (outcome: success, or the IceError kind: retryable | final). The worker plugin wraps its client with it.
 */
export function countIceCalls(ice: IceClient, registry: MetricsRegistry = packageMetrics): IceClient {
  const counter = voiceCloneCounters.iceCalls(registry);
  const counted = {} as Record<keyof IceClient, unknown>;
  for (const method of Object.keys(ICE_METHOD_OPERATIONS) as (keyof IceClient)[]) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with `ice` as `this` below
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
