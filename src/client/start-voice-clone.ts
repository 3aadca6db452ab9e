/**
 * Starting a clone from any Temporal client: validates first (no call is made for a bad input), then starts one
 * workflow per voice (`voice-clone-<voiceId>` for Basic, `voice-clone-<edition>-<voiceName>` for Standard and
 * CosyVoice) with ID-conflict policy USE_EXISTING, so starting the same voice twice attaches to the running clone
 * instead of paying twice.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DEFAULT_TASK_QUEUE } from '../config';
import {
  searchAttributes,
  VOICE_CLONE_WORKFLOW_TYPE,
  voiceCloneWorkflowId,
  type VoiceCloneInput,
} from '../workflows/definitions';
import { describeEditionStart } from '../workflows/editions';
import { validateVoiceCloneInput, type ValidVoiceCloneInput } from '../workflows/validation';
import type { voiceCloneWorkflow } from '../workflows/voice-clone';
import { describeTiming } from '../workflows/human-duration';
import {
  startVoiceCloneUntilSubmitted,
  type SubmittedVoiceCloneHandle,
  type VoiceCloneStartOptions,
} from './start-voice-clone-with-updates';

/** The handle of the (new or already running) clone; `firstExecutionRunId` tells which run it attached to. */
export type VoiceCloneHandle = WorkflowHandleWithFirstExecutionRunId<typeof voiceCloneWorkflow>;

/**
 * Thrown by `startVoiceClone` and `startRecordingSession` before any call for an input that fails
 * validation; `field` names the input field and `rule` what it must be.
 */
export class InvalidVoiceCloneInputError extends Error {
  override readonly name = 'InvalidVoiceCloneInputError';
  readonly code = 'InvalidInput';
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }
}

/** Options of `startVoiceClone`. */
export interface StartVoiceCloneOptions {
  /** Default: `voice-clone` (DEFAULT_TASK_QUEUE); the CLI passes loadTaskQueue(env). */
  taskQueue?: string;
  /**
   * `started` (default): return once the workflow runs. `submitted`: one Update-with-Start call that returns when
   * ICE has the training job (`awaitSubmitted`), or fails with the clone's typed failure.
   */
  waitFor?: 'started' | 'submitted';
}

/**
 * Starts the clone of one voice, or attaches to the one already running (one workflow per voice, ID from
 * `voiceCloneWorkflowId`), and resolves once ICE has its training job; rejects with `WorkflowUpdateFailedError`
 * carrying the clone's typed failure. Throws `InvalidVoiceCloneInputError` before any call for a bad input.
 */
export async function startVoiceClone(
  client: Client,
  input: VoiceCloneInput,
  options: StartVoiceCloneOptions & { waitFor: 'submitted' },
): Promise<SubmittedVoiceCloneHandle>;
/**
 * Starts the clone of one voice, or attaches to the one already running (one workflow per voice, ID from
 * `voiceCloneWorkflowId`), and resolves once the workflow runs: `handle.result()` waits for the trained voice.
 * Throws `InvalidVoiceCloneInputError` before any call for a bad input.
 */
export async function startVoiceClone(
  client: Client,
  input: VoiceCloneInput,
  options?: StartVoiceCloneOptions,
): Promise<VoiceCloneHandle>;
export async function startVoiceClone(
  client: Client,
  input: VoiceCloneInput,
  options: StartVoiceCloneOptions = {},
): Promise<VoiceCloneHandle | SubmittedVoiceCloneHandle> {
  const startOptions = await voiceCloneStartOptions(client, input, options);
  if (options.waitFor === 'submitted') return startVoiceCloneUntilSubmitted(client, startOptions);
  return client.workflow.start<typeof voiceCloneWorkflow>(VOICE_CLONE_WORKFLOW_TYPE, startOptions);
}

/** The workflow start of `input` (validated first: InvalidVoiceCloneInputError, before any call but one lookup). */
export async function voiceCloneStartOptions(
  client: Client,
  input: VoiceCloneInput,
  options: Pick<StartVoiceCloneOptions, 'taskQueue'> = {},
): Promise<VoiceCloneStartOptions> {
  const validation = validateVoiceCloneInput(input);
  if (!validation.ok) throw new InvalidVoiceCloneInputError(validation.field, validation.rule);
  const valid = validation.value;
  const described = describeStart(valid);
  // A Standard or CosyVoice voice has no VoiceId before ICE assigns one: the workflow sets IceVoiceId then.
  const voiceIdRegistered = valid.edition === 'basic' && (await isRegistered(client, searchAttributes.iceVoiceId.name));
  return {
    workflowId: voiceCloneWorkflowId(valid),
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: described.summary,
    staticDetails: described.details,
    ...(voiceIdRegistered && valid.edition === 'basic'
      ? { typedSearchAttributes: [{ key: searchAttributes.iceVoiceId, value: valid.voiceId }] }
      : {}),
  };
}

/** The Web UI's one line and its details: the edition's own (./editions.ts), then the demo clip and the timing. */
function describeStart(valid: ValidVoiceCloneInput): { summary: string; details: string } {
  const { summary, lines } = describeEditionStart(valid);
  const session = valid.edition === 'basic' && valid.voice !== undefined && !valid.recordings;
  const details = [
    ...lines,
    `- Demo clip: ${valid.demoAudioMediaUrl ? 'requested' : 'not requested'}`,
    `- Timing: ${describeTiming(valid.timing, { recordingSession: session })}`,
  ];
  return { summary, details: details.join('\n') };
}

const registeredByClient = new WeakMap<Client, Promise<Set<string>>>();

/**
 * Starting with an unregistered search attribute is rejected by the server, so the initial IceVoiceId is only set
 * when the namespace has it (asked once per client; any error means "leave it to the workflow").
 */
async function isRegistered(client: Client, name: string): Promise<boolean> {
  let registered = registeredByClient.get(client);
  if (!registered) {
    registered = client.connection.operatorService.listSearchAttributes({ namespace: client.options.namespace }).then(
      (response) =>
        new Set(
          Object.entries(response.customAttributes ?? {})
            .filter(([, type]) => type === temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
            .map(([key]) => key),
        ),
      () => new Set<string>(),
    );
    registeredByClient.set(client, registered);
  }
  return (await registered).has(name);
}
