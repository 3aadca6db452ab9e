/**
 * Starting many clones on a fault stack, and the checks every scenario ends with. A scenario's clones mix the three
 * editions (Basic, Standard, CosyVoice in turn), so that every fault hits each edition and every check holds per
 * edition. CosyVoice stays under its 30-voice quota: each scenario has its own emulator and a third of 30 clones.
 */
import { temporal } from '@temporalio/proto';
import type { EmulatedEdition, EmulatedVoiceJob, OperationFaults, RecordedCall } from '../../../src/emulator';
import { COSYVOICE_MODELS, type IceAction } from '../../../src/ice/types';
import { startVoiceClone } from '../../../src/client/start-voice-clone';
import type {
  CompletedVia,
  VoiceCloneEdition,
  VoiceCloneInput,
  VoiceCloneResult,
  VoiceCloneTiming,
} from '../../../src/workflows/definitions';
import { statusQuery, VOICE_CLONE_EDITIONS, voiceCloneWorkflowId } from '../../../src/workflows/definitions';
import { FAULT_TASK_QUEUE, type FaultStack } from './fault-stack';
import { searchableHistoryText } from './history-search';

/** One clone of a scenario: Basic is named by the caller's VoiceId, Standard and CosyVoice by their VoiceName. */
export interface FaultClone {
  edition: VoiceCloneEdition;
  /** Basic: the VoiceId; Standard and CosyVoice: the VoiceName (ICE assigns the VoiceId at submit). */
  name: string;
  workflowId: string;
}

/** What one edition's clones of a scenario came to. */
export interface EditionOutcome {
  clones: number;
  completedCorrectly: number;
  duplicateSubmits: number;
  secretsFound: number;
  canaryFound: boolean;
}

export interface ScenarioOutcome {
  scenario: string;
  clones: number;
  completedCorrectly: number;
  /** Voices with more than one submit that reached the emulator's business logic (call log, `performed`). */
  duplicateSubmits: number;
  secretsFound: number;
  /** The search found the canary planted in each edition's control clone (if not, it cannot see a secret either). */
  canaryFound: boolean;
  /** The same counts per edition. */
  byEdition: Record<VoiceCloneEdition, EditionOutcome>;
  seconds: number;
  /** Why clones were not correct, first few. */
  problems: string[];
}

/** The emulator's name of each edition (a job's `edition` in its admin API). */
const EMULATED_EDITION: Record<VoiceCloneEdition, EmulatedEdition> = {
  basic: 'Basic',
  standard: 'Standard',
  cosyvoice: 'CosyVoice',
};

/** The submit operation of each edition; its performed calls are what ICE bills. */
export const SUBMIT_ACTION: Record<VoiceCloneEdition, IceAction> = {
  basic: 'SubmitCustomizedVoiceJob',
  standard: 'SubmitStandardCustomizedVoiceJob',
  cosyvoice: 'SubmitCosyVoiceCustomizedVoiceJob',
};

/** The same fault on every edition's submit operation. */
export function onEverySubmit(faults: OperationFaults): Partial<Record<IceAction, OperationFaults>> {
  return Object.fromEntries(VOICE_CLONE_EDITIONS.map((edition) => [SUBMIT_ACTION[edition], faults]));
}

/** The submit activity each edition's workflow runs (src/activities/index.ts). */
export const SUBMIT_ACTIVITY: Record<VoiceCloneEdition, string> = {
  basic: 'submitVoiceCloneJob',
  standard: 'submitNamedVoiceJob',
  cosyvoice: 'submitNamedVoiceJob',
};

/** `count` clones, the editions in turn (Basic, Standard, CosyVoice, Basic, …), so every batch mixes them. */
export function faultClones(prefix: string, count: number): FaultClone[] {
  return Array.from({ length: count }, (_, index) => {
    const edition = VOICE_CLONE_EDITIONS[index % VOICE_CLONE_EDITIONS.length];
    const number = String(index).padStart(3, '0');
    if (edition === 'basic') {
      const name = `${prefix}${number}`;
      return { edition, name, workflowId: voiceCloneWorkflowId(name) };
    }
    // A VoiceName is at most 32 characters (docs/ice-api.md#editions); the longest prefix here leaves room.
    const name = `${prefix} ${edition === 'standard' ? 'S' : 'C'}${number}`;
    return { edition, name, workflowId: voiceCloneWorkflowId({ edition, voiceName: name }) };
  });
}

