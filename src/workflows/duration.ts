/**
 * Duration strings ("30s", "10 minutes", "1.5h") to milliseconds, the grammar the Temporal SDK accepts (the `ms`
 * package it uses). The SDK's own converter is internal, so this is a copy of that grammar: it must stay value for
 * value the same, because timing resolved here drives workflow timers and so replay (test/workflow/duration.test.ts
 * compares it with the SDK's). Pure and deterministic: safe inside the workflow sandbox.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const YEAR = 365.25 * DAY;

const UNIT_MS: Readonly<Record<string, number>> = {
  years: YEAR,
  year: YEAR,
  yrs: YEAR,
  yr: YEAR,
  y: YEAR,
  weeks: WEEK,
  week: WEEK,
  w: WEEK,
  days: DAY,
  day: DAY,
  d: DAY,
  hours: HOUR,
  hour: HOUR,
  hrs: HOUR,
  hr: HOUR,
  h: HOUR,
  minutes: MINUTE,
  minute: MINUTE,
  mins: MINUTE,
  min: MINUTE,
  m: MINUTE,
  seconds: SECOND,
  second: SECOND,
  secs: SECOND,
  sec: SECOND,
  s: SECOND,
  milliseconds: 1,
  millisecond: 1,
  msecs: 1,
  msec: 1,
  ms: 1,
};

const DURATION_PATTERN =
  /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i;
/** `ms` refuses longer strings. */
const MAX_LENGTH = 100;

/** Milliseconds of a duration string, or undefined when it is not one. A bare number is milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  if (text.length === 0 || text.length > MAX_LENGTH) return undefined;
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const unit = UNIT_MS[(match[2] ?? 'ms').toLowerCase()];
  return unit === undefined ? undefined : parseFloat(match[1]) * unit;
}
