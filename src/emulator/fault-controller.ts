/**
 * Decides which injected fault applies to a call or a callback. `count` triggers are consumed as they fire (the
 * remaining count shows in GET /faults); `rate` triggers draw from a PRNG seeded by `FaultConfig.seed`.
 */
import type { IceAction } from '../ice/types';
import type { CallbackFaults, EmulatedEdition, FaultConfig, FaultTrigger, OperationFaults } from './admin-api';
import { createSeededRandom } from './prng';

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

  constructor(initial: FaultConfig = {}) {
    this.replace(initial);
  }

  replace(config: FaultConfig): void {
    this.config = structuredClone(config ?? {});
    this.random = createSeededRandom(this.config.seed ?? DEFAULT_SEED);
  }

  current(): FaultConfig {
    return structuredClone(this.config);
  }

  /** Per-field merge: the action's own entry wins over `'*'` field by field. */
  private operationEntries(action: string): OperationFaults[] {
    const operations = this.config.operations ?? {};
    const own = operations[action as IceAction];
    const all = operations['*'];
    return [own, all].filter((entry): entry is OperationFaults => entry !== undefined);
  }

  latencyMs(action: string): number {
    for (const entry of this.operationEntries(action)) if (entry.latencyMs !== undefined) return entry.latencyMs;
    return 0;
  }

  /** True when the fault fires for this call (consumes a count). */
  fires(action: string, fault: 'throttle' | 'serverError' | 'closeAfterAccept' | 'omitJobId'): boolean {
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
