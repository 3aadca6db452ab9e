/**
 * The emulator's admin HTTP API (fault injection, inspection, clock control), served on the emulator's own port
 * under `/__emulator/`. ICE itself has no such API; it exists so that tests, benchmarks and the fault suite can
 * break things on purpose and count ICE calls. Types here are the contract; `EmulatorAdminClient` is the typed
 * caller used by tests, the bench and the CLI.
 *
 * Routes (JSON in, JSON out):
 *   GET    /__emulator/health                 → { ok: true }
 *   GET    /__emulator/calls                  → RecordedCall[]   (every ICE request received, oldest first)
 *   DELETE /__emulator/calls                  → clears the log
 *   GET    /__emulator/faults                 → FaultConfig
 *   PUT    /__emulator/faults                 ← FaultConfig (replaces the whole config; {} clears all faults)
 *   GET    /__emulator/settings               → EmulatorSettings
 *   PATCH  /__emulator/settings               ← Partial<EmulatorSettings>
 *   GET    /__emulator/rate-limits            → RateLimitCounts  (per action: calls the rate limit let through or
 *                                               answered `Throttling`, since the fault config was last set)
 *   GET    /__emulator/jobs                   → EmulatedVoiceJob[]
 *   GET    /__emulator/callbacks              → CallbackDelivery[]   (every callback POST attempt or queue write)
 *   GET    /__emulator/mns/queues             → MnsQueueSummary[]    (the MNS queues and their message counts)
 *   POST   /__emulator/events                 ← IceEventInput → EventDispatchResult: posts any ICE event to the
 *                                               account's callback exactly like a job end (filter, signature,
 *                                               timeout, retries, callback faults)
 *   POST   /__emulator/jobs/{jobId}/finish    ← { status?: 'Success' | 'Fail', message?: string } ends training now
 *                                               (through the job clock: the read and the callback agree)
 *   POST   /__emulator/callbacks/flush        → releases callbacks held by `delayMs` / `reorder` at once
 *   POST   /__emulator/reset                  → forgets jobs, voices, calls, callbacks, faults, nonces
 *
 * No authentication, by design, on loopback (./bind-warning.ts warns off it). Refused: a foreign `Origin` (403), a
 * body that is not `application/json` (415) or over 1 MiB (413), a malformed body or job id (400 with `field`).
 */
import type { IceAction, VoiceGender, VoiceJobStatus } from '../ice/types';
import type { MnsQueueSummary } from './mns/mns-queue-book';

/** The path prefix of the emulator's admin API (beside ICE's `POST /`). */
export const EMULATOR_ADMIN_PREFIX = '/__emulator';

/** When a fault fires: `count` = the next N matching calls; `rate` = probability per call (0..1). */
export interface FaultTrigger {
  count?: number;
  rate?: number;
}

/** Faults injected into one ICE operation's calls; each trigger fires independently. */
export interface OperationFaults {
  /** Answer HTTP 400 with Code `Throttling.User`. */
  throttle?: FaultTrigger;
  /** Answer HTTP 503 `ServiceUnavailable`. */
  serverError?: FaultTrigger;
  /** Carry the operation out, then destroy the socket without answering (the ambiguous, double-billing case). */
  closeAfterAccept?: FaultTrigger;
  /** Wait this long before answering. */
  latencyMs?: number;
  /**
   * Carry the operation out and answer 200, but leave `JobId` out of the answer's `Data` (fires only for answers
   * that carry one: CreateCustomizedVoiceJob and the three submits).
   */
  omitJobId?: FaultTrigger;
  /**
   * At most this many calls per second of the action (under `'*'`: of each action, counted apart); beyond it HTTP
   * 400 `Throttling`, ICE's gateway code (docs/ice-api.md#errors). A token bucket holding one second's calls.
   */
  rateLimitPerSecond?: number;
}

/** `GET /rate-limits`: per ICE action, the calls the rate limit let through and those it answered `Throttling`. */
export type RateLimitCounts = Record<string, { allowed: number; throttled: number }>;

/**
 * GetCustomizedVoiceJob reports `status` instead of the job's real Status for the next `reads` reads of this voice's
 * job (`null` leaves the Status field out). Entries for the same voice apply in order; `reads` counts down.
 */
export interface JobStatusOverride {
  /** The job's VoiceId, or the VoiceName of a Standard/CosyVoice job (whose VoiceId ICE assigns). */
  voiceId: string;
  status: string | null;
  reads: number;
}

/** Faults injected into the callbacks the emulator delivers. */
export interface CallbackFaults {
  /** Drop the callback entirely (not even attempted). */
  drop?: FaultTrigger;
  /** Deliver the callback twice. */
  duplicate?: FaultTrigger;
  /** Hold each callback this long before the first attempt. */
  delayMs?: number;
  /** Hold callbacks and deliver them newest first, in batches of this many (or on flush). */
  reorderBatch?: number;
}

