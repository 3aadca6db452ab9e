/**
 * History size of a clone that polls for 24 hours (training never ends → TrainingTimedOut), on the time-skipping
 * server with the default timings, so that a day of polling costs seconds of wall time. A preset of the test
 * harness (ice-voice-clone/testing): the SDK's time-skipping server and a worker in this process, against the emulator.
 */
import { randomBytes } from 'node:crypto';
import { startVoiceClone } from '../../src/client/start-voice-clone';
import { startHarness, TEST_TRAINING_MS, timeSkippingServer } from '../../src/testing';
import { statusQuery } from '../../src/workflows/definitions';

const NEVER_MS = 30 * 24 * 60 * 60 * 1000;

export interface Poll24hResult {
  historyEvents: number;
  statusChecks: number;
  failureType: string;
  source: string;
}

export async function measurePoll24h(): Promise<Poll24hResult> {
  const stack = await startHarness({
    name: 'voice-clone-bench-24h',
    temporal: timeSkippingServer(),
    emulator: { trainingMs: TEST_TRAINING_MS.quick },
    worker: true,
  });
  try {
    await stack.emulator.admin.updateSettings({ trainingMs: NEVER_MS });
    const voiceId = `Bench24h${randomBytes(3).toString('hex')}`;
    await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
    const handle = await startVoiceClone(
      stack.client,
      {
        voiceId,
        recordings: [{ audioRecordId: 1, recordUrl: `https://voices.oss-cn-shanghai.aliyuncs.com/${voiceId}/1.wav` }],
      },
      { taskQueue: stack.taskQueue },
    );
    const failureType = await handle.result().then(
      () => 'completed (unexpected)',
      (error: unknown) => String((error as { cause?: { type?: string } }).cause?.type ?? (error as Error).name),
    );
    const history = await handle.fetchHistory();
    const status = await handle.query(statusQuery);
    return {
      historyEvents: history.events?.length ?? 0,
      statusChecks: status.statusChecks,
      failureType,
      source: 'time-skipping server, default timings, training never ends',
    };
  } finally {
    await stack.close();
  }
}
