/**
 * Attacks through settings, against the real CLI (the bin launcher in a child process, its real exit code): a bad
 * LOG_LEVEL for every command, a receiver that could check no signature, an unsigned receiver asked to sign what
 * it forwards, bind addresses that cannot be resolved, are not this machine's, or are taken, and Temporal's own
 * settings (a profile, a TOML file, a certificate path). Each is refused before anything listens or calls out, with
 * one line that names the variable and never echoes a key.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { CallbackReceiverError, createIceCallbackHandler } from '../../src/callback/handler';
import { COMMANDS } from '../../src/cli/main';
import { loadCallbackReceiverConfig, type Env } from '../../src/config';
import { createIceClient } from '../../src/ice';
import { startHttpCapture, type HttpCapture } from '../support/harness';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'ice-voice-clone.js');
/** A command that wrongly went on would fail to connect (exit 1), never hang: nothing listens on port 1. */
const NOWHERE: Env = { TEMPORAL_ADDRESS: '127.0.0.1:1', ICE_ENDPOINT: 'http://127.0.0.1:1' };
const UNSIGNED_RECEIVER: Env = { ...NOWHERE, ICE_CALLBACK_ALLOW_UNSIGNED: 'true', ICE_CALLBACK_PORT: '0' };
const FORWARD_KEY = 'OldEndpoint7Key';

interface Exit {
  code: number | null;
  err: string;
}

/** Runs the CLI with only `env` (and PATH) as its environment; one that is still running after 30 s is killed. */
function runBin(argv: string[], env: Env): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, err })));
}

/** The last stderr line (logs may come first) is the error, naming `variables`. */
function assertRefused(exit: Exit, code: number, variables: RegExp[], label = ''): void {
  const line = exit.err.trim().split('\n').at(-1) ?? '';
  assert.equal(exit.code, code, `${label} exit ${String(exit.code)}:\n${exit.err}`);
  assert.match(line, /^error: /);
  for (const variable of variables) assert.match(line, variable);
  assert.doesNotMatch(exit.err, /\n\s+at /, 'no stack trace');
}

/** Each command with arguments it accepts, so that LOG_LEVEL is the only thing wrong. */
const EVERY_COMMAND: Record<keyof typeof COMMANDS, string[]> = {
  dev: ['dev', '--no-demo', '--temporal-port', '0', '--ui-port', '0', '--callback-port', '0', '--emulator-port', '0'],
  worker: ['worker'],
  start: ['start', '--voice-id', 'Abc1'],
  status: ['status', 'Abc1'],
  voices: ['voices'],
  'delete-job': ['delete-job', 'job-0001'],
  'callback-server': ['callback-server'],
  'callback-consumer': ['callback-consumer'],
  'configure-callback': ['configure-callback', '--url', 'https://cb.example.com/ice', '--unsigned', '--dry-run'],
  emulator: ['emulator', '--port', '0'],
  batch: ['batch', '--file', 'clones.jsonl'],
  'batch-status': ['batch-status', '--batch-id', 'voice-clone-batch-1'],
};