export function clonesOf(clones: readonly FaultClone[], edition: VoiceCloneEdition): FaultClone[] {
  return clones.filter((clone) => clone.edition === edition);
}

/** This call is a performed submit of this clone: Basic's by VoiceId, Standard's and CosyVoice's by VoiceName. */
export function isPerformedSubmitOf(call: RecordedCall, clone: FaultClone): boolean {
  if (call.action !== SUBMIT_ACTION[clone.edition] || !call.performed) return false;
  return (clone.edition === 'basic' ? call.params.VoiceId : call.params.VoiceName) === clone.name;
}

/** The emulator job is this clone's (its edition and its VoiceId or VoiceName). */
export function isJobOf(job: EmulatedVoiceJob, clone: FaultClone): boolean {
  if (job.edition !== EMULATED_EDITION[clone.edition]) return false;
  return (clone.edition === 'basic' ? job.voiceId : job.voiceName) === clone.name;
}

/** Each clone's submitted job in the emulator (the first one, when a clone has more), by workflow ID. */
export async function submittedJobs(
  stack: FaultStack,
  clones: readonly FaultClone[],
): Promise<Map<string, EmulatedVoiceJob>> {
  const jobs = (await stack.emulator.admin.jobs()).filter((job) => job.submitCount > 0);
  const byClone = new Map<string, EmulatedVoiceJob>();
  for (const clone of clones) {
    const job = jobs.find((candidate) => isJobOf(candidate, clone));
    if (job) byClone.set(clone.workflowId, job);
  }
  return byClone;
}

async function inBatches<T>(items: readonly T[], size: number, task: (item: T) => Promise<unknown>): Promise<void> {
  for (let offset = 0; offset < items.length; offset += size)
    await Promise.all(items.slice(offset, offset + size).map(task));
}

/**
 * The control clones: each edition's first, whose demoAudioMediaUrl carries the stack's canary. They run like every
 * other clone; their histories must show the canary to the same search that must not find a secret.
 */
export function controlClones(clones: readonly FaultClone[]): FaultClone[] {
  return VOICE_CLONE_EDITIONS.flatMap((edition) => clonesOf(clones, edition).slice(0, 1));
}

function cloneInput(clone: FaultClone, index: number, timing: VoiceCloneTiming, canary?: string): VoiceCloneInput {
  const media = `https://faults.oss-cn-shanghai.aliyuncs.com/${encodeURIComponent(clone.name)}`;
  const demo = canary ? { demoAudioMediaUrl: `${media}/${canary}.wav` } : {};
  const id = clone.name.replace(/\s/g, '-');
  switch (clone.edition) {
    case 'basic':
      return {
        voiceId: clone.name,
        recordings: [
          { audioRecordId: 1, recordUrl: `${media}/1.wav` },
          { audioRecordId: 2, recordUrl: `${media}/2.wav` },
        ],
        ...demo,
        timing,
      };
    case 'standard':
      return {
        edition: 'standard',
        voiceName: clone.name,
        gender: 'female',
        authenticationMediaId: `auth-${id}`,
        audioMediaIds: [`audio-${id}-1`, `audio-${id}-2`, `audio-${id}-3`],
        ...demo,
        timing,
      };
    case 'cosyvoice':
      return {
        edition: 'cosyvoice',
        voiceName: clone.name,
        gender: 'male',
        audioMediaId: `audio-${id}`,
        // Every model in turn: the emulator checks each against ICE's list.
        model: COSYVOICE_MODELS[index % COSYVOICE_MODELS.length],
        ...demo,
        timing,
      };
  }
}

/** Create the Basic voices in ICE (setup, as a user does before cloning), then start one clone per voice. */
export async function startClones(
  stack: FaultStack,
  clones: readonly FaultClone[],
  timing: VoiceCloneTiming,
  beforeStart?: () => Promise<void>,
): Promise<void> {
  await inBatches(clonesOf(clones, 'basic'), 10, (clone) =>
    stack.ice.createCustomizedVoiceJob({ voiceId: clone.name, gender: 'male', scenario: 'interaction' }),
  );
  // Faults go on after the setup calls, so that they hit only what the package does.
  await beforeStart?.();
  const controls = new Set(controlClones(clones));
  await inBatches(
    clones.map((clone, index) => ({ clone, index })),
    10,
    ({ clone, index }) =>
      startVoiceClone(stack.client, cloneInput(clone, index, timing, controls.has(clone) ? stack.canary : undefined), {
        taskQueue: FAULT_TASK_QUEUE,
      }),
  );
}

