/**
 * The clone workflow: validate → look the voice up → verify detection → submit exactly once (or adopt) → await
 * the training result. See ../../../shared/ice-voice-clone-api.md for the ICE flow it drives.
 */
import { setHandler } from '@temporalio/workflow';
import type { VoiceJobSnapshot } from '../activities/types';
import { isKnownVoiceJobStatus } from '../ice/types';
import { awaitTrainingResult } from './await-training-result';
import { CallbackInbox } from './callback-inbox';
import { lookUpOrCreateVoice } from './create-voice';
import {
  iceCallbackSignal,
  statusQuery,
  type DetectionResult,
  type VoiceCloneInput,
  type VoiceCloneResult,
} from './definitions';
import { asWorkflowFailure, failureSummary, voiceCloneFailure } from './failures';
import { iceCalls, iceLookups, iceReads, summary, temporalLookups } from './ice-activities';
import { VoiceCloneProgress } from './progress';
import { RecordingSession } from './recording-session';
import { validateVoiceCloneInput, type ValidVoiceCloneInput } from './validation';
import { assertDetectionPassed, verifyDetection } from './verify-detection';

export async function voiceCloneWorkflow(input: VoiceCloneInput): Promise<VoiceCloneResult> {
  const voiceId = typeof input?.voiceId === 'string' ? input.voiceId : '';
  const progress = new VoiceCloneProgress(voiceId);
  const inbox = new CallbackInbox(voiceId);
  setHandler(statusQuery, () => ({ ...progress.status, detection: [...progress.status.detection] }));
  setHandler(iceCallbackSignal, (payload) => {
    inbox.receive(payload);
    progress.callbacksReceived(inbox.received);
  });
  // Its update handlers are set here, before the first await: an Update-with-Start's update finds them.
  const session = new RecordingSession(input, progress);

  try {
    const valid = validated(input);
    // Both local activities go out in the same workflow task: one round trip instead of two.
    const registered = temporalLookups.listRegisteredSearchAttributes.executeWithOptions(
      { summary: 'Temporal ListSearchAttributes (which search attributes this namespace has)' },
      [],
    );
    // Look first: a voice already trained or training has passed detection, and ICE refuses to detect it again.
    const lookup = valid.voice
      ? lookUpOrCreateVoice(valid, progress, { readGivenJob, findVoiceJob })
      : lookUpVoice(valid, progress);
    lookup.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    progress.useSearchAttributes(await registered);
    const found = await lookup;
    if (found.status === 'Success') return await session.finish(alreadyTrained(found, progress));

    let detection: DetectionResult[] | undefined;
    let jobId: string;
    if (found.status === 'PreTraining' || found.status === 'Training' || !isKnownVoiceJobStatus(found.status)) {
      // Already training, or in a state this package does not know (it never submits over one): adopt it and wait.
      jobId = found.jobId;
    } else {
      if (valid.recordings) {
        progress.enter('DetectingAudio');
        detection = await verifyDetection(valid.voiceId, valid.recordings);
        progress.detected(detection);
        assertDetectionPassed(valid.voiceId, detection);
      } else if (session.holdsRecordings) {
        detection = await session.collectRecordings(found);
      }
      jobId = await submitVoiceCloneJob(valid, found, progress);
    }
    session.jobAccepted(jobId, detection);

    const result = await awaitTrainingResult({ voiceId: valid.voiceId, jobId, timing: valid.timing, inbox, progress });
    return await session.finish(detection ? { ...result, detection } : result);
  } catch (error) {
    const failure = asWorkflowFailure(error);
    const { type, message } = failureSummary(failure);
    progress.failed(type, message);
    await session.end(failure);
    throw failure;
  }
}

function validated(input: unknown): ValidVoiceCloneInput {
  const validation = validateVoiceCloneInput(input);
  if (!validation.ok) {
    throw voiceCloneFailure('InvalidInput', validation.message, { field: validation.field, rule: validation.rule });
  }
  return validation.value;
}

/** The voice's newest job; fails with `VoiceNotReady` when there is nothing ICE could train. */
async function lookUpVoice(valid: ValidVoiceCloneInput, progress: VoiceCloneProgress): Promise<VoiceJobSnapshot> {
  progress.enter('LookingUpVoice');
  const job = valid.jobId ? await readGivenJob(valid.voiceId, valid.jobId) : await findVoiceJob(valid.voiceId);
  if (job === null) {
    throw voiceCloneFailure(
      'VoiceNotReady',
      `ICE has no job for voice ${valid.voiceId}: create it with CreateCustomizedVoiceJob and detect its recordings first`,
    );
  }
  progress.jobKnown(job.jobId);
  progress.iceStatusRead(job);
  if (job.status === 'Initialization' && !valid.recordings) {
    throw voiceCloneFailure(
      'VoiceNotReady',
      `voice ${valid.voiceId} has no detected recordings (job ${job.jobId} is in Initialization): pass recordings or run detection first`,
    );
  }
  return job;
}

async function findVoiceJob(voiceId: string): Promise<VoiceJobSnapshot | null> {
  const { job } = await iceLookups.findVoiceCloneJob.executeWithOptions(summary('ListCustomizedVoiceJobs', voiceId), [
    { voiceId },
  ]);
  return job;
}

/** The caller named the job: one read, and it must be this voice's (a wrong JobId would train nothing or bill twice). */
async function readGivenJob(voiceId: string, jobId: string): Promise<VoiceJobSnapshot> {
  const job = await iceReads.readVoiceCloneJob.executeWithOptions(
    summary('GetCustomizedVoiceJob', voiceId, `job=${jobId} (lookup)`),
    [{ jobId }],
  );
  if (job.voiceId !== voiceId) {
    throw voiceCloneFailure(
      'InvalidInput',
      `jobId: must be the job of voice ${voiceId}, but ICE says job ${jobId} belongs to voice ${job.voiceId}`,
      { field: 'jobId', rule: 'must be the job of voiceId' },
    );
  }
  return job;
}

async function submitVoiceCloneJob(
  valid: ValidVoiceCloneInput,
  seen: VoiceJobSnapshot,
  progress: VoiceCloneProgress,
): Promise<string> {
  progress.enter('Submitting');
  const submitted = await iceCalls.submitVoiceCloneJob.executeWithOptions(
    summary('SubmitCustomizedVoiceJob', valid.voiceId),
    [
      {
        voiceId: valid.voiceId,
        demoAudioMediaUrl: valid.demoAudioMediaUrl,
        seenJob: { jobId: seen.jobId, status: seen.status },
      },
    ],
  );
  progress.jobKnown(submitted.jobId);
  progress.iceStatusRead({ status: submitted.status, readAt: submitted.readAt });
  return submitted.jobId;
}

function alreadyTrained(job: VoiceJobSnapshot, progress: VoiceCloneProgress): VoiceCloneResult {
  progress.enter('Succeeded');
  return {
    voiceId: job.voiceId,
    jobId: job.jobId,
    status: 'Success',
    message: job.message,
    completedVia: 'already-trained',
    statusChecks: 0,
  };
}
