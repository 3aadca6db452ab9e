import type { CustomizedVoiceJob, IceClient } from '../ice/types';
import type { IceActivityDeps } from './deps';
import { toSnapshot } from './snapshot';
import { callIce } from './to-activity-failure';
import type { FoundVoiceJob } from './types';

const PAGE_SIZE = 100; // ICE's maximum
const MAX_PAGES = 1_000;

/**
 * Pages through ListCustomizedVoiceJobs until it meets the voice's job (ICE lists newest first, so a voice in use
 * is usually on the first page).
 * ASSUMPTION: a VoiceId is unique per account, so it has at most one job (a resubmit after Fail reuses it); the
 * first match is therefore the job, whatever the list order, and the rest of the account need not be read.
 * Where several match on one page the newest (CreateTime/GmtCreate) wins, in case that assumption ever fails.
 */
export async function lookUpNewestVoiceJob(ice: IceClient, voiceId: string): Promise<FoundVoiceJob> {
  for (let pageNo = 1; pageNo <= MAX_PAGES; pageNo++) {
    const page = await callIce(() => ice.listCustomizedVoiceJobs({ pageNo, pageSize: PAGE_SIZE, type: 'Basic' }));
    const matches = page.customizedVoiceJobList.filter((job) => job.voiceId === voiceId);
    if (matches.length > 0) {
      const newest = matches.reduce((a, b) => (createdAt(b) > createdAt(a) ? b : a));
      return { job: toSnapshot(newest, page.requestId) };
    }
    if (page.customizedVoiceJobList.length < PAGE_SIZE || pageNo * PAGE_SIZE >= page.totalCount) break;
  }
  return { job: null };
}

function createdAt(job: CustomizedVoiceJob): string {
  return job.gmtCreate ?? job.createTime ?? '';
}

export function createFindVoiceCloneJob({ ice }: IceActivityDeps) {
  return async function findVoiceCloneJob(input: { voiceId: string }): Promise<FoundVoiceJob> {
    return lookUpNewestVoiceJob(ice, input.voiceId);
  };
}