/** Wait until at least `count` of these clones have a submitted job in the emulator. */
export async function waitForSubmitted(
  stack: FaultStack,
  clones: readonly FaultClone[],
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const submitted = (await submittedJobs(stack, clones)).size;
    if (submitted >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${submitted}/${count} clones submitted after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The clones whose submit activity is started on a worker right now (describe's pending activities), by worker. */
export async function startedSubmits(
  stack: FaultStack,
  clones: readonly FaultClone[],
): Promise<Map<FaultClone, string>> {
  const onWorker = new Map<FaultClone, string>();
  await Promise.all(
    clones.map(async (clone) => {
      const description = await stack.client.workflow
        .getHandle(clone.workflowId)
        .describe()
        .catch(() => undefined);
      const submit = (description?.raw.pendingActivities ?? []).find(
        (activity) =>
          activity.activityType?.name === SUBMIT_ACTIVITY[clone.edition] &&
          activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
      );
      if (submit) onWorker.set(clone, submit.lastWorkerIdentity ?? '');
    }),
  );
  return onWorker;
}

export interface SubmitsStartedOptions {
  /** Default 60 s. */
  timeoutMs?: number;
  /** Only submits started on this worker count. */
  identity?: string;
  /** At least this many of them of every edition (Basic's submits come later: detection runs first). */
  perEdition?: number;
}

/**
 * Wait until at least `count` of these clones have their submit activity started on a worker at once (on the
 * worker `identity`, when given): their submits are on their way to ICE or held in it, which is when a kill leaves
 * submits in flight. (The Submitting stage alone comes too early: it is entered before a worker has picked the
 * activity up.) Returns the clones whose submit was started there at that moment.
 */
export async function waitForSubmitsStarted(
  stack: FaultStack,
  clones: readonly FaultClone[],
  count: number,
  { timeoutMs = 60_000, identity, perEdition = 0 }: SubmitsStartedOptions = {},
): Promise<FaultClone[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const started = [...(await startedSubmits(stack, clones))]
      .filter(([, worker]) => identity === undefined || worker === identity)
      .map(([clone]) => clone);
    const everyEdition = VOICE_CLONE_EDITIONS.every(
      (edition) => started.filter((clone) => clone.edition === edition).length >= perEdition,
    );
    if (started.length >= count && everyEdition) return started;
    if (Date.now() > deadline) throw new Error(`never ${count} submits started at once within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: Error }).cause;
  return `${(error as Error).message}${cause ? ` (${cause.message})` : ''}`;
}

/** Where a clone that did not end right is stuck: execution status and the workflow's own stage. */
async function diagnose(stack: FaultStack, clone: FaultClone): Promise<string> {
  const handle = stack.client.workflow.getHandle(clone.workflowId);
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return `status ${description.status.name}`;
    const status = await handle.query(statusQuery);
    return `running, stage ${status.stage}, ICE status ${status.lastIceStatus ?? '-'}, callbacks ${status.callbacksReceived}, checks ${status.statusChecks}`;
  } catch (error) {
    return `not diagnosed: ${(error as Error).message}`;
  }
}

/** The result is this clone's: Success, via an expected path, of its edition, with the VoiceId ICE has for it. */
function resultProblem(
  clone: FaultClone,
  result: VoiceCloneResult,
  job: EmulatedVoiceJob | undefined,
  expectVia: readonly CompletedVia[],
): string | undefined {
  if (result.status !== 'Success' || !expectVia.includes(result.completedVia))
    return `${result.status} via ${result.completedVia}`;
  if (result.edition !== clone.edition) return `result of edition ${result.edition}`;
  if (clone.edition === 'basic') return result.voiceId === clone.name ? undefined : `VoiceId ${result.voiceId}`;
  if (result.voiceName !== clone.name) return `VoiceName ${result.voiceName ?? '-'}`;
  if (!job || result.voiceId !== job.voiceId || result.jobId !== job.jobId)
    return `VoiceId ${result.voiceId} / JobId ${result.jobId}, ICE has ${job ? `${job.voiceId} / ${job.jobId}` : 'no job'}`;
  return undefined;
}

export interface VerifyOptions {
  scenario: string;
  startedAt: number;
  clones: readonly FaultClone[];
  expectVia: readonly CompletedVia[];
  /** ICE calls recorded by emulators that were restarted during the scenario. */
  earlierCalls?: readonly RecordedCall[];
  timeoutMs?: number;
}

function emptyEditionOutcome(clones: number): EditionOutcome {
  return { clones, completedCorrectly: 0, duplicateSubmits: 0, secretsFound: 0, canaryFound: false };
}

export async function verifyScenario(stack: FaultStack, options: VerifyOptions): Promise<ScenarioOutcome> {
  const problems: string[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const byEdition = Object.fromEntries(
    VOICE_CLONE_EDITIONS.map((edition) => [edition, emptyEditionOutcome(clonesOf(options.clones, edition).length)]),
  ) as Record<VoiceCloneEdition, EditionOutcome>;
  const results = new Map<FaultClone, VoiceCloneResult>();
  await Promise.all(
    options.clones.map(async (clone) => {
      const handle = stack.client.workflow.getHandle(clone.workflowId);
      // Abort the long poll itself at the deadline, so that nothing keeps retrying on a closed connection.
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new Error('no result before the scenario deadline')),
        deadline - Date.now(),
      );
      try {
        results.set(
          clone,
          (await stack.client.withAbortSignal(controller.signal, () => handle.result())) as VoiceCloneResult,
        );
      } catch (error) {
        problems.push(`${clone.name}: ${describeError(error)}; ${await diagnose(stack, clone)}`);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  // A Standard or CosyVoice result names the VoiceId and JobId ICE assigned: they must be its job's.
  const jobs = await submittedJobs(stack, options.clones);
  for (const [clone, result] of results) {
    const problem = resultProblem(clone, result, jobs.get(clone.workflowId), options.expectVia);
    if (problem === undefined) byEdition[clone.edition].completedCorrectly++;
    else problems.push(`${clone.name}: ${problem}`);
  }

  // One submit per voice reached ICE's business logic, counted from the call log (Basic by VoiceId, Standard and
  // CosyVoice by VoiceName): the emulator refuses a second Basic submit of a voice in training, so its job book
  // can never show one, and a second Standard or CosyVoice submit of a name is a second billed job.
  const calls = [...(options.earlierCalls ?? []), ...(await stack.emulator.admin.calls())];
  for (const clone of options.clones) {
    const submits = calls.filter((call) => isPerformedSubmitOf(call, clone)).length;
    if (submits > 1) {
      byEdition[clone.edition].duplicateSubmits++;
      problems.push(`${clone.name}: ${submits} submits reached ICE`);
    } else if (submits === 0) {
      problems.push(`${clone.name}: never submitted`);
    }
  }

  // No secret in any exported history, payloads decoded; the control clones' canary proves the search sees them.
  const secrets = [stack.credentials.accessKeySecret, stack.callbackAuthKey];
  const controls = new Set(controlClones(options.clones));
  for (const clone of options.clones) {
    const history = await stack.client.workflow.getHandle(clone.workflowId).fetchHistory();
    const text = searchableHistoryText(history);
    for (const secret of secrets) {
      if (text.includes(secret)) {
        byEdition[clone.edition].secretsFound++;
        problems.push(`${clone.name}: a secret appears in the history`);
      }
    }
    if (controls.has(clone)) {
      byEdition[clone.edition].canaryFound = text.includes(stack.canary);
      if (!byEdition[clone.edition].canaryFound) problems.push(`${clone.name}: the canary in its input was not found`);
    }
  }
  const editions = Object.values(byEdition).filter((edition) => edition.clones > 0);
  const sum = (count: (edition: EditionOutcome) => number): number =>
    editions.reduce((total, edition) => total + count(edition), 0);
  return {
    scenario: options.scenario,
    clones: options.clones.length,
    completedCorrectly: sum((edition) => edition.completedCorrectly),
    duplicateSubmits: sum((edition) => edition.duplicateSubmits),
    secretsFound: sum((edition) => edition.secretsFound),
    canaryFound: editions.every((edition) => edition.canaryFound),
    byEdition,
    seconds: Math.round((Date.now() - options.startedAt) / 100) / 10,
    problems,
  };
}
