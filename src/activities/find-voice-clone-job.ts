import type { CustomizedVoiceJob, IceClient } from '../ice/types';
import type { IceActivityDeps } from './deps';
import { toSnapshot } from './snapshot';
import { callIce } from './to-activity-failure';
import type { FoundVoiceJob } from './types';

const PAGE_SIZE = 100; // ICE's maximum
const MAX_PAGES = 1_000;

/**
 * Pages through ListCustomizedVoiceJobs and keeps the newest job of the voice.
 * ASSUMPTION (docs silent on list order): the whole list is read; "newest" is decided by CreateTime/GmtCreate.
 */
export async function lookUpNewestVoiceJob(ice: IceClient, voiceId: string): Promise<FoundVoiceJob> {
  let newest: { job: CustomizedVoiceJob; requestId: string } | undefined;
  for (let pageNo = 1; pageNo <= MAX_PAGES; pageNo++) {
    const page = await callIce(() => ice.listCustomizedVoiceJobs({ pageNo, pageSize: PAGE_SIZE, type: 'Basic' }));
    for (const job of page.customizedVoiceJobList) {
      if (job.voiceId !== voiceId) continue;
      if (newest === undefined || createdAt(job) > createdAt(newest.job)) newest = { job, requestId: page.requestId };
    }
    if (page.customizedVoiceJobList.length < PAGE_SIZE || pageNo * PAGE_SIZE >= page.totalCount) break;
  }
  return { job: newest ? toSnapshot(newest.job, newest.requestId) : null };
}

function createdAt(job: CustomizedVoiceJob): string {
  return job.gmtCreate ?? job.createTime ?? '';
}

export function createFindVoiceCloneJob({ ice }: IceActivityDeps) {
  return async function findVoiceCloneJob(input: { voiceId: string }): Promise<FoundVoiceJob> {
    return lookUpNewestVoiceJob(ice, input.voiceId);
  };
}