/** Faults injected into the emulator's MNS queues (docs/ice-api.md#mns-queue-callbacks). */
export interface MnsFaults {
  /** DeleteMessage and BatchDeleteMessage answer 500 InternalError and delete nothing. */
  deleteFails?: FaultTrigger;
  /** ReceiveMessage and BatchReceiveMessage answer 500 InternalError and hand out nothing. */
  receiveServerError?: FaultTrigger;
  /** ICE writes its event into the queue base64-encoded (whether real ICE does is unknown). */
  base64Body?: FaultTrigger;
}

/** Every fault the emulator injects; all are off when not given. Set at start or through `EmulatorAdminClient`. */
export interface FaultConfig {
  /** Per ICE action; `'*'` applies to every action (a per-action entry wins over `'*'`). */
  operations?: Partial<Record<IceAction | '*', OperationFaults>>;
  /**
   * Training ends in `Fail` for these VoiceIds, or VoiceNames of Standard and CosyVoice jobs (besides the rule: a
   * Basic VoiceId, or a Standard/CosyVoice VoiceName, starting with "FailTrain").
   */
  failTrainingVoiceIds?: string[];
  callbacks?: CallbackFaults;
  jobStatusOverrides?: JobStatusOverride[];
  mns?: MnsFaults;
  /** Seed for `rate` triggers so that runs repeat. */
  seed?: number;
}

/** The emulator's run-time settings, changeable through the admin API. */
export interface EmulatorSettings {
  /** Time a submitted job spends in PreTraining + Training. */
  trainingMs: number;
  /**
   * Sign callbacks with the lower-cased AuthKey, as ICE's documented example result suggests
   * (docs/ice-api.md#callback-signature). Default false: the key as set.
   */
  lowerCaseCallbackKey: boolean;
  /**
   * The Type CosyVoice jobs and voices report and are listed under (ASSUMPTION, docs/ice-api.md#editions: ICE does
   * not say). `CosyVoice` (default) or `Standard` (listed together with Standard jobs).
   */
  cosyVoiceJobType: CosyVoiceJobType;
}

/** The Types the emulator may report CosyVoice jobs under (`EmulatorSettings.cosyVoiceJobType`). */
export const COSYVOICE_JOB_TYPES = ['CosyVoice', 'Standard'] as const;
/** One of `COSYVOICE_JOB_TYPES`. */
export type CosyVoiceJobType = (typeof COSYVOICE_JOB_TYPES)[number];

/** One ICE call as the emulator's call log records it (admin API `GET /calls`). */
export interface RecordedCall {
  seq: number;
  /** ISO time the emulator answered (after any injected latency): a held submit shows when it was carried out. */
  at: string;
  /** An IceAction, or whatever name an unknown request carried. */
  action: string;
  /**
   * Business parameters as received (query string and form body), secrets removed, values cut after 4,096
   * characters; empty for a request refused before its signature held.
   */
  params: Record<string, string>;
  httpStatus: number;
  /** ICE error Code when the call failed; undefined on success. */
  code?: string;
  requestId: string;
  /** Name of the fault that shaped the answer, if any. */
  fault?: 'throttle' | 'rateLimit' | 'serverError' | 'closeAfterAccept' | 'latency' | 'omitJobId' | 'jobStatusOverride';
  /**
   * The request reached the operation's business logic (signature checked, no fault answered for it), whatever the
   * operation then answered: a second submit that the emulator refuses still counts, so double submits show.
   */
  performed: boolean;
}

/** The voice-cloning editions the emulator runs, as ICE names them (docs/ice-api.md#editions). */
export const EMULATED_EDITIONS = ['Basic', 'Standard', 'CosyVoice'] as const;
/** One of `EMULATED_EDITIONS`. */
export type EmulatedEdition = (typeof EMULATED_EDITIONS)[number];

/** A voice job the emulator holds, as the admin API reports it. */
export interface EmulatedVoiceJob {
  jobId: string;
  /** Basic: the caller's; Standard and CosyVoice: assigned by ICE at submit (`Voice-` + 10 letters/digits). */
  voiceId: string;
  edition: EmulatedEdition;
  /** Standard and CosyVoice name their voice here (several jobs may share a name); Basic's is optional. */
  voiceName: string;
  gender: VoiceGender;
  /** CosyVoice only. */
  model?: string;
  /** Standard: the training audio media IDs; CosyVoice: the one. */
  audioMediaIds?: string[];
  /** Standard only. */
  authenticationMediaId?: string;
  status: VoiceJobStatus;
  message: string;
  /** ISO times. */
  createTime: string;
  submittedAt?: string;
  finishedAt?: string;
  /** How many submits were accepted for this job (must stay ≤ 1; Standard and CosyVoice submits make a new job). */
  submitCount: number;
  passedAudioRecordIds: number[];
}

