/** Starting many clones on a fault stack, and the checks every scenario ends with. */
import type { RecordedCall } from '../../../src/emulator';
import { startVoiceClone } from '../../../src/client/start-voice-clone';
import type { CompletedVia, VoiceCloneResult, VoiceCloneTiming } from '../../../src/workflows/definitions';
import { statusQuery, voiceCloneWorkflowId } from '../../../src/workflows/definitions';
import { FAULT_TASK_QUEUE, type FaultStack } from './fault-stack';

export interface ScenarioOutcome {
  scenario: string;
  clones: number;
  completedCorrectly: number;
  /** Voices for which ICE accepted more than one submit (jobs' submitCount and the call log). */
  duplicateJobs: number;
  secretsFound: number;
  seconds: number;
  /** Why clones were not correct, first few. */
  problems: string[];
}

export function voiceIdsFor(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);
}

async function inBatches<T>(items: readonly T[], size: number, task: (item: T) => Promise<unknown>): Promise<void> {
  for (let offset = 0; offset < items.length; offset += size)
    await Promise.all(items.slice(offset, offset + size).map(task));
}

/** Create the voices in ICE (setup, as a user does before cloning), then start one clone per voice. */
export async function startClones(
  stack: FaultStack,
  voiceIds: readonly string[],
  timing: VoiceCloneTiming,
  beforeStart?: () => Promise<void>,
): Promise<void> {
  await inBatches(voiceIds, 10, (voiceId) =>
    stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'male', scenario: 'interaction' }),
  );
  // Faults go on after the setup calls, so that they hit only what the package does.
  await beforeStart?.();
  await inBatches(voiceIds, 10, (voiceId) =>
    startVoiceClone(
      stack.client,
      {
        voiceId,
        recordings: [
          { audioRecordId: 1, recordUrl: `https://faults.oss-cn-shanghai.aliyuncs.com/${voiceId}/1.wav` },
          { audioRecordId: 2, recordUrl: `https://faults.oss-cn-shanghai.aliyuncs.com/${voiceId}/2.wav` },
        ],
        timing,
      },
      { taskQueue: FAULT_TASK_QUEUE },
    ),
  );
}

/** Wait until at least `count` of these voices have a submitted job in the emulator. */
export async function waitForSubmitted(
  stack: FaultStack,
  voiceIds: readonly string[],
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  const wanted = new Set(voiceIds);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await stack.emulator.admin.jobs();
    const submitted = jobs.filter((job) => wanted.has(job.voiceId) && job.submitCount > 0).length;
    if (submitted >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${submitted}/${count} clones submitted after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** JSON of a history with every payload decoded (payload data are bytes), so that a secret inside one is found. */
function decodedHistoryText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
  );
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: Error }).cause;
  return `${(error as Error).message}${cause ? ` (${cause.message})` : ''}`;
}

/** Where a clone that did not end right is stuck: execution status and the workflow's own stage. */
async function diagnose(stack: FaultStack, voiceId: string): Promise<string> {
  const handle = stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId));
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return `status ${description.status.name}`;
    const status = await handle.query(statusQuery);
    return `running, stage ${status.stage}, ICE status ${status.lastIceStatus ?? '-'}, callbacks ${status.callbacksReceived}, checks ${status.statusChecks}`;
  } catch (error) {
    return `not diagnosed: ${(error as Error).message}`;
  }
}

export interface VerifyOptions {
  scenario: string;
  startedAt: number;
  voiceIds: readonly string[];
  expectVia: readonly CompletedVia[];
  /** ICE calls recorded by emulators that were restarted during the scenario. */
  earlierCalls?: readonly RecordedCall[];
  timeoutMs?: number;
}

export async function verifyScenario(stack: FaultStack, options: VerifyOptions): Promise<ScenarioOutcome> {
  const problems: string[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let completedCorrectly = 0;
  await Promise.all(
    options.voiceIds.map(async (voiceId) => {
      const handle = stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId));
      // Abort the long poll itself at the deadline, so that nothing keeps retrying on a closed connection.
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new Error('no result before the scenario deadline')),
        deadline - Date.now(),
      );
      try {
        const result = (await stack.client.withAbortSignal(controller.signal, () =>
          handle.result(),
        )) as VoiceCloneResult;
        if (
          result.status === 'Success' &&
          options.expectVia.includes(result.completedVia) &&
          result.voiceId === voiceId
        ) {
          completedCorrectly++;
        } else {
          problems.push(`${voiceId}: ${result.status} via ${result.completedVia}`);
        }
      } catch (error) {
        problems.push(`${voiceId}: ${describeError(error)}; ${await diagnose(stack, voiceId)}`);
      } finally {
        clearTimeout(timer);
      }
    }),
  );

  // Exactly one ICE job per voice: the emulator's submit counter and its call log must both say so.
  const wanted = new Set(options.voiceIds);
  const submitsPerVoice = new Map<string, number>();
  for (const job of await stack.emulator.admin.jobs()) {
    if (wanted.has(job.voiceId))
      submitsPerVoice.set(job.voiceId, (submitsPerVoice.get(job.voiceId) ?? 0) + job.submitCount);
  }
  const acceptedSubmitCalls = new Map<string, number>();
  for (const call of [...(options.earlierCalls ?? []), ...(await stack.emulator.admin.calls())]) {
    if (call.action === 'SubmitCustomizedVoiceJob' && call.httpStatus === 200 && wanted.has(call.params.VoiceId)) {
      acceptedSubmitCalls.set(call.params.VoiceId, (acceptedSubmitCalls.get(call.params.VoiceId) ?? 0) + 1);
    }
  }
  let duplicateJobs = 0;
  for (const voiceId of options.voiceIds) {
    const submits = Math.max(submitsPerVoice.get(voiceId) ?? 0, acceptedSubmitCalls.get(voiceId) ?? 0);
    if (submits > 1) {
      duplicateJobs++;
      problems.push(`${voiceId}: ICE accepted ${submits} submits`);
    } else if (submits === 0) {
      problems.push(`${voiceId}: never submitted`);
    }
  }

  // No secret in any exported history.
  const secrets = [stack.credentials.accessKeySecret, stack.callbackAuthKey];
  let secretsFound = 0;
  for (const voiceId of options.voiceIds) {
    const history = await stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).fetchHistory();
    const text = decodedHistoryText(history);
    for (const secret of secrets) {
      if (text.includes(secret)) {
        secretsFound++;
        problems.push(`${voiceId}: a secret appears in the history`);
      }
    }
  }
  return {
    scenario: options.scenario,
    clones: options.voiceIds.length,
    completedCorrectly,
    duplicateJobs,
    secretsFound,
    seconds: Math.round((Date.now() - options.startedAt) / 100) / 10,
    problems,
  };
}
