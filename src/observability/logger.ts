/**
 * Structured logs: one JSON line per event on stderr, so that log shippers can parse them and stdout stays free
 * for command output. Field values whose key names a secret are replaced, so that a careless call site cannot
 * leak an AccessKey secret, an auth key or a signature.
 */
import type { LogLevel } from '../config';

/** Structured fields of one log line. */
export type LogFields = Record<string, unknown>;

/** The package's logger: one JSON line per entry; `child` adds fields to every line. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /secret|auth_?key|signature|token|password|authorization|api_?key/i;

/**
 * The fields with the value of every secret-looking key (secret, auth key, token, password, signature…) replaced
 * by `[redacted]`, nested objects included; an Error keeps only its name and message.
 */
export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEY.test(key)) out[key] = '[redacted]';
    else if (value instanceof Error) out[key] = { name: value.name, message: value.message };
    else if (value !== null && typeof value === 'object' && !Array.isArray(value))
      out[key] = redact(value as LogFields);
    else out[key] = value;
  }
  return out;
}

/** Where a logger writes each finished line (default: stderr). */
export type LogSink = (line: string) => void;

/** A JSON-lines logger writing entries at `level` and above to `sink`; fields are redacted before writing. */
export function createLogger(
  component: string,
  level: LogLevel = 'info',
  sink: LogSink = (line) => process.stderr.write(line + '\n'),
  baseFields: LogFields = {},
): Logger {
  const emit = (eventLevel: LogLevel, message: string, fields: LogFields = {}): void => {
    if (LEVEL_ORDER[eventLevel] < LEVEL_ORDER[level]) return;
    sink(
      JSON.stringify({
        time: new Date().toISOString(),
        level: eventLevel,
        component,
        msg: message,
        ...redact({ ...baseFields, ...fields }),
      }),
    );
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(component, level, sink, { ...baseFields, ...fields }),
  };
}

/** A logger that writes nothing: for tests and library use without logging. */
export const silentLogger: Logger = createLogger('silent', 'error', () => undefined);
