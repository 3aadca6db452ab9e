/**
 * Durations as people write them ("10 min", "30 s", "24 h"), for the Web UI's details and the CLI. Pure and
 * deterministic: safe inside the workflow sandbox (only what is shown changes, never a timer).
 */
import type { ResolvedTiming } from './validation';

const UNITS: readonly [number, string][] = [
  [24 * 60 * 60 * 1000, 'd'],
  [60 * 60 * 1000, 'h'],
  [60 * 1000, 'min'],
  [1000, 's'],
];

/** Days only from 2 on: people write "24 h", not "1 d". */
const DAYS_FROM_MS = 2 * 24 * 60 * 60 * 1000;

/** The largest unit the duration is a whole number of; below a second, or between whole seconds, a decimal. */
export function formatDuration(ms: number): string {
  for (const [size, unit] of UNITS) {
    if (unit === 'd' && ms < DAYS_FROM_MS) continue;
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(3))} s`;
}

/** "callback timeout 10 min, poll 30 s–5 min, training timeout 24 h" (and the recording timeout when it applies). */
export function describeTiming(timing: ResolvedTiming, options: { recordingSession?: boolean } = {}): string {
  const parts = [
    `callback timeout ${formatDuration(timing.callbackTimeoutMs)}`,
    `poll ${formatDuration(timing.pollIntervalMs)}–${formatDuration(timing.maxPollIntervalMs)}`,
    `training timeout ${formatDuration(timing.trainingTimeoutMs)}`,
  ];
  if (options.recordingSession) parts.push(`recording timeout ${formatDuration(timing.recordingTimeoutMs)}`);
  return parts.join(', ');
}
