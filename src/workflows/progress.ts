/**
 * The clone's visible state: answers the `status` query and keeps the Web UI legible (current details in
 * markdown, Keyword search attributes). Search attributes are upserted only when registered in the namespace, and
 * only on entering a stage of the worker's plan (list-registered-search-attributes.ts): each upsert is a history
 * event and a visibility write, and the passing stages (lookup, detection, submit) show in the current details.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { isKnownVoiceJobStatus } from '../ice/types';
import {
  searchAttributes,
  type DetectionResult,
  type RecordingStatus,
  type SearchAttributePlan,
  type VoiceCloneEdition,
  type VoiceCloneStage,
  type VoiceCloneStatus,
} from './definitions';
import { EDITIONS } from './editions';

type SearchAttributeField = 'iceVoiceId' | 'iceJobId' | 'voiceCloneStage';

/**
 * The stages indexed for a clone whose recorded answer from the worker is a bare list of names: they include the
 * wait for the callback, so that such a history replays with the upserts it recorded.
 */
const STAGES_INDEXED_BEFORE_PLANS: readonly VoiceCloneStage[] = ['AwaitingCallback', 'Polling', 'Succeeded', 'Failed'];
/** Unknown statuses remembered per clone (they travel in each poll's input). */
const MAX_UNKNOWN_STATUSES = 10;

/** Which voice the clone is about, as far as known before validation: the VoiceId ('' until ICE assigns one). */
export interface ClonedVoice {
  edition: VoiceCloneEdition;
  voiceId: string;
  voiceName?: string;
}

export class VoiceCloneProgress {
  readonly status: VoiceCloneStatus;
  /** Statuses read from ICE that this package does not know, in the order first read. */
  readonly unknownStatuses: string[] = [];
  private registered = new Set<string>();
  private indexedStages = new Set<VoiceCloneStage>();
  private readonly upserted = new Map<string, string>();
  /** The clone's timing as people write it, for the details (never a timer). */
  private timing: string | undefined;

  constructor({ edition, voiceId, voiceName }: ClonedVoice) {
    this.status = {
      stage: 'Validating',
      edition,
      voiceId,
      detection: [],
      callbacksReceived: 0,
      callbacksCoalesced: 0,
      statusChecks: 0,
    };
    if (voiceName !== undefined) this.status.voiceName = voiceName;
    // What the client set at start (IceVoiceId) need not be upserted again.
    for (const field of Object.keys(searchAttributes) as SearchAttributeField[]) {
      const value = workflowInfo().typedSearchAttributes.get(searchAttributes[field]);
      if (typeof value === 'string') this.upserted.set(searchAttributes[field].name, value);
    }
    this.publish();
  }

  /** The worker's answer as recorded: a plan, or a bare list of names (older histories carry that form). */
  useSearchAttributes(answer: SearchAttributePlan | readonly string[]): void {
    const plan = 'names' in answer ? answer : { names: answer, indexedStages: STAGES_INDEXED_BEFORE_PLANS };
    this.registered = new Set(plan.names);
    this.indexedStages = new Set(plan.indexedStages);
    this.publish();
  }

  enter(stage: VoiceCloneStage): void {
    this.status.stage = stage;
    this.publish();
  }

  jobKnown(jobId: string): void {
    this.status.jobId = jobId;
    this.publish();
  }

  /**
   * A Standard or CosyVoice voice has a VoiceId once ICE assigned it: the status shows it and IceVoiceId is set at
   * once (whatever the stage), so that the Web UI finds the clone by the VoiceId while it trains.
   */
  voiceAssigned(voiceId: string): void {
    if (voiceId === '' || this.status.voiceId !== '') return;
    this.status.voiceId = voiceId;
    this.publish(['iceVoiceId', 'iceJobId']);
  }

  iceStatusRead(read: { status: string; readAt: string; voiceId?: string }): void {
    if (read.voiceId) this.voiceAssigned(read.voiceId);
    this.status.lastIceStatus = read.status;
    this.status.lastIceStatusAt = read.readAt;
    if (!isKnownVoiceJobStatus(read.status) && !this.unknownStatuses.includes(read.status)) {
      // Once per clone (the workflow logger stays silent on replay): ICE's SDK allows new values.
      if (this.unknownStatuses.length === 0) {
        log.warn('ICE reported a voice job status this package does not know; the clone treats it as not finished', {
          voiceId: this.status.voiceId,
          jobId: this.status.jobId,
          status: read.status,
        });
      }
      if (this.unknownStatuses.length < MAX_UNKNOWN_STATUSES) this.unknownStatuses.push(read.status);
    }
    this.publish();
  }

