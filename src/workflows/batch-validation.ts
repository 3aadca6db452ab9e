/**
 * A batch's input checked as a whole (shared by `startVoiceCloneBatch`, which fails before any call, and the batch
 * workflow, which fails `InvalidInput` before starting anything): `maxConcurrent`'s range, at least one clone, a
 * fairness key Temporal accepts, and no voice twice. Each entry is checked with the clone's own validation; an
 * invalid entry does not refuse the batch (it ends `Failed` with `InvalidInput`). Pure and workflow-safe.
 */
import { BATCH_FAIRNESS_KEY_MAX_BYTES, BATCH_MAX_CONCURRENT, type VoiceCloneBatchInput } from './batch-definitions';
import type { VoiceCloneInput } from './definitions';
import { isNamedEdition, voiceCloneWorkflowId } from './editions';
import { validateVoiceCloneInput, type ValidVoiceCloneInput } from './validation';

/** One entry of the batch: valid (its clone's workflow ID and input) or not (the rule it broke). */
export type BatchClone =
  | { index: number; workflowId: string; valid: ValidVoiceCloneInput; input: VoiceCloneInput }
  | { index: number; workflowId: string; invalid: { field: string; rule: string; message: string } };

/** The batch as checked: its window size and its entries (indexes from `firstIndex`). */
export interface ValidBatch {
  maxConcurrent: number;
  clones: BatchClone[];
}

export type BatchValidation =
  { ok: true; value: ValidBatch } | { ok: false; field: string; rule: string; message: string };

/** Checks the batch; `firstIndex` is the input index of `clones[0]` (a continued run holds the rest only). */
export function validateVoiceCloneBatchInput(input: VoiceCloneBatchInput, firstIndex = 0): BatchValidation {
  const refused = (field: string, rule: string): BatchValidation => ({
    ok: false,
    field,
    rule,
    message: `${field}: ${rule}`,
  });
  if (typeof input !== 'object' || input === null) return refused('input', 'must be an object');
  const { min, max } = BATCH_MAX_CONCURRENT;
  const maxConcurrent = input.maxConcurrent ?? BATCH_MAX_CONCURRENT.default;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < min || maxConcurrent > max) {
    return refused(
      'maxConcurrent',
      `must be a whole number from ${min} to ${max} (default ${BATCH_MAX_CONCURRENT.default})`,
    );
  }
  if (!Array.isArray(input.clones) || input.clones.length === 0) {
    return refused('clones', 'must be a list of at least one clone input');
  }
  const { fairnessKey } = input;
  if (fairnessKey !== undefined && (typeof fairnessKey !== 'string' || !fairnessKeyFits(fairnessKey))) {
    return refused('fairnessKey', `must be a text of 1 to ${BATCH_FAIRNESS_KEY_MAX_BYTES} bytes (UTF-8)`);
  }
  const clones = input.clones.map((clone, offset) => batchClone(clone, firstIndex + offset));
  const duplicate = firstDuplicate(clones);
  if (duplicate) {
    return refused(
      `clones[${duplicate.first}], clones[${duplicate.second}]`,
      `are the same voice (workflow ID ${duplicate.workflowId}): a voice may appear once in a batch`,
    );
  }
  return { ok: true, value: { maxConcurrent, clones } };
}

function batchClone(input: VoiceCloneInput, index: number): BatchClone {
  const validation = validateVoiceCloneInput(input);
  if (validation.ok) {
    return { index, workflowId: voiceCloneWorkflowId(validation.value), valid: validation.value, input };
  }
  const { field, rule } = validation;
  return {
    index,
    workflowId: workflowIdAsNamed(input),
    invalid: { field, rule, message: `clones[${index}].${field}: ${rule}` },
  };
}

/** An invalid entry's workflow ID as far as it names a voice ('' when it names none). */
function workflowIdAsNamed(input: VoiceCloneInput): string {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const name = (value: unknown): string => (typeof value === 'string' ? value : '');
  if (isNamedEdition(raw.edition)) {
    const voiceName = name(raw.voiceName);
    return voiceName ? voiceCloneWorkflowId({ edition: raw.edition, voiceName }) : '';
  }
  const voiceId = name(raw.voiceId);
  return voiceId ? voiceCloneWorkflowId(voiceId) : '';
}

function firstDuplicate(clones: BatchClone[]): { first: number; second: number; workflowId: string } | undefined {
  const seen = new Map<string, number>();
  for (const clone of clones) {
    if (!('valid' in clone)) continue;
    const first = seen.get(clone.workflowId);
    if (first !== undefined) return { first, second: clone.index, workflowId: clone.workflowId };
    seen.set(clone.workflowId, clone.index);
  }
  return undefined;
}

function fairnessKeyFits(key: string): boolean {
  const bytes = utf8Bytes(key);
  return bytes >= 1 && bytes <= BATCH_FAIRNESS_KEY_MAX_BYTES;
}

/** UTF-8 length without TextEncoder (workflow-safe): 1–4 bytes per code point. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The default fairness key: the batch's workflow ID, cut to the 64 bytes Temporal allows. */
export function defaultFairnessKey(workflowId: string): string {
  let key = '';
  for (const char of workflowId) {
    if (!fairnessKeyFits(key + char)) break;
    key += char;
  }
  return key;
}
