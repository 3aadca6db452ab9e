/**
 * The batch report's size bound (no server): a small report keeps every result and message; a report of 10,000
 * entries drops results, then cuts messages, and stays below Temporal's 2 MB payload limit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BATCH_REPORT_MAX_BYTES, type VoiceCloneBatchEntry } from '../../src/workflows/batch-definitions';
import { withinBudget } from '../../src/workflows/batch-report';

const TEMPORAL_PAYLOAD_LIMIT = 2 * 1024 * 1024;

function succeeded(index: number): VoiceCloneBatchEntry {
  const voiceId = `Voice${String(index).padStart(27, '0')}`; // 32 characters, Basic's longest
  return {
    index,
    workflowId: `voice-clone-${voiceId}`,
    status: 'Succeeded',
    result: {
      edition: 'basic',
      voiceId,
      jobId: 'a'.repeat(32),
      status: 'Success',
      message: '',
      completedVia: 'callback',
      statusChecks: 1,
    },
  };
}

function quotaRefused(index: number): VoiceCloneBatchEntry {
  return {
    index,
    workflowId: `voice-clone-cosyvoice-${String(index).padStart(32, 'n')}`,
    status: 'Failed',
    failure: { type: 'QuotaExceeded.CosyVoice', message: `${'ICE refused the submit. '.repeat(20)}RequestId: x` },
  };
}

const bytes = (entries: VoiceCloneBatchEntry[]): number => Buffer.byteLength(JSON.stringify(entries));

describe('batch report size', () => {
  test('a small report keeps results and messages', () => {
    const entries = [succeeded(0), quotaRefused(1)];
    assert.deepEqual(withinBudget(entries, BATCH_REPORT_MAX_BYTES), entries);
  });

  test('10,000 successes drop their results and fit the budget', () => {
    const entries = Array.from({ length: 10_000 }, (_, index) => succeeded(index));
    assert.ok(bytes(entries) > TEMPORAL_PAYLOAD_LIMIT, 'the full report would not fit');
    const bounded = withinBudget(entries, BATCH_REPORT_MAX_BYTES);
    assert.ok(bytes(bounded) <= BATCH_REPORT_MAX_BYTES, `${bytes(bounded)} bytes`);
    assert.equal(bounded[9_999]?.result, undefined);
    assert.equal(bounded[9_999]?.workflowId, entries[9_999]?.workflowId);
  });

  test('10,000 failures with the longest ASCII names keep their types and stay below 2 MB', () => {
    const entries = Array.from({ length: 10_000 }, (_, index) => quotaRefused(index));
    const bounded = withinBudget(entries, BATCH_REPORT_MAX_BYTES);
    assert.ok(bytes(bounded) < TEMPORAL_PAYLOAD_LIMIT, `${bytes(bounded)} bytes`);
    assert.ok(bounded.every((entry) => entry.failure?.type === 'QuotaExceeded.CosyVoice'));
  });

  test("a run's share of the budget is proportional to its entries", () => {
    const entries = Array.from({ length: 500 }, (_, index) => succeeded(index));
    const share = (BATCH_REPORT_MAX_BYTES * 500) / 10_000;
    assert.ok(bytes(withinBudget(entries, share)) <= share);
  });
});
