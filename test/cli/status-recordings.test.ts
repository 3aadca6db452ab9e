/** `status <voiceId>` prints a recording session's table: sentence, passed/failed and ICE's reason. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCloneStatus } from '../../src/cli/commands/status';
import type { VoiceCloneStatusReport } from '../../src/client/voice-clone-status';

test('the recordings table of a running session, one line per sentence', () => {
  const report: VoiceCloneStatusReport = {
    edition: 'basic',
    voiceId: 'Anna1',
    workflowId: 'voice-clone-Anna1',
    runId: 'run-1',
    execution: 'RUNNING',
    stage: 'AwaitingRecordings',
    startTime: new Date('2026-12-02T10:00:00.000Z'),
    durationMs: 65_000,
    recordings: [
      { audioRecordId: 1, text: '今天的天气非常好。', recordUrl: 'https://b/1.wav', state: 'passed', reason: '' },
      {
        audioRecordId: 7,
        text: '小明每天早上七点起床。',
        recordUrl: 'https://b/7.wav',
        state: 'failed',
        reason: 'too noisy',
      },
      { audioRecordId: 12, text: '您好。', recordUrl: 'https://b/12.wav', state: 'detecting', reason: '' },
    ],
  };
  const lines = formatCloneStatus(report).split('\n');
  assert.ok(lines.includes('Stage          AwaitingRecordings'), lines.join('\n'));
  const table = lines.slice(lines.indexOf('Recordings     1 of 3 passed detection'));
  assert.deepEqual(table, [
    'Recordings     1 of 3 passed detection',
    '   1  passed    今天的天气非常好。',
    '   7  failed    小明每天早上七点起床。 — too noisy',
    '  12  detecting 您好。',
  ]);
});
