/** What the Standard and CosyVoice clone tests share: inputs the emulator accepts, and counts from its call log. */
import { randomBytes } from 'node:crypto';
import type { EmulatedVoiceJob, RunningEmulator } from '../../src/emulator';
import type { CosyVoiceCloneInput, StandardVoiceCloneInput, VoiceCloneTiming } from '../../src/workflows/definitions';

let nameSeq = 0;
/** A fresh VoiceName (≤ 32 characters, a space inside) so that tests sharing an emulator never collide. */
export function newVoiceName(prefix = 'Voice'): string {
  nameSeq += 1;
  return `${prefix} ${nameSeq}x${randomBytes(3).toString('hex')}`.slice(0, 32);
}

export function standardInput(
  voiceName: string,
  timing: VoiceCloneTiming,
  overrides: Partial<StandardVoiceCloneInput> = {},
): StandardVoiceCloneInput {
  return {
    edition: 'standard',
    voiceName,
    gender: 'female',
    authenticationMediaId: `auth-${randomBytes(4).toString('hex')}`,
    audioMediaIds: ['audio-part-1', 'audio-part-2', 'audio-part-3'],
    timing,
    ...overrides,
  };
}

export function cosyVoiceInput(
  voiceName: string,
  timing: VoiceCloneTiming,
  overrides: Partial<CosyVoiceCloneInput> = {},
): CosyVoiceCloneInput {
  return {
    edition: 'cosyvoice',
    voiceName,
    gender: 'male',
    audioMediaId: `audio-${randomBytes(4).toString('hex')}`,
    model: 'cosyvoice-v3.5-plus',
    timing,
    ...overrides,
  };
}

export const NAMED_SUBMIT_ACTIONS = ['SubmitStandardCustomizedVoiceJob', 'SubmitCosyVoiceCustomizedVoiceJob'];

/** Submits of this VoiceName that reached the emulator's business logic (a refused one counts too). */
export async function performedSubmitsNamed(emulator: RunningEmulator, voiceName: string): Promise<number> {
  return (await emulator.admin.calls()).filter(
    (call) => NAMED_SUBMIT_ACTIONS.includes(call.action) && call.performed && call.params.VoiceName === voiceName,
  ).length;
}

/** The emulator's jobs of this VoiceName. */
export async function jobsNamed(emulator: RunningEmulator, voiceName: string): Promise<EmulatedVoiceJob[]> {
  return (await emulator.admin.jobs()).filter((job) => job.voiceName === voiceName);
}

/** The one job of this VoiceName (fails when there is none or more). */
export async function onlyJobNamed(emulator: RunningEmulator, voiceName: string): Promise<EmulatedVoiceJob> {
  const jobs = await jobsNamed(emulator, voiceName);
  if (jobs.length !== 1) throw new Error(`expected one job named ${voiceName}, got ${jobs.length}`);
  return jobs[0];
}
