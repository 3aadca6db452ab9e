/** What the recording-session tests share: inputs, recordings, update calls and history counts. */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { RunningEmulator } from '../../src/emulator';
import {
  addRecordingUpdate,
  submitTrainingUpdate,
  type BasicVoiceCloneInput,
  type RecordingAnswer,
  type VoiceCloneInput,
  type VoiceCloneTiming,
  type VoiceRecording,
} from '../../src/workflows/definitions';
import { FAST_TIMING } from './support';

/** A recording session's input: the workflow creates the voice and waits for recordings as updates. */
export function sessionInput(voiceId: string, extra: Partial<BasicVoiceCloneInput> = {}, timing?: VoiceCloneTiming) {
  return {
    voiceId,
    voice: { gender: 'female', scenario: 'story', voiceName: 'Test voice' },
    timing: { ...FAST_TIMING, ...timing },
    ...extra,
  } satisfies VoiceCloneInput;
}

/** Sentence `audioRecordId`'s recording; `failing` adds the emulator's documented "fail-detection" marker. */
export function recordingOf(
  voiceId: string,
  audioRecordId: number,
  options: { failing?: boolean; take?: number } = {},
) {
  const marker = options.failing ? 'fail-detection-' : '';
  const take = options.take ? `-take${options.take}` : '';
  return {
    audioRecordId,
    recordUrl: `https://voices.oss-cn-shanghai.aliyuncs.com/${voiceId}/${marker}${audioRecordId}${take}.wav`,
  } satisfies VoiceRecording;
}

export function addRecording(handle: WorkflowHandle, recording: VoiceRecording): Promise<RecordingAnswer> {
  return handle.executeUpdate(addRecordingUpdate, { args: [recording] });
}

export function submitTraining(handle: WorkflowHandle): Promise<{ jobId: string }> {
  return handle.executeUpdate(submitTrainingUpdate);
}

/** The ApplicationFailure an update failed or was rejected with. */
export async function updateFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => assert.fail('the update should have failed'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(error)}`);
  assert.ok(error.cause instanceof ApplicationFailure, `expected ApplicationFailure, got ${String(error.cause)}`);
  return error.cause;
}

export async function historyEvents(handle: WorkflowHandle): Promise<number> {
  return (await handle.fetchHistory()).events?.length ?? 0;
}

/** Event types of the history, for counting (e.g. WorkflowExecutionUpdateAccepted). */
export async function historyEventTypes(handle: WorkflowHandle): Promise<string[]> {
  const names = temporal.api.enums.v1.EventType;
  return ((await handle.fetchHistory()).events ?? []).map((event) => names[event.eventType ?? 0] ?? 'unknown');
}

/** ICE calls the emulator carried out (reached its business logic) for this voice, by action. */
export async function performedCalls(emulator: RunningEmulator, voiceId: string, action: string): Promise<number> {
  const calls = await emulator.admin.calls();
  return calls.filter((call) => call.performed && call.action === action && call.params.VoiceId === voiceId).length;
}
