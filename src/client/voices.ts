/**
 * Helpers around the ICE client for a team's own tools (and the CLI's `voices` and `delete-job`): the account's
 * voices with their jobs, deleting a job, changing a voice's demo audio. Each validates its ids first (no call for
 * a bad one) and lets ICE's errors through as `IceError`, with ICE's Code and RequestId.
 */
import { isIceError } from '../ice/errors';
import { type CustomizedVoice, type CustomizedVoiceJob, type IceClient, type VoiceJobType } from '../ice/types';
import type { VoiceCloneEdition } from '../workflows/definitions';
import { NAMED_EDITIONS, type NamedVoiceEdition } from '../workflows/editions';
import {
  ICE_VOICE_ID_PATTERN,
  ICE_VOICE_ID_RULE,
  JOB_ID_PATTERN,
  JOB_ID_RULE,
  MEDIA_ID_PATTERN,
  MEDIA_ID_RULE,
} from '../workflows/ice-ids';
import { InvalidVoiceCloneInputError } from './start-voice-clone';

/** One training job of a voice, as `listVoices` reports it. */
export interface VoiceJobSummary {
  jobId: string;
  /** ICE's raw Status. */
  status: string;
  message: string;
  /** UTC, whole seconds, as ICE gives it. */
  createTime: string;
}

/** One voice of the account with its jobs (newest first), as `listVoices` reports it. */
export interface VoiceSummary {
  /** The Type ICE lists the voice under (`Basic`, `Standard`, `CosyVoice`, or what ICE says). */
  type: string;
  voiceId: string;
  voiceName: string;
  gender: string;
  /** '' for Standard and CosyVoice voices. */
  scenario: string;
  demoAudioMediaId: string;
  /** The voice's jobs, newest first. A voice that ICE lists no job for has none. */
  jobs: VoiceJobSummary[];
}

/** Options of `listVoices`. */
export interface ListVoicesOptions {
  /** Only this edition's voices; default all three. */
  edition?: VoiceCloneEdition;
}

const PAGE_SIZE = 100; // ICE's maximum
const MAX_PAGES = 1_000;

/** The Type each edition's voices are listed under: Basic's own, each named edition's lookup Type. */
const EDITION_TYPES: Record<VoiceCloneEdition, VoiceJobType> = {
  basic: 'Basic',
  ...(Object.fromEntries(
    Object.entries(NAMED_EDITIONS).map(([edition, description]) => [edition, description.lookup.type]),
  ) as Record<NamedVoiceEdition, VoiceJobType>),
};

/**
 * ListCustomizedVoices and ListCustomizedVoiceJobs, every page, of each edition's Type, joined by VoiceId (a job
 * whose voice is not listed still shows, under its own VoiceId). ASSUMPTION (docs/ice-api.md#editions): where ICE
 * refuses the Type `CosyVoice`, its CosyVoice voices are among the `Standard` ones, so `edition: 'cosyvoice'` then
 * lists those (nothing tells the two apart).
 */
export async function listVoices(ice: IceClient, options: ListVoicesOptions = {}): Promise<VoiceSummary[]> {
  const types = options.edition === undefined ? Object.values(EDITION_TYPES) : [EDITION_TYPES[options.edition]];
  const byVoiceId = new Map<string, VoiceSummary>();
  for (const wanted of types) {
    let type = wanted;
    let listed = await listType(ice, type);
    if (listed === undefined) {
      const fallbackType = fallbackTypeOf(type);
      // Without an edition asked for, the fallback Type is read on its own turn.
      if (options.edition === undefined || fallbackType === undefined) continue;
      type = fallbackType;
      listed = await listType(ice, type);
      if (listed === undefined) continue;
    }
    for (const voice of listed.voices) {
      if (!byVoiceId.has(voice.voiceId)) byVoiceId.set(voice.voiceId, summaryOf(voice, voice.type || type));
    }
    for (const job of listed.jobs) {
      let summary = byVoiceId.get(job.voiceId);
      if (summary === undefined) {
        summary = summaryOf(
          {
            voiceId: job.voiceId,
            voiceName: job.voiceName,
            voiceDesc: job.voiceDesc,
            gender: job.gender,
            scenario: job.scenario,
            demoAudioMediaId: '',
          },
          job.type || type,
        );
        byVoiceId.set(job.voiceId, summary);
      }
      if (!summary.jobs.some((known) => known.jobId === job.jobId)) summary.jobs.push(jobSummaryOf(job));
    }
  }
  const voices = [...byVoiceId.values()];
  for (const voice of voices) voice.jobs.sort((a, b) => b.createTime.localeCompare(a.createTime));
  return voices;
}

