/**
 * `configure-callback` shares the account's one callback setting, for a URL and for an MNS queue: against the real
 * emulator over real HTTP with signed requests, it refuses to replace another endpoint without --replace (and writes
 * nothing), merges event types, writes nothing on --dry-run, prints the forward line when it replaces a URL, refuses
 * a bad queue name before any call, and never prints a key.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runCliInProcess, useEmulatorCredentialsInProcessEnv, type CliRun } from './support';
import { EMULATOR_DEV_CREDENTIALS, type Env } from '../../src/config';
import type { RunningEmulator } from '../../src/emulator';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { wireClient, type WireClient } from '../emulator/support/ice-wire';

const ROOT = path.resolve(__dirname, '../..');
const OURS = 'https://hooks.example.com/ice/callback';
const THEIRS = 'https://media.example.com/ice-events';
const OUR_KEY = 'OurCallbackKey1';
const THEIR_KEY = 'TheirPipelineKey2';

describe('configure-callback on a shared account', () => {
  let harness: IceHarness;
  let emulator: RunningEmulator;
  let ice: WireClient;
  let env: Env;
  useEmulatorCredentialsInProcessEnv();
  // A fresh emulator per test: each starts from its own account setting.
  beforeEach(async () => {
    harness = await startTestEmulator({ trainingMs: 60_000 });
    emulator = harness.emulator;
    ice = wireClient(emulator.url, EMULATOR_DEV_CREDENTIALS);
    env = { ICE_ENDPOINT: emulator.url, LOG_LEVEL: 'error' };
  });
  afterEach(() => harness.close());

  async function runCli(argv: string[]): Promise<CliRun> {
    const { code, out, err } = await runCliInProcess(['configure-callback', ...argv], env);
    for (const key of [OUR_KEY, THEIR_KEY]) {
      assert.ok(!out.includes(key) && !err.includes(key), `a key was printed:\n${out}\n${err}`);
    }
    return { code, out, err };
  }
  /** Another pipeline's setting, then a clean call log so that only the command's own calls show. */
  async function theirSetting(params: Record<string, string>): Promise<void> {
    await ice.ok('SetEventCallback', params);
    await emulator.admin.clearCalls();
  }
  const theirHttp = (eventTypes = 'ProduceMediaComplete,TranscodeComplete') =>
    theirSetting({
      CallbackType: 'HTTP',
      CallbackURL: THEIRS,
      EventTypeList: eventTypes,
      AuthSwitch: 'on',
      AuthKey: THEIR_KEY,
    });
  const setting = async (): Promise<Record<string, unknown>> => {
    const { RequestId: _requestId, ...rest } = await ice.ok('GetEventCallback');
    return rest;
  };
  const actions = async (): Promise<string[]> => (await emulator.admin.calls()).map((call) => call.action);

  it('sets a callback on an account that has none, with exactly the named event types', async () => {
    const run = await runCli(['--url', OURS, '--auth-key', OUR_KEY, '--event-type', 'CustomizedVoiceJobComplete']);
    assert.equal(run.code, 0, run.err);
    assert.deepEqual(await setting(), {
      CallbackType: 'HTTP',
      CallbackURL: OURS,
      EventTypeList: 'CustomizedVoiceJobComplete',
      AuthSwitch: 'on',
      AuthKey: OUR_KEY,
    });
    assert.match(run.out, /\(no callback set\)/);
    assert.match(run.out, /Auth key\s+\[set\]/);
    assert.doesNotMatch(run.out, /ICE_CALLBACK_FORWARD_URL/);
  });

  it("refuses another pipeline's URL without --replace: exit 1, its setting printed without its key, nothing written", async () => {
    await theirHttp();
    const run = await runCli(['--url', OURS, '--auth-key', OUR_KEY]);
    assert.equal(run.code, 1);
    assert.match(run.out, new RegExp(`Callback URL\\s+${THEIRS}`));
    assert.match(run.out, /Event types\s+ProduceMediaComplete,TranscodeComplete/);
    assert.match(run.out, /Auth key\s+\[set\]/);
    assert.match(run.err, /--replace/);
    assert.equal(run.err.trim().split('\n').length, 1);
    assert.deepEqual(await actions(), ['GetEventCallback'], 'no SetEventCallback reached the emulator');
    assert.equal((await setting()).CallbackURL, THEIRS);
  });

  it('refuses an MNS setting without --replace, and on --replace says that MNS cannot be forwarded to', async () => {
    await theirSetting({
      CallbackType: 'MNS',
      CallbackQueueName: 'ice-callback-media',
      EventTypeList: 'FileUploadComplete',
    });
    const refused = await runCli(['--url', OURS, '--unsigned']);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /Callback type\s+MNS/);
    assert.match(refused.out, /MNS queue\s+ice-callback-media/);
    assert.match(refused.err, /MNS queue ice-callback-media/);
    assert.deepEqual(await actions(), ['GetEventCallback']);

    const replaced = await runCli(['--url', OURS, '--unsigned', '--replace']);
    assert.equal(replaced.code, 0, replaced.err);
    assert.match(replaced.out, /MNS delivery cannot be forwarded to/);
    assert.doesNotMatch(replaced.out, /ICE_CALLBACK_FORWARD_URL/);
    const after = await setting();
    assert.deepEqual(
      [after.CallbackType, after.CallbackURL, after.EventTypeList],
      ['HTTP', OURS, 'FileUploadComplete'],
    );
  });

  it('--replace takes a URL over, keeps its event types and prints the forward line for the receiver', async () => {
    await theirHttp();
    const run = await runCli([
      '--url',
      OURS,
      '--auth-key',
      OUR_KEY,
      '--replace',
      '--event-type',
      'CustomizedVoiceJobComplete',
      '--event-type',
      'TranscodeComplete',
    ]);
    assert.equal(run.code, 0, run.err);
    assert.ok(run.out.split('\n').includes(`ICE_CALLBACK_FORWARD_URL=${THEIRS}`), run.out);
    assert.match(
      run.out,
      /ICE_CALLBACK_FORWARD_AUTH_KEY/,
      'the old setting was signed: say that the forward needs its key',
    );
    assert.deepEqual(await setting(), {
      CallbackType: 'HTTP',
      CallbackURL: OURS,
      EventTypeList: 'ProduceMediaComplete,TranscodeComplete,CustomizedVoiceJobComplete',
      AuthSwitch: 'on',
      AuthKey: OUR_KEY,
    });
  });

  it('updates its own URL in place: merges event types, never drops one, switches auth', async () => {
    await theirSetting({
      CallbackURL: OURS,
      EventTypeList: 'ProduceMediaComplete',
      AuthSwitch: 'on',
      AuthKey: THEIR_KEY,
    });
    const run = await runCli(['--url', OURS, '--unsigned', '--event-type', 'CustomizedVoiceJobComplete']);
    assert.equal(run.code, 0, run.err);
    const after = await setting();
    assert.deepEqual(
      [after.CallbackURL, after.EventTypeList, after.AuthSwitch],
      [OURS, 'ProduceMediaComplete,CustomizedVoiceJobComplete', 'off'],
    );
    const again = await runCli(['--url', OURS, '--auth-key', OUR_KEY, '--event-type', 'ProduceMediaComplete']);
    assert.equal(again.code, 0, again.err);
    const last = await setting();
    assert.deepEqual(
      [last.EventTypeList, last.AuthSwitch, last.AuthKey],
      ['ProduceMediaComplete,CustomizedVoiceJobComplete', 'on', OUR_KEY],
    );
  });

  it('keeps an empty EventTypeList empty (every type, by assumption) and says why the names were not added', async () => {
    await theirSetting({ CallbackURL: OURS });
    const run = await runCli(['--url', OURS, '--auth-key', OUR_KEY, '--event-type', 'CustomizedVoiceJobComplete']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /EventTypeList is empty.*CustomizedVoiceJobComplete not added/);
    assert.equal((await setting()).EventTypeList, '');
  });

  it('--dry-run prints what it would set, whether a key would be set, and writes nothing', async () => {
    await theirHttp();
    const run = await runCli(['--url', OURS, '--auth-key', OUR_KEY, '--replace', '--dry-run', '--event-type', 'X1']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /Would set \(dry run, nothing written\)/);
    assert.match(run.out, new RegExp(`Callback URL\\s+${OURS}`));
    assert.match(run.out, /Event types\s+ProduceMediaComplete,TranscodeComplete,X1/);
    assert.match(run.out, /Auth key\s+would be set/);
    assert.ok(run.out.split('\n').includes(`ICE_CALLBACK_FORWARD_URL=${THEIRS}`));
    assert.deepEqual(await actions(), ['GetEventCallback'], 'a dry run sends no SetEventCallback');
    assert.equal((await setting()).CallbackURL, THEIRS);
    // Without --replace a dry run shows the refusal the real run would give.
    assert.equal((await runCli(['--url', OURS, '--auth-key', OUR_KEY, '--dry-run'])).code, 1);
  });

  it('--json carries the before and after settings, without keys', async () => {
    await theirHttp('TranscodeComplete');
    const run = await runCli(['--url', OURS, '--auth-key', OUR_KEY, '--replace', '--json']);
    assert.equal(run.code, 0, run.err);
    const report = JSON.parse(run.out) as Record<string, unknown>;
    assert.equal(report.outcome, 'applied');
    assert.deepEqual((({ requestId: _requestId, ...rest }) => rest)(report.before as Record<string, unknown>), {
      callbackType: 'HTTP',
      callbackUrl: THEIRS,
      eventTypeList: ['TranscodeComplete'],
      authSwitch: 'on',
      authKey: '[set]',
    });
    assert.deepEqual((({ requestId: _requestId, ...rest }) => rest)(report.after as Record<string, unknown>), {
      callbackType: 'HTTP',
      callbackUrl: OURS,
      eventTypeList: ['TranscodeComplete'],
      authSwitch: 'on',
      authKey: '[set]',
    });
    assert.equal(report.forwardLine, `ICE_CALLBACK_FORWARD_URL=${THEIRS}`);
    assert.deepEqual(report.replaces, { kind: 'url', url: THEIRS, signed: true });

    await theirHttp();
    const refused = await runCli(['--url', OURS, '--unsigned', '--json']);
    assert.equal(refused.code, 1);
    const refusal = JSON.parse(refused.out) as Record<string, unknown>;
    assert.equal(refusal.outcome, 'refused');
    assert.equal((refusal.after as { callbackUrl: string }).callbackUrl, THEIRS, 'unchanged');
    assert.equal(refusal.forwardLine, null);
  });

  it('answers an unusable URL with exit 2 before writing anything', async () => {
    const run = await runCli(['--url', 'ftp://x.example.com/cb', '--unsigned']);
    assert.equal(run.code, 2);
    assert.match(run.err, /http or https/);
    assert.deepEqual(await actions(), []);
  });

  describe('--mns-queue', () => {
    const QUEUE = 'ice-callback-voice-clone';
    const theirQueue = () =>
      theirSetting({
        CallbackType: 'MNS',
        CallbackQueueName: 'ice-callback-media',
        EventTypeList: 'FileUploadComplete',
      });

    it("refuses another pipeline's URL without --replace: exit 1, its setting printed without its key, nothing written", async () => {
      await theirHttp();
      const run = await runCli(['--mns-queue', QUEUE, '--event-type', 'CustomizedVoiceJobComplete']);
      assert.equal(run.code, 1);
      assert.match(run.out, new RegExp(`Callback URL\\s+${THEIRS}`));
      assert.match(run.out, /Auth key\s+\[set\]/);
      assert.match(run.err, new RegExp(`already delivers to ${THEIRS}; give --replace`));
      assert.deepEqual(await actions(), ['GetEventCallback'], 'no SetEventCallback reached the emulator');
      assert.equal((await setting()).CallbackURL, THEIRS);
    });

    it('--replace takes a URL over, merges event types and prints the forward line for the consumer', async () => {
      await theirHttp();
      const run = await runCli(['--mns-queue', QUEUE, '--replace', '--event-type', 'CustomizedVoiceJobComplete']);
      assert.equal(run.code, 0, run.err);
      assert.ok(run.out.split('\n').includes(`ICE_CALLBACK_FORWARD_URL=${THEIRS}`), run.out);
      assert.match(run.out, /callback consumer/);
      assert.match(run.out, /ICE_CALLBACK_FORWARD_AUTH_KEY/, 'the old setting was signed: the forward needs its key');
      assert.match(run.out, new RegExp(`MNS queue\\s+${QUEUE}`));
      assert.deepEqual(await setting(), {
        CallbackType: 'MNS',
        CallbackQueueName: QUEUE,
        EventTypeList: 'ProduceMediaComplete,TranscodeComplete,CustomizedVoiceJobComplete',
      });
      const sent = (await emulator.admin.calls()).find((call) => call.action === 'SetEventCallback');
      assert.ok(sent, 'SetEventCallback was sent');
      assert.deepEqual(
        Object.keys(sent.params)
          .filter((name) => /^(Callback|Auth|EventTypeList)/.test(name))
          .sort(),
        ['CallbackQueueName', 'CallbackType', 'EventTypeList'],
        'no URL and no auth fields in MNS mode',
      );
    });

    it('refuses another queue without --replace, and on --replace says that a queue cannot be forwarded to', async () => {
      await theirQueue();
      const refused = await runCli(['--mns-queue', QUEUE]);
      assert.equal(refused.code, 1);
      assert.match(refused.out, /MNS queue\s+ice-callback-media/);
      assert.match(refused.err, /the MNS queue ice-callback-media/);
      assert.deepEqual(await actions(), ['GetEventCallback']);

      const replaced = await runCli(['--mns-queue', QUEUE, '--replace']);
      assert.equal(replaced.code, 0, replaced.err);
      assert.match(replaced.out, /MNS delivery cannot be forwarded to/);
      assert.doesNotMatch(replaced.out, /ICE_CALLBACK_FORWARD_URL/);
      assert.deepEqual(await setting(), {
        CallbackType: 'MNS',
        CallbackQueueName: QUEUE,
        EventTypeList: 'FileUploadComplete',
      });
    });

    it('updates its own queue in place, merging event types without --replace', async () => {
      await theirSetting({ CallbackType: 'MNS', CallbackQueueName: QUEUE, EventTypeList: 'ProduceMediaComplete' });
      const run = await runCli(['--mns-queue', QUEUE, '--event-type', 'CustomizedVoiceJobComplete']);
      assert.equal(run.code, 0, run.err);
      assert.equal((await setting()).EventTypeList, 'ProduceMediaComplete,CustomizedVoiceJobComplete');
    });

    it('--dry-run prints what it would set and the forward line, and writes nothing', async () => {
      await theirHttp();
      const run = await runCli(['--mns-queue', QUEUE, '--replace', '--dry-run', '--event-type', 'X1']);
      assert.equal(run.code, 0, run.err);
      assert.match(run.out, /Would set \(dry run, nothing written\)/);
      assert.match(run.out, /Callback type\s+MNS/);
      assert.match(run.out, new RegExp(`MNS queue\\s+${QUEUE}`));
      assert.match(run.out, /Event types\s+ProduceMediaComplete,TranscodeComplete,X1/);
      assert.ok(run.out.split('\n').includes(`ICE_CALLBACK_FORWARD_URL=${THEIRS}`));
      assert.deepEqual(await actions(), ['GetEventCallback'], 'a dry run sends no SetEventCallback');
      assert.equal((await setting()).CallbackURL, THEIRS);
    });

    it("refuses a name that breaks ICE's or MNS's rule with exit 2 naming it, before any ICE call", async () => {
      const cases: [string, RegExp][] = [
        ['voice-clone-queue', /--mns-queue must start with "ice-callback-".*ICE's rule/],
        ['ice-callback-', /ICE's rule/],
        ['ice-callback-voice_clone', /letters, digits or '-'.*MNS's queue-name rule/],
        ['ice-callback-voice.clone', /MNS's queue-name rule/],
        [`ice-callback-${'q'.repeat(108)}`, /1-120 .*MNS's queue-name rule/],
      ];
      for (const [name, rule] of cases) {
        const run = await runCli(['--mns-queue', name]);
        assert.equal(run.code, 2, `${name}: ${run.err}`);
        assert.match(run.err, rule, name);
      }
      assert.deepEqual(await actions(), [], 'no ICE call for a bad name');
      const longest = await runCli(['--mns-queue', `ice-callback-${'q'.repeat(107)}`]);
      assert.equal(longest.code, 0, `120 characters are allowed: ${longest.err}`);
    });

    it('--url with --mns-queue, or a key with a queue, is exit 2 before any ICE call', async () => {
      const both = await runCli(['--url', OURS, '--unsigned', '--mns-queue', QUEUE]);
      assert.equal(both.code, 2);
      assert.match(both.err, /--url and --mns-queue exclude each other/);
      const keyed = await runCli(['--mns-queue', QUEUE, '--auth-key', OUR_KEY]);
      assert.equal(keyed.code, 2);
      assert.match(keyed.err, /apply only to --url/);
      const neither = await runCli(['--unsigned']);
      assert.equal(neither.code, 2);
      assert.match(neither.err, /--url <url> or --mns-queue <name>/);
      assert.deepEqual(await actions(), []);
    });
  });

  it('prints no key anywhere, logs included, when run as a process with debug logging', async () => {
    await theirHttp();
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'ice-voice-clone.js'),
        'configure-callback',
        '--url',
        OURS,
        '--auth-key',
        OUR_KEY,
        '--replace',
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ICE_ENDPOINT: emulator.url,
          LOG_LEVEL: 'debug',
          ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_DEV_CREDENTIALS.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_DEV_CREDENTIALS.accessKeySecret,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`ICE_CALLBACK_FORWARD_URL=${THEIRS}`));
    assert.match(output, /SetEventCallback/, 'debug logging was on');
    for (const secret of [OUR_KEY, THEIR_KEY, EMULATOR_DEV_CREDENTIALS.accessKeySecret]) {
      assert.ok(!output.includes(secret), `a secret was printed:\n${output}`);
    }
  });
});
