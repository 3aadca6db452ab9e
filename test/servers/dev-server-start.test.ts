/**
 * The local stack's dev server start (src/local-stack/dev-server.ts) when a port is taken: a port the CLI chose
 * itself and lost is tried again; a port the caller chose fails at once, naming the log.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { loadLocalToolsConfig } from '../../src/config';
import { portTakenAtStart, startTemporalDevServer } from '../../src/local-stack/dev-server';
import { freePort, LocalStackError } from '../../src/local-stack/ports';
import { resolveTemporalCli } from '../../src/local-stack/temporal-binaries';

// What CLI 1.5.1 logged when another process took the HTTP API port it had picked (seen in the bench).
const LOST_HTTP_PORT_LINE =
  'time=2026-11-28T09:46:40.834 level=ERROR msg="failed starting server: ... failed to build *frontend.HTTPAPIServer: ' +
  'received non-nil error from function HTTPAPIServerProvider: failed listening for HTTP API on 127.0.0.1:39579: ' +
  'listen tcp 127.0.0.1:39579: bind: address already in use"';

describe('portTakenAtStart', () => {
  it('reads the port of a bind failure from the server log', () => {
    assert.equal(portTakenAtStart(LOST_HTTP_PORT_LINE), 39579);
    assert.equal(portTakenAtStart('listen tcp [::1]:7233: bind: address already in use'), 7233);
    assert.equal(portTakenAtStart('level=WARN msg="something else"'), undefined);
  });
});

describe('startTemporalDevServer with a taken port', () => {
  let dir: string;
  let realCli: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dev-server-start-'));
    const resolved = await resolveTemporalCli(loadLocalToolsConfig());
    assert.ok(resolved, 'a Temporal CLI (run through scripts/run-tests.mjs)');
    realCli = resolved;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A CLI that counts its launches and, on the first one, fails the way a lost HTTP API port does. */
  function cliLosingItsPortOnce(): { cliPath: string; launches: () => number } {
    const counter = path.join(dir, `launches-${Math.random().toString(36).slice(2)}`);
    const cliPath = `${counter}.sh`;
    writeFileSync(
      cliPath,
      [
        '#!/bin/sh',
        `echo x >> '${counter}'`,
        `if [ "$(wc -l < '${counter}')" -eq 1 ]; then echo '${LOST_HTTP_PORT_LINE}'; exit 1; fi`,
        `exec '${realCli}' "$@"`,
      ].join('\n'),
    );
    chmodSync(cliPath, 0o755);
    const launches = (): number => readFileSync(counter, 'utf8').trim().split('\n').length;
    return { cliPath, launches };
  }

  it('starts the CLI again when it lost a port it chose itself, and serves', async () => {
    const cli = cliLosingItsPortOnce();
    const port = await freePort();
    const server = await startTemporalDevServer({
      cliPath: cli.cliPath,
      port,
      dbFile: path.join(dir, 'again.sqlite'),
      logFile: path.join(dir, 'again.log'),
    });
    try {
      assert.equal(cli.launches(), 2);
      const connection = await Connection.connect({ address: server.address });
      try {
        const info = await connection.workflowService.getSystemInfo({});
        assert.ok(info.capabilities, 'the restarted server answers');
      } finally {
        await connection.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('fails at once when the port the caller chose is taken', async () => {
    const cli = cliLosingItsPortOnce();
    // Closes every connection at once: the start's readiness probe may reach it before the CLI has exited.
    const holder: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    assert.ok(address && typeof address === 'object');
    try {
      // The first launch fails on the CLI's own port; the second then finds the caller's port taken.
      await assert.rejects(
        startTemporalDevServer({
          cliPath: cli.cliPath,
          port: address.port,
          dbFile: path.join(dir, 'taken.sqlite'),
          logFile: path.join(dir, 'taken.log'),
        }),
        (error: unknown) =>
          error instanceof LocalStackError &&
          error.code === 'TemporalServerFailed' &&
          error.message.includes(path.join(dir, 'taken.log')),
      );
      assert.equal(cli.launches(), 2, 'no third launch for a port the caller chose');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