/** `GET /jobs/counts`: the job book in three numbers, without listing it (the bench polls it while thousands wait). */
export interface EmulatedJobCounts {
  jobs: number;
  /** Jobs ICE accepted a submit for (PreTraining, Training, Success or Fail). */
  submitted: number;
  byStatus: Partial<Record<VoiceJobStatus, number>>;
}

/** One callback the emulator sent or tried to send, with each attempt's outcome. */
export interface CallbackDelivery {
  /** One per event (both copies of a duplicated one share it); POST /events answers it. */
  eventId: string;
  /** MessageBody.JobId / VoiceId, '' when the event has none. */
  jobId: string;
  voiceId: string;
  eventType: string;
  /** 1 = first try, 2..3 = ICE's retries. */
  attempt: number;
  at: string;
  /** HTTP status answered, or undefined when the receiver did not answer within 3 s / connection failed. */
  httpStatus?: number;
  /**
   * HTTP: `delivered` (200 in time), `failed` (retried), `gave-up` (dropped after the last attempt). MNS: `queued`
   * (written into the queue), `failed` and `gave-up` when the queue does not exist.
   */
  outcome: 'delivered' | 'queued' | 'failed' | 'dropped-by-fault' | 'gave-up';
  /** MNS mode: the queue written to. */
  queueName?: string;
}

/** `POST /events`: any ICE event (EventType and MessageBody as ICE posts them). */
export interface IceEventInput {
  eventType: string;
  messageBody: Record<string, unknown>;
  /** Default: the emulator's account id. */
  userId?: number;
  /** Default: now, in ICE's format (yyyy-MM-ddTHH:mm:ssZ). */
  eventTime?: string;
}

/** Whether an event went to the callback URL (its attempts then show in GET /callbacks) or why not. */
export type EventDispatchResult =
  | {
      sent: true;
      eventId: string;
      /** HTTP mode: the URL posted to ('' in MNS mode). */
      callbackUrl: string;
      /** MNS mode: the queue written to. */
      queueName?: string;
      /** 2 when the duplicate fault fired. */
      copies: number;
    }
  | {
      sent: false;
      eventId: string;
      reason: 'no-callback' | 'event-type-filtered' | 'dropped-by-fault' | 'closed';
      detail: string;
    };

/** Typed caller of the admin API. */
export class EmulatorAdminClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl.replace(/\/$/, '')}${EMULATOR_ADMIN_PREFIX}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator admin ${method} ${path}: HTTP ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  health(): Promise<{ ok: boolean }> {
    return this.call('GET', '/health');
  }
  calls(): Promise<RecordedCall[]> {
    return this.call('GET', '/calls');
  }
  clearCalls(): Promise<void> {
    return this.call('DELETE', '/calls');
  }
  faults(): Promise<FaultConfig> {
    return this.call('GET', '/faults');
  }
  setFaults(faults: FaultConfig): Promise<void> {
    return this.call('PUT', '/faults', faults);
  }
  /** Per ICE action: calls the rate limit let through or answered `Throttling` since the faults were last set. */
  rateLimitCounts(): Promise<RateLimitCounts> {
    return this.call('GET', '/rate-limits');
  }
  settings(): Promise<EmulatorSettings> {
    return this.call('GET', '/settings');
  }
  updateSettings(settings: Partial<EmulatorSettings>): Promise<EmulatorSettings> {
    return this.call('PATCH', '/settings', settings);
  }
  jobs(): Promise<EmulatedVoiceJob[]> {
    return this.call('GET', '/jobs');
  }
  jobCounts(): Promise<EmulatedJobCounts> {
    return this.call('GET', '/jobs/counts');
  }
  callbacks(): Promise<CallbackDelivery[]> {
    return this.call('GET', '/callbacks');
  }
  /** The emulator's MNS queues with their active, inactive and delayed message counts. */
  mnsQueues(): Promise<MnsQueueSummary[]> {
    return this.call('GET', '/mns/queues');
  }
  finishJob(jobId: string, outcome: { status?: 'Success' | 'Fail'; message?: string } = {}): Promise<void> {
    return this.call('POST', `/jobs/${encodeURIComponent(jobId)}/finish`, outcome);
  }
  /** Posts any ICE event to the configured callback as ICE would (see IceEventInput). */
  sendEvent(event: IceEventInput): Promise<EventDispatchResult> {
    return this.call('POST', '/events', event);
  }
  flushCallbacks(): Promise<void> {
    return this.call('POST', '/callbacks/flush');
  }
  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }
  /** Forgets ICE's callback setting (HTTP or MNS): ICE then sends no callbacks, as for an account that set none. */
  clearEventCallback(): Promise<void> {
    return this.call('DELETE', '/event-callback');
  }
}
