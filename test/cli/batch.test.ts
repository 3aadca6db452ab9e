/**
 * `batch` and `batch-status`: every line of the file checked before anything starts (exit 2 naming the line, field
 * and rule), the progress line's rate and time left, the report's text, and (against a local stack) a batch run
 * to its report with `--wait --report`, then shown by `batch-status`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseBatchFile } from '../../src/cli/batch-file';
import { describeBatchResult } from '../../src/cli/batch-output';
import { batchPace, formatBatchProgressLine } from '../../src/cli/progress';
import type { Env } from '../../src/config';
import type { VoiceCloneBatchResult } from '../../src/workflows/batch-definitions';
import { runCli } from '../support/harness';

/** Nothing listens here: a command that got as far as Temporal would exit 1, not 2. */
const UNREACHABLE_TEMPORAL: Env = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
const RECORDING = 'https://bucket.oss-cn-shanghai.aliyuncs.com/a/1.wav';

function basicLine(voiceId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ voiceId, recordings: [{ audioRecordId: 1, recordUrl: RECORDING }], ...extra });
}

describe('batch CLI', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ice-voice-clone-batch-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function fileWith(name: string, lines: string[]): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, lines.join('\n'));
    return file;
  }

  describe('refuses a bad file before anything starts (exit 2, one line)', () => {
    const cases: Array<{ name: string; lines: string[]; error: RegExp }> = [
      {
        name: 'a field that breaks its rule',
        lines: [basicLine('Anna01'), '', basicLine('not valid!')],
        error: /^error: batch\.jsonl line 3: voiceId: .*letters/,
      },
      { name: 'a line that is not JSON', lines: [basicLine('Anna01'), '{"voiceId":'], error: /line 2: not JSON/ },
      {
        name: 'a named edition without its fields',
        lines: [
          JSON.stringify({ edition: 'cosyvoice', voiceName: 'Anna', gender: 'female', model: 'cosyvoice-v3-plus' }),
        ],
        error: /line 1: audioMediaId: /,
      },
      {
        name: 'the same voice twice',
        lines: [basicLine('Anna01'), basicLine('Bert02'), basicLine('Anna01', { jobId: 'abc' })],
        error: /line 3: the same voice as line 1 \(voice-clone-Anna01\)/,
      },
      { name: 'no clones at all', lines: ['', '  '], error: /no clone inputs/ },
    ];
    for (const { name, lines, error } of cases) {
      it(name, async () => {
        const run = await runCli(['batch', '--file', await fileWith('batch.jsonl', lines)], UNREACHABLE_TEMPORAL);
        assert.equal(run.code, 2, run.err);
        assert.equal(run.err.trim().split('\n').length, 1, run.err);
        assert.match(run.err, error);
      });
    }

    it('and bad flags', async () => {
      const file = await fileWith('ok.jsonl', [basicLine('Anna01')]);
      const runs = await Promise.all([
        runCli(['batch', '--file', file, '--max-concurrent', '0'], UNREACHABLE_TEMPORAL),
        runCli(['batch', '--file', file, '--max-concurrent', '1001'], UNREACHABLE_TEMPORAL),
        runCli(['batch', '--file', file, '--report', path.join(dir, 'r.json')], UNREACHABLE_TEMPORAL),
        runCli(['batch', '--file', file, '--wait', '--report', path.join(dir, 'no/such/r.json')], UNREACHABLE_TEMPORAL),
        runCli(['batch', '--file', path.join(dir, 'missing.jsonl')], UNREACHABLE_TEMPORAL),
        runCli(['batch'], UNREACHABLE_TEMPORAL),
        runCli(['batch-status'], UNREACHABLE_TEMPORAL),
      ]);
      for (const run of runs) assert.equal(run.code, 2, run.err);
      assert.match(runs[0].err, /--max-concurrent must be a whole number from 1 to 1000/);
      assert.match(runs[2].err, /--report needs --wait/);
      assert.match(runs[3].err, /folder does not exist/);
      assert.match(runs[4].err, /cannot read --file/);
    });

    it('a good file gets as far as Temporal (exit 1 when it is unreachable)', async () => {
      const file = await fileWith('ok.jsonl', [basicLine('Anna01'), basicLine('Bert02')]);
      const run = await runCli(['batch', '--file', file], UNREACHABLE_TEMPORAL);
      assert.equal(run.code, 1, run.err);
      assert.match(run.err, /cannot reach Temporal/);
    });
  });

  it('keeps the file line of every clone (blank lines skipped)', () => {
    const parsed = parseBatchFile(['', basicLine('Anna01'), '', basicLine('Bert02'), ''].join('\r\n'), 'f');
    assert.deepEqual(parsed.lineNumbers, [2, 4]);
    assert.deepEqual(
      parsed.clones.map((clone) => clone.voiceId),
      ['Anna01', 'Bert02'],
    );
  });

  it('shows the rate since watching began and the time left at it', () => {
    const progress = { total: 100, pending: 60, running: 10, succeeded: 25, failed: 5 };
    const pace = batchPace({ ended: 10, atMs: 0 }, { progress, atMs: 10_000 });
    assert.equal(pace.perSecond, 2);
    assert.equal(pace.remainingMs, 35_000);
    assert.equal(
      formatBatchProgressLine(progress, pace, 65_000),
      '[ 1m05s]  30/100 ended  succeeded 25  failed 5  running 10  pending 60  2.00 clones/s  ~35s left',
    );
    const first = batchPace({ ended: 0, atMs: 0 }, { progress: { ...progress, succeeded: 0, failed: 0 }, atMs: 0 });
    assert.deepEqual(first, { perSecond: 0, remainingMs: undefined });
    assert.match(formatBatchProgressLine(progress, first, 0), /0\.00 clones\/s {2}estimating$/);
  });

  it('describes a report: counts, then each failed clone with its index and file line', () => {
    const result: VoiceCloneBatchResult = {
      total: 2,
      succeeded: 1,
      failed: 1,
      clones: [
        { index: 0, workflowId: 'voice-clone-A', status: 'Succeeded' },
        {
          index: 1,
          workflowId: 'voice-clone-B',
          status: 'Failed',
          failure: { type: 'TrainingFailed', message: 'ICE says Fail' },
        },
      ],
    };
    assert.deepEqual(describeBatchResult('b1', result, [3, 7]), [
      'Batch b1: 1 of 2 clones succeeded, 1 failed',
      '  #1 (line 7) voice-clone-B: TrainingFailed: ICE says Fail',
    ]);
  });
});
