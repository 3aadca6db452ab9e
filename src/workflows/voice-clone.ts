/**
 * The clone workflow, for each of ICE's editions (docs/ice-api.md#editions): validate → look the voice up (or
 * create it) → (Basic: verify detection) → submit exactly once (or adopt) → await the training result. Basic looks
 * its voice up by the caller's VoiceId; Standard and CosyVoice by the caller's VoiceName, ICE assigning the VoiceId
 * at submit. The steps live in ./basic-steps.ts, ./named-steps.ts and ./clone-steps.ts; docs/ice-api.md holds the
 * ICE facts they rely on.
 */
import { setHandler } from '@temporalio/workflow';
import { awaitTrainingResult } from './await-training-result';
import { adoptsJob, detectRecordings, lookUpBasicVoice, submitBasicVoice } from './basic-steps';
import { CallbackInbox } from './callback-inbox';
import {
  alreadyTrained,
  clonedVoice,
  cloneFailed,
  lookedUp,
  lookUpSearchAttributes,
  validated,
  type RegisteredSearchAttributes,
} from './clone-steps';
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
import { describeTiming } from './human-duration';
import { lookUpNamedVoice, submitNamedVoiceJob } from './named-steps';
import { VoiceCloneProgress } from './progress';
import { RecordingSession } from './recording-session';
import { validateVoiceCloneInput, type ValidBasicVoiceCloneInput, type ValidNamedVoiceCloneInput } from './validation';
import { declareVersioningBehavior } from './versioning';

/**
 * The clone workflow: validate, look up the voice's ICE job, detect recordings, submit training exactly once (or
 * adopt the job ICE has), then await the result by callback or polling. Run it with workflow ID
 * `voiceCloneWorkflowId(…)`; it fails with a `VoiceCloneFailureTypes` type or ICE's own Code.
 */
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
    const context = { registered: lookUpSearchAttributes(), progress, inbox, session };
    const result =
      valid.edition === 'basic' ? await cloneBasicVoice(valid, context) : await cloneNamedVoice(valid, context);
    // Every running update finishes first (none is left unanswered).
    return await session.finish(result);
  } catch (error) {
    throw await cloneFailed(error, progress, session);
  }
}

// A running clone (a 7-day recording session) moves to the current build at its next task instead of holding its
// old workers: every change must replay its recorded histories (docs/deploys.md#versioning-behaviour).
declareVersioningBehavior('AUTO_UPGRADE', voiceCloneWorkflow);

interface CloneContext {
  registered: RegisteredSearchAttributes;
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
  const found = await lookedUp(lookUpBasicVoice(valid, progress), registered, progress);
  if (found.status === 'Success') return alreadyTrained(found, progress);

  // Training already, or in a state this package does not know (it never submits over one): adopt its job.
  let detection: DetectionResult[] | undefined;
  let jobId = found.jobId;
  if (!adoptsJob(found)) {
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
  const found = await lookedUp(lookUpNamedVoice(valid, progress), registered, progress);
  if (found.job?.status === 'Success') return alreadyTrained(found.job, progress);

  // In PreTraining or Training, or in a state this package does not know (it never submits over one): adopt it.
  const jobId = found.job ? found.job.jobId : await submitNamedVoiceJob(valid, found, progress);

  // ICE may not have told the VoiceId yet: the wait's activity summaries name the voice by its VoiceName.
  const voice = `"${valid.voiceName}"`;
  const result = await awaitTrainingResult({ voiceId: voice, jobId, timing: valid.timing, inbox, progress });
  // Every read told the VoiceId ICE assigned; the last one said Success.
  return { ...result, edition: valid.edition, voiceId: progress.status.voiceId, voiceName: valid.voiceName };
}
