/**
 * Port checks for the local stack: fail before starting anything when a port is taken (with a message that
 * names the port and the flag that moves it), and turn port 0 into a concrete free port where a child process
 * or a URL needs the number up front.
 */
import { createServer } from 'node:net';

export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
  constructor(
    readonly code: 'PortInUse' | 'TemporalCliMissing' | 'TemporalServerFailed',
    message: string,
  ) {
    super(message);
  }
}

export interface NamedPort {
  /** What uses it, e.g. "Temporal gRPC". */
  name: string;
  /** The option that changes it, e.g. "--temporal-port". */
  flag: string;
  port: number;
}

function listenOnce(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return listenOnce(0, host);
}

/** Throws `PortInUse` for the first taken port; port 0 is skipped (resolved later). */
export async function assertPortsFree(ports: NamedPort[], host = '127.0.0.1'): Promise<void> {
  const seen = new Map<number, string>();
  for (const entry of ports) {
    if (entry.port === 0) continue;
    const clash = seen.get(entry.port);
    if (clash) {
      throw new LocalStackError('PortInUse', `port ${entry.port} is given to both ${clash} and ${entry.name}`);
    }
    seen.set(entry.port, entry.name);
    try {
      await listenOnce(entry.port, host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${code ?? String(error)})`;
      throw new LocalStackError(
        'PortInUse',
        `port ${entry.port} for ${entry.name} ${why}; stop what uses it or choose another with ${entry.flag}`,
      );
    }
  }
}

/** The given port, or a free one when it is 0. */
export async function concretePort(port: number, host = '127.0.0.1'): Promise<number> {
  return port === 0 ? freePort(host) : port;
}
