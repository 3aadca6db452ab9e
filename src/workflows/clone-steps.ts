/**
 * The steps every edition's clone takes around its ICE steps (./basic-steps.ts, ./named-steps.ts): what the status
 * shows before validation, the input validated once, which search attributes the namespace has (asked alongside the
 * voice lookup), a voice found already trained, and a clone that failed.
 */
import type { VoiceJobSnapshot } from '../activities/types';
import type { SearchAttributePlan, VoiceCloneInput, VoiceCloneResult } from './definitions';
import { isNamedEdition } from './editions';
import { asWorkflowFailure, failureSummary, voiceCloneFailure } from './failures';
import { temporalLookups } from './ice-activities';
import type { ClonedVoice, VoiceCloneProgress } from './progress';
import type { RecordingSession } from './recording-session';
import type { ValidVoiceCloneInput, VoiceCloneInputValidation } from './validation';

/** What the status shows before validation: whatever the input names, '' where it names nothing usable. */
export function clonedVoice(input: VoiceCloneInput): ClonedVoice {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  if (isNamedEdition(raw.edition)) return { edition: raw.edition, voiceId: '', voiceName: text(raw.voiceName) };
  return { edition: 'basic', voiceId: text(raw.voiceId) };
}

/** The input as validated once; fails the clone with a non-retryable `InvalidInput` before any ICE call. */
export function validated(validation: VoiceCloneInputValidation): ValidVoiceCloneInput {
  if (!validation.ok) {
    throw voiceCloneFailure('InvalidInput', validation.message, { field: validation.field, rule: validation.rule });
  }
  return validation.value;
}

/** The worker's answer: a plan, or a bare list of names (the form older histories carry). */
export type RegisteredSearchAttributes = Promise<SearchAttributePlan | readonly string[]>;

/**
 * Which search attributes the namespace has. It goes out with the voice lookup, in the same workflow task (the
 * lookup is the first thing every clone does): one round trip instead of two.
 */
export function lookUpSearchAttributes(): RegisteredSearchAttributes {
  return temporalLookups.listRegisteredSearchAttributes.executeWithOptions(
    { summary: 'Temporal ListSearchAttributes (which search attributes this namespace has)' },
    [],
  );
}

/** The voice lookup already under way, its answer taken once the status knows which search attributes to set. */
export async function lookedUp<T>(
  lookup: Promise<T>,
  registered: RegisteredSearchAttributes,
  progress: VoiceCloneProgress,
): Promise<T> {
  lookup.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
  progress.useSearchAttributes(await registered);
  return await lookup;
}

/** The lookup found the voice trained: the result, without a submit or a wait. */
export function alreadyTrained(job: VoiceJobSnapshot, progress: VoiceCloneProgress): VoiceCloneResult {
  progress.enter('Succeeded');
  const { edition, voiceName } = progress.status;
  return {
    edition,
    ...(voiceName !== undefined && { voiceName }),
    voiceId: job.voiceId,
    jobId: job.jobId,
    status: 'Success',
    message: job.message,
    completedVia: 'already-trained',
    statusChecks: 0,
  };
}

/** The clone failed: the status shows why, waiting updates get the failure; answers what the workflow throws. */
export async function cloneFailed(
  error: unknown,
  progress: VoiceCloneProgress,
  session: RecordingSession,
): Promise<unknown> {
  const failure = asWorkflowFailure(error);
  const { type, message } = failureSummary(failure);
  progress.failed(type, message);
  await session.end(failure);
  return failure;
}
