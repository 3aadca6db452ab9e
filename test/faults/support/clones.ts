/** Starting many clones on a fault stack, and the checks every scenario ends with. */
import { temporal } from '@temporalio/proto';
import type { RecordedCall } from '../../../src/emulator';
import { startVoiceClone } from '../../../src/client/start-voice-clone';
import type { CompletedVia, VoiceCloneResult, VoiceCloneTiming } from '../../../src/workflows/definitions';
import { statusQuery, voiceCloneWorkflowId } from '../../../src/workflows/definitions';
import { FAULT_TASK_QUEUE, type FaultStack } from './fault-stack';
import { searchableHistoryText } from './history-search';

export interface ScenarioOutcome {
  scenario: string;
  clones: number;
  completedCorrectly: number;
  /** Voices with more than one submit that reached the emulator's business logic (call log, `performed`). */
  duplicateSubmits: number;
  secretsFound: number;
  /** The search found the canary planted in the control clone's input (if not, it cannot see a secret either). */
  canaryFound: boolean;
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

/**
 * The control clone: the scenario's first voice, whose demoAudioMediaUrl carries the stack's canary. It runs like
 * every other clone; its history must show the canary to the same search that must not find a secret.
 */
export function controlVoiceId(voiceIds: readonly string[]): string {
  return voiceIds[0];
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
        ...(voiceId === controlVoiceId(voiceIds)
          ? { demoAudioMediaUrl: `https://faults.oss-cn-shanghai.aliyuncs.com/${voiceId}/${stack.canary}.wav` }
          : {}),
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

/** The clones whose submit activity is started on a worker right now (describe's pending activities), by voice. */
export async function startedSubmits(stack: FaultStack, voiceIds: readonly string[]): Promise<Map<string, string>> {
  const onWorker = new Map<string, string>();
  await Promise.all(
    voiceIds.map(async (voiceId) => {
      const description = await stack.client.workflow
        .getHandle(voiceCloneWorkflowId(voiceId))
        .describe()
        .catch(() => undefined);
      const submit = (description?.raw.pendingActivities ?? []).find(
        (activity) =>
          activity.activityType?.name === 'submitVoiceCloneJob' &&
          activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
      );
      if (submit) onWorker.set(voiceId, submit.lastWorkerIdentity ?? '');
    }),
  );
  return onWorker;
}

/**
 * Wait until at least `count` of these clones have their submit activity started on a worker at once (on the
 * worker `identity`, when given): their submits are on their way to ICE or held in it, which is when a kill leaves
 * submits in flight. (The Submitting stage alone comes too early: it is entered before a worker has picked the
 * activity up.) Returns the voices whose submit was started there at that moment.
 */
export async function waitForSubmitsStarted(
  stack: FaultStack,
  voiceIds: readonly string[],
  count: number,
  timeoutMs = 60_000,
  identity?: string,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const started = [...(await startedSubmits(stack, voiceIds))]
      .filter(([, worker]) => identity === undefined || worker === identity)
      .map(([voiceId]) => voiceId);
    if (started.length >= count) return started;
    if (Date.now() > deadline) throw new Error(`never ${count} submits started at once within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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

  // One submit per voice reached ICE's business logic: counted from the call log, since the emulator refuses a
  // second submit of a voice in training, so its job book can never show one.
  const wanted = new Set(options.voiceIds);
  const performedSubmits = new Map<string, number>();
  for (const call of [...(options.earlierCalls ?? []), ...(await stack.emulator.admin.calls())]) {
    if (call.action === 'SubmitCustomizedVoiceJob' && call.performed && wanted.has(call.params.VoiceId)) {
      performedSubmits.set(call.params.VoiceId, (performedSubmits.get(call.params.VoiceId) ?? 0) + 1);
    }
  }
  let duplicateSubmits = 0;
  for (const voiceId of options.voiceIds) {
    const submits = performedSubmits.get(voiceId) ?? 0;
    if (submits > 1) {
      duplicateSubmits++;
      problems.push(`${voiceId}: ${submits} submits reached ICE`);
    } else if (submits === 0) {
      problems.push(`${voiceId}: never submitted`);
    }
  }

  // No secret in any exported history, payloads decoded; the control clone's canary proves the search sees them.
  const secrets = [stack.credentials.accessKeySecret, stack.callbackAuthKey];
  let secretsFound = 0;
  let canaryFound = false;
  for (const voiceId of options.voiceIds) {
    const history = await stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).fetchHistory();
    const text = searchableHistoryText(history);
    for (const secret of secrets) {
      if (text.includes(secret)) {
        secretsFound++;
        problems.push(`${voiceId}: a secret appears in the history`);
      }
    }
    if (voiceId === controlVoiceId(options.voiceIds)) canaryFound = text.includes(stack.canary);
  }
  if (!canaryFound) problems.push(`${controlVoiceId(options.voiceIds)}: the canary in its input was not found`);
  return {
    scenario: options.scenario,
    clones: options.voiceIds.length,
    completedCorrectly,
    duplicateSubmits,
    secretsFound,
    canaryFound,
    seconds: Math.round((Date.now() - options.startedAt) / 100) / 10,
    problems,
  };
}
