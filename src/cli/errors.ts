/**
 * Turns any error into the one line a CLI user sees, and the exit code: 2 for bad usage or settings (the user
 * can fix the command), 1 for everything else. Stack traces only with --debug.
 */
import { WorkflowFailedError, type WorkflowUpdateFailedError } from '@temporalio/client';
import { voiceCloneFailureOf } from '../client/voice-clone-status';
import { ConfigError } from '../config';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './args';

/** A failure already worded for the user (e.g. "TrainingFailed: …"), with its exit code. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** `Type: message` of the innermost application failure, which is where the clone's failure type lives. */
export function describeWorkflowFailure(error: WorkflowFailedError | WorkflowUpdateFailedError): string {
  const { type, message } = voiceCloneFailureOf(error);
  return `${type}: ${message}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** A server's address and the settings (variables or flags) it came from, to name them when it cannot listen. */
export interface BindSettings {
  host: string;
  hostSetting: string;
  port: number;
  portSetting: string;
}

function badSetting(setting: string, rule: string): Error {
  return setting.startsWith('--') ? new UsageError(`${setting} ${rule}`) : new ConfigError(setting, rule);
}

/**
 * A server that cannot listen, worded with the setting to change. A host that does not resolve or is not an
 * address of this machine is a bad setting (exit 2); a port another process holds, or one that needs privileges,
 * is the machine's state (exit 1, as `dev` answers a busy port). Any other error is returned as it is.
 */
/** Where a service listens and the settings that say so (`portSetting` defaults to `hostSetting`: one address). */
export function bindOf(host: string, port: number, hostSetting: string, portSetting = hostSetting): BindSettings {
  return { host, hostSetting, port, portSetting };
}

/** Runs a service until it stops; a failure to listen is reworded to name the settings of `bind` (exit 2 or 1). */
export async function runNamingBindSettings(bind: BindSettings, service: Promise<void>): Promise<number> {
  await service.catch((error: unknown) => {
    throw bindFailure(error, bind);
  });
  return EXIT_OK;
}

export function bindFailure(error: unknown, bind: BindSettings): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { code, syscall } = error as NodeJS.ErrnoException;
  const quotedHost = `"${bind.host}"`;
  if (syscall === 'getaddrinfo') {
    return badSetting(bind.hostSetting, `${quotedHost} cannot be resolved to an address (${code ?? 'no address'})`);
  }
  if (syscall !== 'listen') return error;
  if (code === 'EADDRNOTAVAIL') {
    return badSetting(bind.hostSetting, `${quotedHost} is not an address of this machine (${code})`);
  }
  const where = `${bind.host}:${bind.port} (${bind.hostSetting}, ${bind.portSetting})`;
  if (code === 'EADDRINUSE') {
    return new CliFailure(`cannot listen on ${where}: the port is in use; stop what uses it or choose another`);
  }
  return new CliFailure(`cannot listen on ${where}: ${code ?? 'error'}`);
}

/**
 * Temporal Core's Prometheus exporter that cannot bind, named by its variable, with the rule of {@link bindFailure}:
 * an address not this machine's is a bad setting (exit 2), anything else (a port in use) a failure (exit 1).
 */
export function metricsExporterFailure(error: unknown, address: string | undefined): unknown {
  const message = error instanceof Error ? error.message : '';
  if (address === undefined || !/prometheus metrics exporter/i.test(message)) return error;
  if (/assign requested address/i.test(message)) {
    return new ConfigError('VOICE_CLONE_METRICS_ADDRESS', `"${address}" is not an address of this machine`);
  }
  return new CliFailure(`cannot serve metrics on ${address} (VOICE_CLONE_METRICS_ADDRESS): ${message}`);
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError) return EXIT_USAGE;
  if (error instanceof CliFailure) return error.exitCode;
  return EXIT_FAILURE;
}

export function describeError(error: unknown): string {
  if (error instanceof UsageError || error instanceof CliFailure) return oneLine(error.message);
  if (error instanceof ConfigError) return `invalid setting ${oneLine(error.message)}`;
  if (error instanceof WorkflowFailedError) return oneLine(describeWorkflowFailure(error));
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const prefix = typeof code === 'string' && !error.message.includes(code) ? `${code}: ` : '';
    return oneLine(`${prefix}${error.message}`) || error.name;
  }
  return oneLine(String(error));
}

export function formatError(error: unknown, debug: boolean): string {
  const line = `error: ${describeError(error)}`;
  return debug && error instanceof Error && error.stack ? `${line}\n${error.stack}` : line;
}