/** A job not in Training or Success (docs/ice-api.md#voice-lifecycle-basic); ICE refuses the others with its Code. */
export async function deleteVoiceCloneJob(ice: IceClient, jobId: string): Promise<{ requestId: string }> {
  if (!JOB_ID_PATTERN.test(jobId)) throw new InvalidVoiceCloneInputError('jobId', JOB_ID_RULE);
  const { requestId } = await ice.deleteCustomizedVoiceJob({ jobId });
  return { requestId };
}

/** UpdateCustomizedVoice: the demo audio is all ICE lets change (docs/ice-api.md#voice-lifecycle-basic). */
export async function updateVoiceDemoAudio(
  ice: IceClient,
  voiceId: string,
  demoAudioMediaId: string,
): Promise<{ requestId: string }> {
  if (!ICE_VOICE_ID_PATTERN.test(voiceId)) throw new InvalidVoiceCloneInputError('voiceId', ICE_VOICE_ID_RULE);
  if (!MEDIA_ID_PATTERN.test(demoAudioMediaId)) {
    throw new InvalidVoiceCloneInputError('demoAudioMediaId', MEDIA_ID_RULE);
  }
  const { requestId } = await ice.updateCustomizedVoice({ voiceId, demoAudioMediaId });
  return { requestId };
}

/** The Type to read instead where ICE refuses `type` (the fallback of the named edition looked up under it). */
function fallbackTypeOf(type: VoiceJobType): VoiceJobType | undefined {
  return Object.values(NAMED_EDITIONS).find((edition) => edition.lookup.type === type)?.lookup.fallbackType;
}

/** Every voice and job of one Type, or undefined when ICE refuses a Type that has a fallback (a final InvalidParameter*). */
async function listType(
  ice: IceClient,
  type: VoiceJobType,
): Promise<{ voices: CustomizedVoice[]; jobs: CustomizedVoiceJob[] } | undefined> {
  try {
    const voices = await allPages(async (pageNo) => {
      const page = await ice.listCustomizedVoices({ pageNo, pageSize: PAGE_SIZE, type });
      return { items: page.customizedVoiceList, totalCount: page.totalCount };
    });
    const jobs = await allPages(async (pageNo) => {
      const page = await ice.listCustomizedVoiceJobs({ pageNo, pageSize: PAGE_SIZE, type });
      return { items: page.customizedVoiceJobList, totalCount: page.totalCount };
    });
    return { voices, jobs };
  } catch (error) {
    if (
      fallbackTypeOf(type) !== undefined &&
      isIceError(error) &&
      !error.retryable &&
      error.code.startsWith('InvalidParameter')
    ) {
      return undefined;
    }
    throw error;
  }
}

async function allPages<T>(read: (pageNo: number) => Promise<{ items: T[]; totalCount: number }>): Promise<T[]> {
  const items: T[] = [];
  for (let pageNo = 1; pageNo <= MAX_PAGES; pageNo++) {
    const page = await read(pageNo);
    items.push(...page.items);
    if (page.items.length < PAGE_SIZE || pageNo * PAGE_SIZE >= page.totalCount) break;
  }
  return items;
}

function summaryOf(voice: CustomizedVoice, type: string): VoiceSummary {
  return {
    type,
    voiceId: voice.voiceId,
    voiceName: voice.voiceName,
    gender: voice.gender,
    scenario: voice.scenario,
    demoAudioMediaId: voice.demoAudioMediaId,
    jobs: [],
  };
}

function jobSummaryOf(job: CustomizedVoiceJob): VoiceJobSummary {
  return { jobId: job.jobId, status: job.status, message: job.message, createTime: job.gmtCreate || job.createTime };
}
