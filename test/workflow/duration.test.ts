/**
 * The workflow's duration parser must resolve every string exactly as the SDK's converter did before it (timers
 * of running clones replay from these values): compared value for value with the SDK's `msToNumber`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
// The SDK's converter, internal to the SDK (hence the copy in src/workflows/duration.ts); here only as the reference.
import { msToNumber } from '@temporalio/common';
import { parseDurationMs } from '../../src/workflows/duration';
import { validateVoiceCloneInput } from '../../src/workflows/validation';

function sdkMillis(text: string): number | undefined {
  try {
    return msToNumber(text as Parameters<typeof msToNumber>[0]);
  } catch {
    return undefined;
  }
}

const UNITS = [
  ...['years', 'year', 'yrs', 'yr', 'y', 'weeks', 'week', 'w', 'days', 'day', 'd', 'hours', 'hour', 'hrs', 'hr', 'h'],
  ...['minutes', 'minute', 'mins', 'min', 'm', 'seconds', 'second', 'secs', 'sec', 's'],
  ...['milliseconds', 'millisecond', 'msecs', 'msec', 'ms', ''],
];
const NUMBERS = ['0', '1', '30', '1.5', '.5', '-2', '007', '1.'];

describe('parseDurationMs', () => {
  test('matches the SDK for every unit, case and spacing', () => {
    const cases = NUMBERS.flatMap((n) =>
      UNITS.flatMap((unit) => [`${n}${unit}`, `${n} ${unit}`, `${n}  ${unit.toUpperCase()}`]),
    );
    for (const text of cases) assert.equal(parseDurationMs(text), sdkMillis(text), text);
  });

  test('refuses what the SDK refuses', () => {
    for (const text of ['', ' 1s', '1s ', '1 fortnight', 'ten minutes', '1e3', '1,5s', '1h30m', '1'.repeat(101)]) {
      assert.equal(sdkMillis(text), undefined, `the SDK refuses ${JSON.stringify(text)}`);
      assert.equal(parseDurationMs(text), undefined, JSON.stringify(text));
    }
  });

  test('the validator resolves timing with it', () => {
    const validation = validateVoiceCloneInput({
      voiceId: 'Anna01',
      timing: { callbackTimeout: '15 minutes', pollInterval: '1.5s', maxPollInterval: '2 mins', trainingTimeout: '1d' },
    });
    assert.ok(validation.ok);
    assert.deepEqual(validation.value.timing, {
      callbackTimeoutMs: 900_000,
      pollIntervalMs: 1_500,
      maxPollIntervalMs: 120_000,
      trainingTimeoutMs: 86_400_000,
      recordingTimeoutMs: 604_800_000, // not given: the default 7 days
    });
    const refused = validateVoiceCloneInput({ voiceId: 'Anna01', timing: { pollInterval: 'soon' } });
    assert.equal(refused.ok, false);
  });
});
