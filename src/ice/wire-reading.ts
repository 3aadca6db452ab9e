/**
 * Small readers for ICE's PascalCase JSON. They check each field the package needs, so that a response in an
 * unexpected shape fails loudly at the boundary (as `WireShapeError`, which the client maps to an IceError) instead
 * of leaking `undefined` into a workflow. Descriptive fields are read as text and never fail a call.
 */
export type WireObject = Record<string, unknown>;

export class WireShapeError extends Error {
  override readonly name = 'WireShapeError';
  /** Dotted path of the field that is missing or misshapen, e.g. `Data.CustomizedVoiceJob.Status`. */
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.field = field;
  }
}

export function wireObject(value: unknown, path: string): WireObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WireShapeError(path, 'is not an object');
  }
  return value as WireObject;
}

export function requiredString(object: WireObject, key: string, path: string): string {
  const value = object[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new WireShapeError(`${path}.${key}`, 'is missing or not a string');
}

/**
 * Descriptive text fields (names, messages, times, and the enumerations ICE's SDK types as plain strings: Type,
 * Scenario, Gender): absent means empty, any value passes through.
 */
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
  throw new WireShapeError(`${path}.${key}`, 'is missing or not a number');
}

export function requiredBoolean(object: WireObject, key: string, path: string): boolean {
  const value = object[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new WireShapeError(`${path}.${key}`, 'is missing or not a boolean');
}

/** Lists: absent or null means empty. */
export function wireList(object: WireObject, key: string, path: string): WireObject[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new WireShapeError(`${path}.${key}`, 'is not a list');
  return value.map((item, index) => wireObject(item, `${path}.${key}[${index}]`));
}
