/**
 * Parses `--fault op:kind[:count|rate]` flags into the emulator's FaultConfig.
 *   <Action|*>:throttle|serverError|closeAfterAccept|omitJobId[:N|0.x]   e.g. SubmitCustomizedVoiceJob:omitJobId:1
 *   <Action|*>:latency:<ms>                                     e.g. *:latency:200
 *   <Action|*>:rateLimit:<per second>   beyond it 400 Throttling (under *: each action apart)   e.g. *:rateLimit:20
 *   callbacks:drop|duplicate[:N|0.x]   callbacks:delay:<ms>   callbacks:reorder:<batch>
 *   mns:deleteFails|receiveServerError|base64Body[:N|0.x]   (the emulator's MNS queues)
 *   failTraining:<VoiceId>              (or a Standard/CosyVoice VoiceName)
 *   status:<VoiceId>:<raw|none>[:N]   GetCustomizedVoiceJob reports Status <raw> (none = no Status field); a
 *                                      Standard/CosyVoice VoiceName works in place of the VoiceId
 * A trailing integer ≥ 1 is a count (the next N calls or reads); a number below 1 is a rate; nothing means every call.
 */
import type { FaultConfig, FaultTrigger, JobStatusOverride, OperationFaults } from '../emulator/admin-api';
import { faultConfigProblem, MNS_FAULT_TRIGGERS } from '../emulator/admin-validation';
import { ICE_ACTIONS, type IceAction } from '../ice/types';
import { UsageError } from './args';

const OPERATION_KINDS = ['throttle', 'serverError', 'closeAfterAccept', 'omitJobId'] as const;
const CALLBACK_KINDS = ['drop', 'duplicate'] as const;

function trigger(flag: string, raw: string | undefined): FaultTrigger {
  if (raw === undefined) return { rate: 1 };
  const value = Number(raw);
  if (/^\d+$/.test(raw) && value >= 1) return { count: value };
  if (Number.isFinite(value) && value > 0 && value < 1) return { rate: value };
  throw new UsageError(`--fault ${flag}: "${raw}" must be a count (1, 2, …) or a rate between 0 and 1`);
}

function perSecond(flag: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--fault ${flag}: needs a number of calls per second above 0`);
  }
  return value;
}

function milliseconds(flag: string, raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError(`--fault ${flag}: needs a whole number of ms`);
  return Number(raw);
}

/** `status:<VoiceId>:<raw|none>[:N]`; without N the override holds for every read. */
function statusOverride(flag: string): JobStatusOverride {
  const [, voiceId, raw, reads, ...extra] = flag.split(':');
  if (!voiceId || !raw || extra.length > 0 || (reads !== undefined && !/^[1-9]\d*$/.test(reads))) {
    throw new UsageError(`--fault "${flag}": expected status:<VoiceId>:<raw Status|none>[:N reads]`);
  }
  return {
    voiceId,
    status: raw === 'none' ? null : raw,
    reads: reads === undefined ? Number.MAX_SAFE_INTEGER : Number(reads),
  };
}

/** The flags as one FaultConfig, held to the admin API's rules (ranges included), so that a bad one is a usage error. */
export function parseFaultFlags(flags: readonly string[]): FaultConfig {
  const config = faultConfigOf(flags);
  const problem = faultConfigProblem(config);
  if (problem) throw new UsageError(`--fault: ${problem.field} ${problem.message}`);
  return config;
}

function faultConfigOf(flags: readonly string[]): FaultConfig {
  const config: FaultConfig = {};
  for (const flag of flags) {
    if (flag.startsWith('status:')) {
      config.jobStatusOverrides = [...(config.jobStatusOverrides ?? []), statusOverride(flag)];
      continue;
    }
    const [target, kind, amount, ...extra] = flag.split(':');
    if (!target || !kind || extra.length > 0) {
      throw new UsageError(`--fault "${flag}": expected op:kind[:count|rate] (see --help)`);
    }
    if (target === 'failTraining') {
      config.failTrainingVoiceIds = [...(config.failTrainingVoiceIds ?? []), kind];
      continue;
    }
    if (target === 'mns') {
      if (!(MNS_FAULT_TRIGGERS as readonly string[]).includes(kind)) {
        throw new UsageError(`--fault "${flag}": MNS faults are ${MNS_FAULT_TRIGGERS.join(', ')}`);
      }
      (config.mns ??= {})[kind as (typeof MNS_FAULT_TRIGGERS)[number]] = trigger(flag, amount);
      continue;
    }
    if (target === 'callbacks') {
      const callbacks = (config.callbacks ??= {});
      if ((CALLBACK_KINDS as readonly string[]).includes(kind)) {
        callbacks[kind as (typeof CALLBACK_KINDS)[number]] = trigger(flag, amount);
      } else if (kind === 'delay') callbacks.delayMs = milliseconds(flag, amount);
      else if (kind === 'reorder') callbacks.reorderBatch = milliseconds(flag, amount);
      else throw new UsageError(`--fault "${flag}": callback faults are drop, duplicate, delay, reorder`);
      continue;
    }
    if (target !== '*' && !(ICE_ACTIONS as readonly string[]).includes(target)) {
      throw new UsageError(
        `--fault "${flag}": unknown operation "${target}" (an ICE action, *, callbacks, mns, failTraining or status)`,
      );
    }
    const operations = (config.operations ??= {});
    const faults: OperationFaults = (operations[target as IceAction | '*'] ??= {});
    if ((OPERATION_KINDS as readonly string[]).includes(kind)) {
      faults[kind as (typeof OPERATION_KINDS)[number]] = trigger(flag, amount);
    } else if (kind === 'latency') faults.latencyMs = milliseconds(flag, amount);
    else if (kind === 'rateLimit') faults.rateLimitPerSecond = perSecond(flag, amount);
    else
      throw new UsageError(
        `--fault "${flag}": operation faults are throttle, serverError, closeAfterAccept, omitJobId, latency, rateLimit`,
      );
  }
  return config;
}