  detected(results: DetectionResult[]): void {
    this.status.detection = results;
    this.publish();
  }

  addStatusChecks(count: number): void {
    this.status.statusChecks += count;
    this.publish();
  }

  callbacksReceived(received: number, coalesced: number): void {
    this.status.callbacksReceived = received;
    this.status.callbacksCoalesced = coalesced;
    this.publish();
  }

  /** The timing line of the details ("callback timeout 10 min, …"). */
  timingKnown(description: string): void {
    this.timing = description;
    this.publish();
  }

  /** The recording session's table changed (a recording sent, a detection answered). */
  recordingsChanged(rows: RecordingStatus[]): void {
    this.status.recordings = rows;
    this.publish();
  }

  failed(type: string, message: string): void {
    this.status.failure = { type, message };
    this.enter('Failed');
  }

  /** `only`: upsert just these, whatever the stage; otherwise all of them, on entering an indexed stage. */
  private publish(only?: readonly SearchAttributeField[]): void {
    setCurrentDetails(renderDetails(this.status, this.timing));
    if (only === undefined && !this.indexedStages.has(this.status.stage)) return;
    const wanted: Record<SearchAttributeField, string | undefined> = {
      iceVoiceId: this.status.voiceId || undefined,
      iceJobId: this.status.jobId,
      voiceCloneStage: this.status.stage,
    };
    const updates: SearchAttributeUpdatePair[] = [];
    for (const field of only ?? (Object.keys(wanted) as SearchAttributeField[])) {
      const key = searchAttributes[field];
      const value = wanted[field];
      if (value === undefined || !this.registered.has(key.name) || this.upserted.get(key.name) === value) continue;
      this.upserted.set(key.name, value);
      updates.push({ key, value });
    }
    if (updates.length > 0) upsertSearchAttributes(updates);
  }
}

function unknownNote(status: string | undefined): string {
  return status === undefined || isKnownVoiceJobStatus(status)
    ? ''
    : ' — not a status this package knows: treated as not finished';
}

function renderDetails(status: VoiceCloneStatus, timing: string | undefined): string {
  const passed = status.detection.filter((result) => result.pass).length;
  const named = status.voiceName !== undefined ? ` "${status.voiceName}"` : '';
  const voice = status.voiceId ? ` \`${status.voiceId}\`` : status.voiceName === undefined ? ' `(invalid)`' : '';
  const lines = [
    `**Voice clone** (${EDITIONS[status.edition].label})${named}${voice} — stage **${status.stage}**`,
    '', // a blank line so that the Web UI renders what follows as a list, not one run-on line
    `- ICE job: ${status.jobId ? `\`${status.jobId}\`` : 'not known yet'}`,
    `- Last ICE status: ${status.lastIceStatus ?? 'not read yet'}${status.lastIceStatusAt ? ` (read ${status.lastIceStatusAt})` : ''}${unknownNote(status.lastIceStatus)}`,
    `- Audio detection: ${status.detection.length === 0 ? 'not run' : `${passed}/${status.detection.length} passed`}`,
    `- Callbacks received: ${status.callbacksReceived}${status.callbacksCoalesced > 0 ? ` (${status.callbacksCoalesced} coalesced: no read of their own)` : ''}`,
    `- Status checks: ${status.statusChecks}`,
  ];
  if (timing) lines.push(`- Timing: ${timing}`);
  if (status.failure) lines.push(`- Failure: **${status.failure.type}**: ${status.failure.message}`);
  if (status.recordings) lines.push(...recordingsTable(status.recordings));
  return lines.join('\n');
}

/** Sentences shown up to this many characters: the table stays one line per recording. */
const SENTENCE_CHARS = 40;

function recordingsTable(rows: RecordingStatus[]): string[] {
  const count = (state: RecordingStatus['state']): number => rows.filter((row) => row.state === state).length;
  const summary = `- Recordings: ${count('passed')} passed, ${count('failed')} failed, ${count('detecting')} in detection`;
  if (rows.length === 0) return [`${summary} (none sent yet)`];
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
  const sentence = (text: string): string =>
    text.length > SENTENCE_CHARS ? `${text.slice(0, SENTENCE_CHARS)}…` : text || '(not read yet)';
  const result = { detecting: 'detecting…', passed: 'passed', failed: '**failed**' } as const;
  return [
    summary,
    '', // a table needs a blank line before it
    '| # | Sentence | Detection | Reason |',
    '| --: | --- | --- | --- |',
    ...rows.map(
      (row) => `| ${row.audioRecordId} | ${cell(sentence(row.text))} | ${result[row.state]} | ${cell(row.reason)} |`,
    ),
  ];
}