describe('settings an attacker or a typo can give', () => {
  it('LOG_LEVEL=bogus is exit 2 naming LOG_LEVEL for every command', async () => {
    assert.deepEqual(Object.keys(EVERY_COMMAND).sort(), Object.keys(COMMANDS).sort(), 'a new command is listed here');
    for (const [name, argv] of Object.entries(EVERY_COMMAND)) {
      const exit = await runBin(argv, { ...UNSIGNED_RECEIVER, LOG_LEVEL: 'bogus' });
      assertRefused(exit, 2, [/LOG_LEVEL/], name);
    }
  });

  it('a queue consumer without a queue, with a queue ICE cannot write to, or without an endpoint is exit 2', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /ICE_CALLBACK_MNS_QUEUE/],
      [{ ICE_CALLBACK_MNS_QUEUE: 'voice-events' }, /ICE_CALLBACK_MNS_QUEUE.*ice-callback-/],
      [{ ICE_CALLBACK_MNS_QUEUE: 'ice-callback-a_b' }, /ICE_CALLBACK_MNS_QUEUE/],
      [{ ICE_CALLBACK_MNS_QUEUE: 'ice-callback-voice' }, /ALIBABA_CLOUD_ACCOUNT_ID/],
      [{ ICE_CALLBACK_MNS_QUEUE: 'ice-callback-voice', ICE_MNS_ENDPOINT: 'ftp://x' }, /ICE_MNS_ENDPOINT/],
      [
        {
          ICE_CALLBACK_MNS_QUEUE: 'ice-callback-voice',
          ICE_MNS_ENDPOINT: 'http://127.0.0.1:9',
          ICE_CALLBACK_MNS_MAX_DEQUEUE: '0',
        },
        /ICE_CALLBACK_MNS_MAX_DEQUEUE/,
      ],
      [
        {
          ICE_CALLBACK_MNS_QUEUE: 'ice-callback-voice',
          ICE_MNS_ENDPOINT: 'http://127.0.0.1:9',
          ICE_CALLBACK_CONSUMER_ADDRESS: 'nowhere',
        },
        /ICE_CALLBACK_CONSUMER_ADDRESS/,
      ],
    ];
    for (const [env, pattern] of cases) {
      assertRefused(await runBin(['callback-consumer'], { ...NOWHERE, ...env }), 2, [pattern], JSON.stringify(env));
    }
  });

  it('a receiver with neither keys nor unsigned mode is exit 2 naming ICE_CALLBACK_AUTH_KEYS', async () => {
    assertRefused(await runBin(['callback-server'], { ...NOWHERE, ICE_CALLBACK_PORT: '0' }), 2, [
      /ICE_CALLBACK_AUTH_KEYS/,
      /ICE_CALLBACK_ALLOW_UNSIGNED/,
    ]);
  });

  it('an unsigned receiver with a forward key is exit 2 naming both, the key not echoed', async () => {
    const exit = await runBin(['callback-server'], {
      ...UNSIGNED_RECEIVER,
      ICE_CALLBACK_FORWARD_URL: 'https://old.example.com/ice-events',
      ICE_CALLBACK_FORWARD_AUTH_KEY: FORWARD_KEY,
    });
    assertRefused(exit, 2, [/ICE_CALLBACK_FORWARD_AUTH_KEY/, /ICE_CALLBACK_ALLOW_UNSIGNED/]);
    assert.ok(!exit.err.includes(FORWARD_KEY), 'the key is never echoed');
  });

  it('the library handler refuses unsigned mode with a forward key too (a team mounting it in its own service)', async () => {
    const config = {
      ...loadCallbackReceiverConfig({ ICE_CALLBACK_ALLOW_UNSIGNED: 'true' }),
      forwardUrl: 'https://old.example.com/ice-events',
      forwardAuthKey: FORWARD_KEY,
    };
    const ice = createIceClient({
      region: 'cn-shanghai',
      endpoint: 'http://127.0.0.1:9',
      connectTimeoutMs: 200,
      readTimeoutMs: 200,
      credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' },
    });
    assert.throws(
      () => createIceCallbackHandler({ config, client: new Client(), ice }),
      (error: unknown) =>
        error instanceof CallbackReceiverError &&
        error.code === 'UnsignedForwardSigningRefused' &&
        !error.message.includes(FORWARD_KEY),
    );
  });

  it('a bind host that is no address, does not resolve or is not this machine is exit 2 naming its variable', async () => {
    const cases: [string[], Env, RegExp][] = [
      [['callback-server'], { ...UNSIGNED_RECEIVER, ICE_CALLBACK_HOST: '999.1.1.1' }, /ICE_CALLBACK_HOST/],
      [['callback-server'], { ...UNSIGNED_RECEIVER, ICE_CALLBACK_HOST: 'bogus.invalid' }, /ICE_CALLBACK_HOST/],
      // TEST-NET-1 (RFC 5737): a valid address that no machine here has.
      [['callback-server'], { ...UNSIGNED_RECEIVER, ICE_CALLBACK_HOST: '192.0.2.1' }, /ICE_CALLBACK_HOST/],
      [['emulator', '--port', '0'], { ICE_EMULATOR_HOST: 'bogus.invalid' }, /ICE_EMULATOR_HOST/],
      [['emulator', '--port', '0'], { ICE_EMULATOR_HOST: '999.1.1.1' }, /ICE_EMULATOR_HOST/],
      [['emulator', '--port', '0', '--host', 'bogus.invalid'], {}, /--host/],
      // Temporal Core's exporter takes a socket address: a name was refused there, naming no variable.
      [['worker'], { ...NOWHERE, VOICE_CLONE_METRICS_ADDRESS: 'bogus.invalid:9464' }, /VOICE_CLONE_METRICS_ADDRESS/],
      [['worker'], { ...NOWHERE, VOICE_CLONE_METRICS_ADDRESS: '192.0.2.1:9464' }, /VOICE_CLONE_METRICS_ADDRESS/],
    ];
    for (const [argv, env, variable] of cases) assertRefused(await runBin(argv, env), 2, [variable]);
  });

  it("Temporal's settings are refused naming their variable, never quoting the configuration file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'settings-attack-'));
    try {
      const file = path.join(dir, 'temporal.toml');
      // A TOML parser's error quotes the lines around the fault: here, an API key.
      await writeFile(file, '[profile.default]\napi_key = "TopSecretApiKey42"\nnot toml at all ::\n', { mode: 0o600 });
      const toml = await runBin(['status', 'Abc1'], { ...NOWHERE, TEMPORAL_CONFIG_FILE: file });
      assertRefused(toml, 2, [/TEMPORAL_CONFIG_FILE/]);
      assert.ok(!toml.err.includes('TopSecretApiKey42'), `the file is quoted:\n${toml.err}`);
      assertRefused(await runBin(['status', 'Abc1'], { ...NOWHERE, TEMPORAL_PROFILE: 'nope' }), 2, [
        /TEMPORAL_PROFILE/,
      ]);
      const missing = path.join(dir, 'missing.pem');
      const cert = await runBin(['start', '--voice-id', 'Abc1'], {
        ...NOWHERE,
        TEMPORAL_TLS_CLIENT_CERT_PATH: missing,
      });
      assertRefused(cert, 2, [/TEMPORAL_TLS_CLIENT_CERT_PATH/]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('a port another process holds', () => {
    let holder: HttpCapture;
    let port = 0;
    before(async () => {
      // Any listener on 127.0.0.1 holds the port: the harness's capture target is one.
      holder = await startHttpCapture();
      port = Number(new URL(holder.url).port);
    });
    after(() => holder.close());

    it('is exit 1 (the machine, not the setting) naming the variables', async () => {
      const receiver = await runBin(['callback-server'], {
        ...UNSIGNED_RECEIVER,
        ICE_CALLBACK_HOST: '127.0.0.1',
        ICE_CALLBACK_PORT: String(port),
      });
      assertRefused(receiver, 1, [/ICE_CALLBACK_HOST/, /ICE_CALLBACK_PORT/, /in use/]);
      const emulator = await runBin(['emulator'], { ICE_EMULATOR_PORT: String(port) });
      assertRefused(emulator, 1, [/ICE_EMULATOR_HOST/, /ICE_EMULATOR_PORT/, /in use/]);
      const worker = await runBin(['worker'], { ...NOWHERE, VOICE_CLONE_METRICS_ADDRESS: `127.0.0.1:${port}` });
      assertRefused(worker, 1, [/VOICE_CLONE_METRICS_ADDRESS/]);
    });
  });
});
