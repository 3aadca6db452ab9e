/**
 * A thin layer over node:util parseArgs: every command declares its options once, with a line of help each,
 * and gets `--help` and one-line usage errors (exit code 2) for free.
 */
import { parseArgs } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad command-line usage: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help, e.g. `<port>`. */
  value?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments shown in the usage line, e.g. `<voiceId>`. */
  positionals?: { name: string; description: string; required: boolean }[];
  options: Record<string, OptionSpec>;
  /** Extra lines after the options (examples, notes). */
  notes?: string[];
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  values: ParsedValues;
  positionals: string[];
  help: boolean;
}

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
  debug: { type: 'boolean', description: 'Print stack traces on errors.' },
};

export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const all = { ...spec.options, ...COMMON_OPTIONS };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, option]) => [
      name,
      {
        type: option.type,
        ...(option.multiple && { multiple: true }),
        ...(option.short !== undefined && { short: option.short }),
      },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs messages are one line and name the option; drop its "To specify a positional…" hints.
    const message = error instanceof Error ? error.message.split('. ')[0] : String(error);
    throw new UsageError(`${spec.name}: ${message.replace(/\.$/, '')} (see --help)`);
  }
  const values = parsed.values as ParsedValues;
  const help = values.help === true;
  if (!help) {
    const allowed = spec.positionals ?? [];
    if (parsed.positionals.length > allowed.length) {
      throw new UsageError(`${spec.name}: unexpected argument "${parsed.positionals[allowed.length]}" (see --help)`);
    }
    const missing = allowed.slice(parsed.positionals.length).find((positional) => positional.required);
    if (missing) throw new UsageError(`${spec.name}: missing ${missing.name} (see --help)`);
  }
  return { values, positionals: parsed.positionals, help };
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(values: ParsedValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : [];
}

export function requiredString(spec: CommandSpec, values: ParsedValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`${spec.name}: --${name} is required`);
  return value;
}

export function portOption(spec: CommandSpec, values: ParsedValues, name: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) {
    throw new UsageError(`${spec.name}: --${name} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

export function wholeNumberOption(
  spec: CommandSpec,
  values: ParsedValues,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`${spec.name}: --${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function renderHelp(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => (p.required ? p.name : `[${p.name}]`));
  const lines = [`Usage: ice-voice-clone ${[spec.name, ...positionals, '[options]'].join(' ')}`, '', spec.summary, ''];
  if (spec.positionals?.length) {
    lines.push('Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(28)} ${p.description}`);
    lines.push('');
  }
  lines.push('Options:');
  for (const [name, option] of Object.entries({ ...spec.options, ...COMMON_OPTIONS })) {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`;
    lines.push(`  ${flag.padEnd(28)} ${option.description}${option.multiple ? ' (repeatable)' : ''}`);
  }
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n') + '\n';
}
