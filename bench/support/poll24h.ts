/**
 * History size of a clone that polls for 24 hours (training never ends → TrainingTimedOut), on the time-skipping
 * server with the default timings, so that a day of polling costs seconds of wall time. Reuses the workflow
 * tests' stack (worker in-process against the emulator).
 */
import { statusQuery } from '../../src/workflows/definitions';
import { startVoiceClone } from '../../src/client/start-voice-clone';
import { createVoice, newVoiceId, recordings, startCloneStack } from '../../test/workflow/support';

const NEVER_MS = 30 * 24 * 60 * 60 * 1000;

export interface Poll24hResult {
  historyEvents: number;
  statusChecks: number;
  failureType: string;
  source: string;
}

export async function measurePoll24h(): Promise<Poll24hResult> {
  const stack = await startCloneStack({ server: 'time-skipping' });
  try {
    await stack.emulator.admin.updateSettings({ trainingMs: NEVER_MS });
    const voiceId = newVoiceId('Bench24h');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 1) },
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
    await stack.stop();
  }
}
