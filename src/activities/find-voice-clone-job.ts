import { MissingResponseFieldError } from '../ice/errors';
import type { CustomizedVoiceJob, IceClient } from '../ice/types';
import type { IceActivityDeps } from './deps';
import { toSnapshot } from './snapshot';
import type { FoundVoiceJob } from './types';
import { retryBound, withinAnswerBound } from './unexpected-responses';

const PAGE_SIZE = 100; // ICE's maximum
const MAX_PAGES = 1_000;

/**
 * Pages through ListCustomizedVoiceJobs until it meets the voice's job (ICE lists newest first, so a voice in use
 * is usually on the first page). Throws the IceError of a failed page; a match without a Status is an incomplete
 * answer (MissingResponseFieldError), since the clone decides on that Status.
 * ASSUMPTION: a VoiceId is unique per account, so it has at most one job (a resubmit after Fail reuses it); the
 * first match is therefore the job, whatever the list order, and the rest of the account need not be read.
 * Where several match on one page the newest (CreateTime/GmtCreate) wins, in case that assumption ever fails.
 */
export async function lookUpNewestVoiceJob(ice: IceClient, voiceId: string): Promise<FoundVoiceJob> {
  for (let pageNo = 1; pageNo <= MAX_PAGES; pageNo++) {
    const page = await ice.listCustomizedVoiceJobs({ pageNo, pageSize: PAGE_SIZE, type: 'Basic' });
    const jobs = page.customizedVoiceJobList;
    let newest = -1;
    jobs.forEach((job, index) => {
      if (job.voiceId === voiceId && (newest < 0 || createdAt(job) > createdAt(jobs[newest]))) newest = index;
    });
    if (newest >= 0) {
      if (jobs[newest].status === '') {
        const field = `Data.CustomizedVoiceJobList[${newest}].Status`;
        throw new MissingResponseFieldError(
          'ListCustomizedVoiceJobs',
          field,
          `unexpected response shape: ${field} (voice ${voiceId}) is missing or not a string`,
          page.requestId,
        );
      }
      return { job: toSnapshot(jobs[newest], page.requestId) };
    }
    if (jobs.length < PAGE_SIZE || pageNo * PAGE_SIZE >= page.totalCount) break;
  }
  return { job: null };
}

function createdAt(job: CustomizedVoiceJob): string {
  return job.gmtCreate ?? job.createTime ?? '';
}

export function createFindVoiceCloneJob(deps: IceActivityDeps) {
  const retries = retryBound(deps);
  return async function findVoiceCloneJob(input: { voiceId: string }): Promise<FoundVoiceJob> {
    return withinAnswerBound(retries, () => lookUpNewestVoiceJob(deps.ice, input.voiceId));
  };
}
