/**
 * Small readers for ICE's PascalCase JSON. They check each field they use, so that a response in an unexpected
 * shape fails loudly at the boundary (as `WireShapeError`, mapped to an `InvalidResponse` IceError) instead of
 * leaking `undefined` into a workflow.
 */
export type WireObject = Record<string, unknown>;

export class WireShapeError extends Error {
  override readonly name = 'WireShapeError';
}

export function wireObject(value: unknown, path: string): WireObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WireShapeError(`${path} is not an object`);
  }
  return value as WireObject;
}

export function requiredString(object: WireObject, key: string, path: string): string {
  const value = object[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new WireShapeError(`${path}.${key} is missing or not a string`);
}

/** Descriptive text fields (names, messages, times): absent means empty. */
export function optionalString(object: WireObject, key: string): string {
  const value = object[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Accepts JSON numbers and numeric strings (ICE is not consistent across products). */
export function requiredNumber(object: WireObject, key: string, path: string): number {
  const value = object[key];
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number)) return number;
  throw new WireShapeError(`${path}.${key} is missing or not a number`);
}

export function requiredBoolean(object: WireObject, key: string, path: string): boolean {
  const value = object[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new WireShapeError(`${path}.${key} is missing or not a boolean`);
}

export function requiredOneOf<T extends string>(
  object: WireObject,
  key: string,
  allowed: readonly T[],
  path: string,
): T {
  const value = object[key];
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new WireShapeError(`${path}.${key} is ${JSON.stringify(value)}, expected one of ${allowed.join('|')}`);
}

/** Lists: absent or null means empty. */
export function wireList(object: WireObject, key: string, path: string): WireObject[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new WireShapeError(`${path}.${key} is not a list`);
  return value.map((item, index) => wireObject(item, `${path}.${key}[${index}]`));
}
