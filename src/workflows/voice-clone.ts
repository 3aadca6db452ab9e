/**
 * The clone workflow, for each of ICE's editions (docs/ice-api.md#editions): validate → look the voice up →
 * (Basic: verify detection) → submit exactly once (or adopt) → await the training result. Basic looks its voice up
 * by the caller's VoiceId; Standard and CosyVoice by the caller's VoiceName, ICE assigning the VoiceId at submit.
 * docs/ice-api.md holds the ICE facts it relies on.
 */
import { setHandler } from '@temporalio/workflow';
import type { FoundNamedVoiceJob, VoiceJobSnapshot } from '../activities/types';
import { isKnownVoiceJobStatus } from '../ice/types';
import { awaitTrainingResult } from './await-training-result';
import { CallbackInbox } from './callback-inbox';
import { detectRecordings, lookUpBasicVoice, submitBasicVoice } from './basic-steps';
import {
  addRecordingUpdate,
  awaitSubmittedUpdate,
  demonstrationsUpdate,
  iceCallbackSignal,
  statusQuery,
  submitTrainingUpdate,
  type DetectionResult,
  type VoiceCloneInput,
  type VoiceCloneResult,
} from './definitions';
import { NAMED_EDITIONS, namedSubmit } from './editions';
import { asWorkflowFailure, failureSummary, voiceCloneFailure } from './failures';
import { describeTiming } from './human-duration';
import { iceCalls, iceLookups, temporalLookups } from './ice-activities';
import { VoiceCloneProgress, type ClonedVoice } from './progress';
import { RecordingSession } from './recording-session';
import {
  validateVoiceCloneInput,
  type ValidBasicVoiceCloneInput,
  type ValidNamedVoiceCloneInput,
  type ValidVoiceCloneInput,
  type VoiceCloneInputValidation,
} from './validation';

export async function voiceCloneWorkflow(input: VoiceCloneInput): Promise<VoiceCloneResult> {
  const voice = clonedVoice(input);
  const progress = new VoiceCloneProgress(voice);
  const inbox = new CallbackInbox(voice.voiceId, (received, coalesced) =>
    progress.callbacksReceived(received, coalesced),
  );
  const validation = validateVoiceCloneInput(input);
  const session = new RecordingSession(validation, progress);
  if (validation.ok) {
    progress.timingKnown(describeTiming(validation.value.timing, { recordingSession: session.holdsRecordings }));
  }

  // Every handler is set here, before the first await: an Update-with-Start's update finds them.
  setHandler(statusQuery, () => ({ ...progress.status, detection: [...progress.status.detection] }));
  setHandler(iceCallbackSignal, (payload) => inbox.receive(payload));
  setHandler(demonstrationsUpdate, () => session.freshDemonstrations(), {
    validator: () => session.validateDemonstrations(),
    description: "The scenario's sentences to record; re-read from ICE when the copy is older than 11 hours.",
  });
  setHandler(addRecordingUpdate, (recording) => session.addRecording(recording), {
    validator: (recording) => session.validateAddRecording(recording),
    description: 'Runs ICE audio detection on one recording and answers { audioRecordId, pass, reason }.',
  });
  setHandler(submitTrainingUpdate, () => session.submitTraining(), {
    validator: () => session.validateSubmitTraining(),
    description: 'Submits training once (a second call answers the same JobId); answers { jobId }.',
  });
  setHandler(awaitSubmittedUpdate, () => session.awaitSubmitted(), {
    description: 'Answers { jobId, detection } as soon as ICE has the job, or fails with the clone failure.',
  });

  try {
    const valid = validated(validation);
    const registered = lookUpSearchAttributes();
    const context = { registered, progress, inbox, session };
    const result =
      valid.edition === 'basic' ? await cloneBasicVoice(valid, context) : await cloneNamedVoice(valid, context);
    // Every running update finishes first (none is left unanswered).
    return await session.finish(result);
  } catch (error) {
    const failure = asWorkflowFailure(error);
    const { type, message } = failureSummary(failure);
    progress.failed(type, message);
    await session.end(failure);
    throw failure;
  }
}

/**
 * Which search attributes the namespace has. It goes out with the voice lookup, in the same workflow task (the
 * lookup is the first thing either clone does): one round trip instead of two.
 */
function lookUpSearchAttributes(): ReturnType<typeof temporalLookups.listRegisteredSearchAttributes> {
  return temporalLookups.listRegisteredSearchAttributes.executeWithOptions(
    { summary: 'Temporal ListSearchAttributes (which search attributes this namespace has)' },
    [],
  );
}

interface CloneContext {
  registered: ReturnType<typeof temporalLookups.listRegisteredSearchAttributes>;
  progress: VoiceCloneProgress;
  inbox: CallbackInbox;
  /** Basic only: the recording session (its updates are refused for the other editions). */
  session: RecordingSession;
}

