/** Durations in the Web UI's details and the CLI read as people write them (src/workflows/human-duration.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeTiming, formatDuration } from '../../src/workflows/human-duration';
import { validateVoiceCloneInput } from '../../src/workflows/validation';

test('formatDuration picks the unit people would write', () => {
  const cases: [number, string][] = [
    [100, '100 ms'],
    [1_500, '1.5 s'],
    [30_000, '30 s'],
    [90_000, '90 s'],
    [600_000, '10 min'],
    [5_400_000, '90 min'],
    [86_400_000, '24 h'],
    [36 * 3_600_000, '36 h'],
    [2 * 86_400_000, '2 d'],
    [7 * 86_400_000, '7 d'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
});

test('describeTiming of the defaults', () => {
  const valid = validateVoiceCloneInput({ voiceId: 'Anna1' });
  assert.ok(valid.ok);
  assert.equal(describeTiming(valid.value.timing), 'callback timeout 10 min, poll 30 s–5 min, training timeout 24 h');
  assert.equal(
    describeTiming(valid.value.timing, { recordingSession: true }),
    'callback timeout 10 min, poll 30 s–5 min, training timeout 24 h, recording timeout 7 d',
  );
});
