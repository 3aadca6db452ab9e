/**
 * A TCP port that takes connections and never answers: a server that hangs (a Temporal frontend that accepts and
 * says nothing), which no HTTP target can stand for since a protocol it does not speak would be refused.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP port that takes connections and never answers: a peer that hangs (a silent Temporal, say). */
export interface TcpBlackHole {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Resolves when the first connection has been taken. */
  readonly firstConnection: Promise<void>;
  /** Drops every connection taken, then stops listening. */
  close(): Promise<void>;
}

/** Starts a black hole on a free port of 127.0.0.1. */
export async function startTcpBlackHole(): Promise<TcpBlackHole> {
  const sockets = new Set<Socket>();
  let connected: () => void = () => undefined;
  const firstConnection = new Promise<void>((resolve) => (connected = resolve));
  const server = createServer((socket) => {
    sockets.add(socket);
    connected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstConnection,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
