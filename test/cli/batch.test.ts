/**
 * `batch` and `batch-status`: every line of the file checked before anything starts (exit 2 naming the line, field
 * and rule), the progress line's rate and time left, the report's text, and (against a local stack) a batch run
 * to its report with `--wait --report`, then shown by `batch-status`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { parseBatchFile } from '../../src/cli/batch-file';
import { describeBatchResult } from '../../src/cli/batch-output';
import { batchPace, formatBatchProgressLine } from '../../src/cli/progress';
import type { Env } from '../../src/config';
import { demoRecordingUrl } from '../../src/local-stack/demo';
import type { VoiceCloneBatchResult } from '../../src/workflows/batch-definitions';
import { runCli, startTestHarness, type TestHarness } from '../support/harness';

Runtime.install({ logger: new DefaultLogger('WARN') });

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

  describe('against a local stack', () => {
    let stack: TestHarness;
    let env: Env;
    before(async () => {
      stack = await startTestHarness({
        name: 'batch-cli',
        worker: true,
        receivers: { count: 1 },
        emulator: { trainingMs: 1_000 },
      });
      env = { TEMPORAL_ADDRESS: stack.temporal.address, VOICE_CLONE_TASK_QUEUE: stack.taskQueue };
    });
    after(() => stack?.close());

    /** A Basic voice created in the emulator, as a batch file line. */
    async function voiceLine(prefix: string): Promise<{ voiceId: string; line: string }> {
      const voiceId = `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      const { jobId } = await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
      const recordings = [{ audioRecordId: 1, recordUrl: demoRecordingUrl(voiceId, 1) }];
      return { voiceId, line: JSON.stringify({ voiceId, jobId, recordings }) };
    }

    it('batch --wait --report runs every line to the report, exit 1 for a failed clone; batch-status shows it', async () => {
      const voices = [await voiceLine('CliBatch'), await voiceLine('FailTrain'), await voiceLine('CliBatch')];
      const file = await fileWith('run.jsonl', ['', ...voices.map((voice) => voice.line)]);
      const report = path.join(dir, 'report.json');
      const batchId = `cli-batch-${Date.now().toString(36)}`;
      const run = await runCli(
        ['batch', '--file', file, '--max-concurrent', '2', '--batch-id', batchId, '--wait', '--report', report],
        env,
      );
      assert.equal(run.code, 1, run.err);
      assert.match(run.out, new RegExp(`Batch of 3 clones running as workflow ${batchId}, 2 at once`));
      assert.match(
        run.out,
        /\d+\/3 ended {2}succeeded \d+ {2}failed \d+ {2}running \d+ {2}pending \d+ {2}[\d.]+ clones\/s/,
      );
      assert.match(run.out, new RegExp(`Batch ${batchId}: 2 of 3 clones succeeded, 1 failed \\[`));
      assert.match(run.err, new RegExp(`#1 \\(line 3\\) voice-clone-${voices[1].voiceId}: TrainingFailed: `));

      const written = JSON.parse(await readFile(report, 'utf8')) as VoiceCloneBatchResult;
      assert.deepEqual([written.total, written.succeeded, written.failed], [3, 2, 1]);
      assert.deepEqual(
        written.clones.map((entry) => [entry.index, entry.workflowId, entry.status, entry.failure?.type]),
        voices.map((voice, index) => [
          index,
          `voice-clone-${voice.voiceId}`,
          index === 1 ? 'Failed' : 'Succeeded',
          index === 1 ? 'TrainingFailed' : undefined,
        ]),
      );

      const status = await runCli(['batch-status', '--batch-id', batchId, '--json'], env);
      assert.equal(status.code, 1, status.err);
      assert.deepEqual(JSON.parse(status.out), { execution: 'COMPLETED', result: written });
      const text = await runCli(['batch-status', '--batch-id', batchId], env);
      assert.match(text.out, new RegExp(`Batch ${batchId}: 2 of 3 clones succeeded, 1 failed\n  #1 voice-clone-`));
      const missing = await runCli(['batch-status', '--batch-id', `${batchId}-none`], env);
      assert.equal(missing.code, 1);
      assert.match(missing.err, /no batch with workflow ID/);
    });

    it('batch without --wait returns at once; batch-status answers progress while it runs, exit 0 once all succeeded', async () => {
      await stack.emulator.admin.updateSettings({ trainingMs: 4_000 });
      try {
        const file = await fileWith('quick.jsonl', [(await voiceLine('CliQuick')).line]);
        const batchId = `cli-batch-quick-${Date.now().toString(36)}`;
        const run = await runCli(['batch', '--file', file, '--batch-id', batchId], env);
        assert.equal(run.code, 0, run.err);
        const running = await runCli(['batch-status', '--batch-id', batchId, '--json'], env);
        assert.equal(running.code, 0, running.err);
        const answer = JSON.parse(running.out) as { execution: string; progress?: { total: number } };
        assert.equal(answer.execution, 'RUNNING');
        assert.equal(answer.progress?.total, 1);
        await stack.client.workflow.getHandle(batchId).result();
        const done = await runCli(['batch-status', '--batch-id', batchId], env);
        assert.equal(done.code, 0, done.err);
        assert.match(done.out, /1 of 1 clones succeeded, 0 failed/);
      } finally {
        await stack.emulator.admin.updateSettings({ trainingMs: 1_000 });
      }
    });
  });
});
