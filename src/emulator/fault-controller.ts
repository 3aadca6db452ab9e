/**
 * Decides which injected fault applies to a call or a callback. `count` triggers are consumed as they fire (the
 * remaining count shows in GET /faults); `rate` triggers draw from a PRNG seeded by `FaultConfig.seed`. The
 * operation faults are two hooks around an ICE operation: `beforeOperation` (latency, rate limit, throttle,
 * serverError) and `afterOperation` (omitJobId, closeAfterAccept).
 */
import type { IceAction } from '../ice/types';
import type {
  CallbackFaults,
  EmulatedEdition,
  FaultConfig,
  FaultTrigger,
  MnsFaults,
  OperationFaults,
  RateLimitCounts,
  RecordedCall,
} from './admin-api';
import { faultConfigProblem } from './admin-validation';
import { createSeededRandom } from './prng';
import { OperationRateLimiter } from './rate-limiter';
import { IceWireError } from './wire-error';

/** What the faults did to one call: the fault that shaped its answer, and whether that answer is a closed socket. */
export interface FaultMarks {
  fault?: RecordedCall['fault'];
  closeSocket: boolean;
}

const DEFAULT_SEED = 1;

/** What identifies a job to the fault rules: the VoiceId, and for Standard/CosyVoice the caller's VoiceName. */
export interface FaultTarget {
  voiceId: string;
  voiceName: string;
  edition: EmulatedEdition;
}

/** Basic voices are named by their VoiceId; Standard and CosyVoice by the VoiceName (ICE assigns the VoiceId). */
function names(job: FaultTarget): string[] {
  return job.edition === 'Basic' ? [job.voiceId] : [job.voiceId, job.voiceName];
}

export class FaultController {
  private config: FaultConfig = {};
  private random: () => number = createSeededRandom(DEFAULT_SEED);
  private readonly rateLimiter: OperationRateLimiter;

  /** `nowMs` is the rate limit's clock (monotonic by default; tests pass their own). */
  constructor(initial: FaultConfig = {}, nowMs: () => number = () => performance.now()) {
    this.rateLimiter = new OperationRateLimiter(nowMs);
    this.replace(initial);
  }

  /** Throws for a config the admin API would refuse (its routes check first, so this guards code callers). */
  replace(config: FaultConfig): void {
    const found = faultConfigProblem(config ?? {});
    if (found) throw new TypeError(`fault config: ${found.field}: ${found.message}`);
    this.config = structuredClone(config ?? {});
    this.random = createSeededRandom(this.config.seed ?? DEFAULT_SEED);
    this.rateLimiter.clear();
  }

  current(): FaultConfig {
    return structuredClone(this.config);
  }

  /** What the rate limit let through and refused, per action, since the config was last replaced. */
  rateLimitCounts(): RateLimitCounts {
    return this.rateLimiter.current();
  }

  /** Per-field merge: the action's own entry wins over `'*'` field by field. */
  private operationEntries(action: string): OperationFaults[] {
    const operations = this.config.operations ?? {};
    // Own keys only: an action name such as "constructor" must not find Object.prototype's.
    const own = Object.hasOwn(operations, action) ? operations[action as IceAction] : undefined;
    const all = operations['*'];
    return [own, all].filter((entry): entry is OperationFaults => entry !== undefined);
  }

  /**
   * Before the operation: the latency fault waits (`sleep` answers false when the emulator closed meanwhile: then
   * false, and no answer is due); a throttle or serverError fault throws the ICE error answered instead.
   */
  async beforeOperation(action: string, marks: FaultMarks, sleep: (ms: number) => Promise<boolean>): Promise<boolean> {
    const latencyMs = this.latencyMs(action);
    if (latencyMs > 0) {
      marks.fault = 'latency';
      if (!(await sleep(latencyMs))) return false;
    }
    const perSecond = this.rateLimitPerSecond(action);
    if (perSecond !== undefined && !this.rateLimiter.admit(action, perSecond)) {
      marks.fault = 'rateLimit';
      // Alibaba's gateway message for this code (ASSUMPTION: ICE answers its per-operation limit with it).
      throw new IceWireError(400, 'Throttling', 'Request was denied due to request throttling.');
    }
    if (this.fires(action, 'throttle')) {
      marks.fault = 'throttle';
      throw new IceWireError(400, 'Throttling.User', 'Request was denied due to user flow control.');
    }
    if (this.fires(action, 'serverError')) {
      marks.fault = 'serverError';
      throw new IceWireError(
        503,
        'ServiceUnavailable',
        'The request has failed due to a temporary failure of the server.',
      );
    }
    return true;
  }

  /** After the operation was carried out: omitJobId edits its answer, closeAfterAccept replaces it by a closed socket. */
  afterOperation(action: string, response: Record<string, unknown>, marks: FaultMarks): void {
    const data = response.Data as Record<string, unknown> | undefined;
    if (data?.JobId !== undefined && this.fires(action, 'omitJobId')) {
      marks.fault = 'omitJobId';
      delete data.JobId;
    }
    if (this.fires(action, 'closeAfterAccept')) {
      marks.fault = 'closeAfterAccept';
      marks.closeSocket = true;
    }
  }

  private rateLimitPerSecond(action: string): number | undefined {
    return this.operationEntries(action).find((entry) => entry.rateLimitPerSecond !== undefined)?.rateLimitPerSecond;
  }

  private latencyMs(action: string): number {
    for (const entry of this.operationEntries(action)) if (entry.latencyMs !== undefined) return entry.latencyMs;
    return 0;
  }

  /** True when the fault fires for this call (consumes a count). */
  private fires(action: string, fault: 'throttle' | 'serverError' | 'closeAfterAccept' | 'omitJobId'): boolean {
    const entry = this.operationEntries(action).find((candidate) => candidate[fault] !== undefined);
    return entry ? this.pull(entry[fault]) : false;
  }

  /**
   * The Status to report for one GetCustomizedVoiceJob read of this voice's job (`null` = leave it out), or
   * undefined for the real one. Consumes a read of the first override of this voice that has reads left.
   */
  takeJobStatusOverride(job: FaultTarget): { status: string | null } | undefined {
    const jobNames = names(job);
    const override = (this.config.jobStatusOverrides ?? []).find(
      (entry) => jobNames.includes(entry.voiceId) && entry.reads > 0,
    );
    if (!override) return undefined;
    override.reads -= 1;
    return { status: override.status };
  }

  /** Basic: a VoiceId starting with FailTrain; Standard and CosyVoice: such a VoiceName; or one listed. */
  failsTraining(job: FaultTarget): boolean {
    const listed = this.config.failTrainingVoiceIds ?? [];
    const named = job.edition === 'Basic' ? job.voiceId : job.voiceName;
    return named.startsWith('FailTrain') || names(job).some((name) => listed.includes(name));
  }

  callbackFaults(): CallbackFaults {
    return this.config.callbacks ?? {};
  }

  callbackFires(fault: 'drop' | 'duplicate'): boolean {
    return this.pull(this.config.callbacks?.[fault]);
  }

  /** True when this MNS fault fires for this request or event (consumes a count). */
  mnsFires(fault: keyof MnsFaults): boolean {
    return this.pull(this.config.mns?.[fault]);
  }

  private pull(trigger: FaultTrigger | undefined): boolean {
    if (!trigger) return false;
    if (trigger.count !== undefined && trigger.count > 0) {
      trigger.count -= 1;
      return true;
    }
    if (trigger.rate !== undefined && trigger.rate > 0) return this.random() < trigger.rate;
    return false;
  }
}
