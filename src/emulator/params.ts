/** Reading and validating ICE business parameters (PascalCase, as received on the wire). */
import { IceWireError, invalidParameter, missingParameter } from './wire-error';

export type WireParams = Readonly<Record<string, string>>;

export function optionalParam(params: WireParams, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

export function requiredParam(params: WireParams, name: string): string {
  const value = optionalParam(params, name);
  if (value === undefined) throw missingParameter(name);
  return value;
}

export function enumParam<T extends string>(params: WireParams, name: string, allowed: readonly T[]): T {
  const value = requiredParam(params, name);
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidParameter(name, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function intParam(params: WireParams, name: string, fallback: number, min: number, max: number): number {
  const raw = optionalParam(params, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw invalidParameter(name, `must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

export function maxLength(name: string, value: string | undefined, max: number): void {
  if (value !== undefined && [...value].length > max) throw invalidParameter(name, `must be at most ${max} characters`);
}

export function unsupported(action: string): IceWireError {
  // ASSUMPTION (docs/ice-api.md#errors): mirrors the gateway's answer for an action the product does not have.
  return new IceWireError(
    404,
    'InvalidAction.NotFound',
    `Specified api "${action}" is not found, please check your url and method.`,
  );
}
