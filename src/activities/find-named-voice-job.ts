import { isIceError, MissingResponseFieldError } from '../ice/errors';
import {
  isKnownVoiceJobStatus,
  type CustomizedVoiceJob,
  type IceClient,
  type VoiceJobStatus,
  type VoiceJobType,
} from '../ice/types';
import { NAMED_EDITIONS } from '../workflows/editions';
import type { IceActivityDeps } from './deps';
import { toSnapshot } from './snapshot';
import type { FoundNamedVoiceJob, NamedVoice } from './types';
import { retryBound, withinAnswerBound } from './unexpected-responses';

const PAGE_SIZE = 100; // ICE's maximum
const MAX_PAGES = 1_000;
/** Jobs of one VoiceName handed back to the workflow (its history holds them): a name reused that often is odd. */
export const MAX_SEEN_JOB_IDS = 100;

/**
 * A job in one of these has been submitted and has not failed: a clone of this VoiceName adopts it (waits for it,
 * or returns it trained) instead of billing a new one. A status this package does not know counts too: it never
 * submits over one. Fail, and the two Basic states before a submit, do not block a new submit.
 */
const ADOPTABLE_STATUSES: readonly string[] = ['PreTraining', 'Training', 'Success'] satisfies VoiceJobStatus[];

export interface NamedJobs {
  /** This VoiceName's jobs of the edition, newest first (CreateTime/GmtCreate; list order on ties). */
  jobs: CustomizedVoiceJob[];
  /** RequestId of the last page read. */
  requestId: string;
}

/**
 * Every job of this VoiceName in the edition, read from ListCustomizedVoiceJobs page by page under the Type its
 * edition's description names (src/workflows/editions.ts). ICE has no VoiceName filter, and its order is
 * undocumented (docs/ice-api.md#list-jobs), so every page of the Type is read.
 * ASSUMPTION (docs/ice-api.md#list-jobs): a job is listed as soon as its submit has been answered.
 * ASSUMPTION (docs/ice-api.md#editions): ICE lists CosyVoice jobs under Type `CosyVoice`, or, when it refuses that
 * Type or answers it with jobs of other Types, under `Standard`, where nothing tells them from Standard jobs: there
 * a CosyVoice clone takes any job of its VoiceName (a VoiceName should name one voice across the two editions).
 * A Standard clone skips jobs that report Type `CosyVoice`.
 */
export async function listJobsNamed(ice: IceClient, voice: NamedVoice): Promise<NamedJobs> {
  const { lookup } = NAMED_EDITIONS[voice.edition];
  const listed =
    lookup.fallbackType === undefined
      ? await listType(ice, lookup.type)
      : ((await listOwnType(ice, lookup.type)) ?? (await listType(ice, lookup.fallbackType)));
  const jobs = listed.jobs
    .filter((job) => !(lookup.excludeTypes ?? []).includes(job.type))
    .map((job, index) => ({ job, index }))
    .filter(({ job }) => job.voiceName === voice.voiceName)
    .sort((a, b) => createdAt(b.job).localeCompare(createdAt(a.job)) || a.index - b.index)
    .map(({ job }) => job);
  return { jobs, requestId: listed.requestId };
}

/** The list of `type`, or undefined when ICE has none under that Type (see listJobsNamed). */
async function listOwnType(ice: IceClient, type: VoiceJobType): Promise<NamedJobs | undefined> {
  let listed: NamedJobs;
  try {
    listed = await listType(ice, type);
  } catch (error) {
    // A final InvalidParameter* answer to this list names the Type it does not know; anything else stays an error.
    if (isIceError(error) && !error.retryable && error.code.startsWith('InvalidParameter')) return undefined;
    throw error;
  }
  // A list of other Types (say, ICE ignoring a Type it does not know) is not this Type's list.
  return listed.jobs.every((job) => job.type === type || job.type === '') ? listed : undefined;
}

async function listType(ice: IceClient, type: VoiceJobType): Promise<NamedJobs> {
  const jobs: CustomizedVoiceJob[] = [];
  let requestId = '';
  for (let pageNo = 1; pageNo <= MAX_PAGES; pageNo++) {
    const page = await ice.listCustomizedVoiceJobs({ pageNo, pageSize: PAGE_SIZE, type });
    requestId = page.requestId;
    jobs.push(...page.customizedVoiceJobList);
    if (page.customizedVoiceJobList.length < PAGE_SIZE || pageNo * PAGE_SIZE >= page.totalCount) break;
  }
  return { jobs, requestId };
}

/** ICE's creation time (UTC, whole seconds): GmtCreate where listed, else CreateTime; '' when neither. */
export function createdAt(job: CustomizedVoiceJob): string {
  return job.gmtCreate || job.createTime || '';
}

export function isAdoptable(status: string): boolean {
  return ADOPTABLE_STATUSES.includes(status) || !isKnownVoiceJobStatus(status);
}

/** The clone decides on the Status of its VoiceName's jobs: one listed without it is an incomplete answer. */
export function requireStatuses(voice: NamedVoice, named: NamedJobs): void {
  const missing = named.jobs.find((job) => job.status === '');
  if (missing === undefined) return;
  const field = 'Data.CustomizedVoiceJobList[].Status';
  throw new MissingResponseFieldError(
    'ListCustomizedVoiceJobs',
    field,
    `unexpected response shape: ${field} (job ${missing.jobId} of voice name ${voice.voiceName}) is missing or not a string`,
    named.requestId,
  );
}

export function createFindNamedVoiceJob(deps: IceActivityDeps) {
  const retries = retryBound(deps);
  return async function findNamedVoiceJob(input: NamedVoice): Promise<FoundNamedVoiceJob> {
    return withinAnswerBound(retries, async () => {
      const named = await listJobsNamed(deps.ice, input);
      requireStatuses(input, named);
      const adoptable = named.jobs.find((job) => isAdoptable(job.status));
      return {
        job: adoptable === undefined ? null : toSnapshot(adoptable, named.requestId),
        seenJobIds: named.jobs.slice(0, MAX_SEEN_JOB_IDS).map((job) => job.jobId),
      };
    });
  };
}
