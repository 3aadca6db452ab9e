import type { CustomizedVoiceJob } from '../ice/types';
import type { VoiceJobSnapshot } from './types';

export function toSnapshot(job: CustomizedVoiceJob, requestId: string): VoiceJobSnapshot {
  return {
    jobId: job.jobId,
    voiceId: job.voiceId,
    status: job.status,
    message: job.message,
    requestId,
    readAt: new Date().toISOString(),
  };
}
