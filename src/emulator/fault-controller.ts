/**
 * Decides which injected fault applies to a call or a callback. `count` triggers are consumed as they fire (the
 * remaining count shows in GET /faults); `rate` triggers draw from a PRNG seeded by `FaultConfig.seed`.
 */
import type { IceAction } from '../ice/types';
import type { CallbackFaults, FaultConfig, FaultTrigger, OperationFaults } from './admin-api';
import { createSeededRandom } from './prng';

const DEFAULT_SEED = 1;

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
  takeJobStatusOverride(voiceId: string): { status: string | null } | undefined {
    const override = (this.config.jobStatusOverrides ?? []).find(
      (entry) => entry.voiceId === voiceId && entry.reads > 0,
    );
    if (!override) return undefined;
    override.reads -= 1;
    return { status: override.status };
  }

  failsTraining(voiceId: string): boolean {
    return voiceId.startsWith('FailTrain') || (this.config.failTrainingVoiceIds ?? []).includes(voiceId);
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