/** Basic: the caller created the voice under its VoiceId and ICE detects its recordings before the submit. */
async function cloneBasicVoice(
  valid: ValidBasicVoiceCloneInput,
  { registered, progress, inbox, session }: CloneContext,
): Promise<VoiceCloneResult> {
  // Look first: a voice already trained or training has passed detection, and ICE refuses to detect it again.
  const lookup = lookUpBasicVoice(valid, progress);
  lookup.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
  progress.useSearchAttributes(await registered);
  const found = await lookup;
  if (found.status === 'Success') return alreadyTrained(found, progress);

  let detection: DetectionResult[] | undefined;
  let jobId: string;
  if (found.status === 'PreTraining' || found.status === 'Training' || !isKnownVoiceJobStatus(found.status)) {
    // Already training, or in a state this package does not know (it never submits over one): adopt it and wait.
    jobId = found.jobId;
  } else {
    if (valid.recordings) detection = await detectRecordings(valid.voiceId, valid.recordings, progress);
    else if (session.holdsRecordings) detection = await session.collectRecordings(found);
    jobId = await submitBasicVoice(valid, found, progress);
  }
  session.jobAccepted(jobId, detection);

  const result = await awaitTrainingResult({ voiceId: valid.voiceId, jobId, timing: valid.timing, inbox, progress });
  return { ...result, edition: 'basic', ...(detection && { detection }) };
}

/**
 * Standard and CosyVoice: one submit makes the voice and its job, and every submit is billed, VoiceName or not.
 * The VoiceName is looked up first, so that a clone started again (after a crash, or twice) adopts its job.
 */
async function cloneNamedVoice(
  valid: ValidNamedVoiceCloneInput,
  { registered, progress, inbox }: CloneContext,
): Promise<VoiceCloneResult> {
  const lookup = lookUpNamedVoice(valid, progress);
  lookup.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
  progress.useSearchAttributes(await registered);
  const found = await lookup;
  if (found.job?.status === 'Success') return alreadyTrained(found.job, progress);

  // In PreTraining or Training, or in a state this package does not know (it never submits over one): adopt it.
  const jobId = found.job ? found.job.jobId : await submitNamedVoiceJob(valid, found, progress);
  inbox.voiceKnown(progress.status.voiceId);

  const result = await awaitTrainingResult({
    voiceId: `"${valid.voiceName}"`,
    jobId,
    timing: valid.timing,
    inbox,
    progress,
  });
  // Every read told the VoiceId ICE assigned; the last one said Success.
  return { ...result, edition: valid.edition, voiceId: progress.status.voiceId, voiceName: valid.voiceName };
}

/** What the status shows before validation: whatever the input names, '' where it names nothing usable. */
function clonedVoice(input: VoiceCloneInput): ClonedVoice {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  if (raw.edition === 'standard' || raw.edition === 'cosyvoice') {
    return { edition: raw.edition, voiceId: '', voiceName: text(raw.voiceName) };
  }
  return { edition: 'basic', voiceId: text(raw.voiceId) };
}

function validated(validation: VoiceCloneInputValidation): ValidVoiceCloneInput {
  if (!validation.ok) {
    throw voiceCloneFailure('InvalidInput', validation.message, { field: validation.field, rule: validation.rule });
  }
  return validation.value;
}

/**
 * This VoiceName's job to adopt (PreTraining, Training, Success or a status unknown here), and every job of the
 * name the lookup saw (a Fail job does not block a new submit, and none of them is one of this clone's submits).
 */
async function lookUpNamedVoice(
  valid: ValidNamedVoiceCloneInput,
  progress: VoiceCloneProgress,
): Promise<FoundNamedVoiceJob> {
  progress.enter('LookingUpVoice');
  const found = await iceLookups.findNamedVoiceJob.executeWithOptions(
    { summary: `ListCustomizedVoiceJobs ${valid.edition} voiceName="${valid.voiceName}"` },
    [{ edition: valid.edition, voiceName: valid.voiceName }],
  );
  if (found.job) {
    progress.jobKnown(found.job.jobId);
    progress.iceStatusRead(found.job);
  }
  return found;
}

async function submitNamedVoiceJob(
  valid: ValidNamedVoiceCloneInput,
  found: FoundNamedVoiceJob,
  progress: VoiceCloneProgress,
): Promise<string> {
  progress.enter('Submitting');
  const submitted = await iceCalls.submitNamedVoiceJob.executeWithOptions(
    { summary: `${NAMED_EDITIONS[valid.edition].submitOperation} voiceName="${valid.voiceName}"` },
    // Workflow time: the moment is recorded with the input, so a retry's lookup window is the same on replay.
    [{ submit: namedSubmit(valid), decidedAt: new Date().toISOString(), seenJobIds: found.seenJobIds }],
  );
  progress.jobKnown(submitted.jobId);
  progress.iceStatusRead({ status: submitted.status, readAt: submitted.readAt, voiceId: submitted.voiceId });
  return submitted.jobId;
}

function alreadyTrained(job: VoiceJobSnapshot, progress: VoiceCloneProgress): VoiceCloneResult {
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
