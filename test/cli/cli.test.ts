/**
 * The `ice-voice-clone` CLI: help for every command, exit code 2 with one clear line for bad usage, input
 * validation before any call, the emulator command, `start --wait`/`status` against a real local stack, and
 * `dev --exit-after-demo` end to end through the bin launcher (HTTP callbacks, and MNS: `npm start -- --callbacks
 * mns`), leaving no process behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { COMMANDS } from '../../src/cli/main';
import { EmulatorAdminClient } from '../../src/emulator/admin-api';
import { EMULATOR_DEV_CREDENTIALS, type Env } from '../../src/config';
import { freePort } from '../../src/local-stack/ports';
import { demoRecordingUrl } from '../../src/local-stack/demo';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import { voiceCloneWorkflow } from '../../src/workflows/voice-clone';
import {
  runCli as runCliInProcess,
  startCliProcess,
  startTestHarness,
  type CliRun,
  type TestHarness,
} from '../support/harness';

const ROOT = path.resolve(__dirname, '../..');
/** Nothing listens here: a command that tried to reach Temporal would fail with exit code 1, not 2. */
const UNREACHABLE_TEMPORAL: Env = { TEMPORAL_ADDRESS: '127.0.0.1:1' };

Runtime.install({ logger: new DefaultLogger('WARN') });

type Run = CliRun;

function runCli(argv: string[], env: Env = UNREACHABLE_TEMPORAL): Promise<Run> {
  return runCliInProcess(argv, env);
}

function assertOneLineError(run: Run, pattern: RegExp): void {
  const lines = run.err.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${run.err}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(run.err, /\n\s+at /, 'no stack trace without --debug');
}

function temporalProcessesUsing(dir: string): string[] {
  const result = spawnSync('pgrep', ['-af', 'temporal[^ ]* server start-dev'], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line.includes(dir));
}

describe('ice-voice-clone CLI', () => {
  it('prints help for every command with exit code 0', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const run = await runCli([name, '--help']);
      assert.equal(run.code, 0, name);
      assert.match(run.out, new RegExp(`^Usage: ice-voice-clone ${name}`), name);
      assert.match(run.out, /--help/);
    }
    const global = await runCli(['--help']);
    assert.equal(global.code, 0);
    for (const name of Object.keys(COMMANDS)) assert.match(global.out, new RegExp(`\\n  ${name} `));
  });

  it('answers bad usage with exit code 2 and one line', async () => {
    const namedAnna = ['--voice-name', 'Anna', '--gender', 'female'];
    const cosyVoiceAnna = ['start', '--edition', 'cosyvoice', ...namedAnna];
    const standardAnna = ['start', '--edition', 'standard', ...namedAnna];
    const cases: [string[], RegExp][] = [
      [['fly'], /unknown command "fly"/],
      [['start'], /--voice-id is required/],
      [['start', '--voice-id', 'Abc1', '--bogus'], /bogus/],
      [['start', '--voice-id', 'Abc1', '--recording', 'one=https://x.example/a.wav'], /--recording/],
      [['status'], /missing <voiceId>/],
      [['status', 'a', 'b'], /unexpected argument "b"/],
      [['emulator', '--fault', 'Nope:throttle'], /unknown operation "Nope"/],
      [['emulator', '--port', 'abc'], /--port must be a port number/],
      [['configure-callback', '--url', 'https://cb.example.com/ice'], /--auth-key/],
      [['dev', '--ui-port', '70000'], /--ui-port/],
      [['dev', '--callbacks', 'smtp'], /--callbacks must be http, mns or none, got "smtp"/],
      [['start', '--voice-id', 'Abc1', '--wait-for', 'trained'], /--wait-for must be "submitted"/],
      [['start', '--voice-id', 'Abc1', '--wait', '--wait-for', 'submitted'], /exclude each other/],
      [['start', '--voice-id', 'Abc1', '--gender', 'female'], /--gender and --scenario go together/],
      [['start', '--voice-id', 'Abc1', '--gender', 'x', '--scenario', 'story'], /voice\.gender: must be one of/],
      [['start', '--voice-id', 'Abc1', '--auto-submit-after', '3'], /autoSubmitAfter: needs a recording session/],
      [['start', '--edition', 'premium'], /--edition must be one of basic, standard, cosyvoice/],
      [['start', '--edition', 'standard', '--gender', 'male'], /--voice-name is required/],
      [['start', '--edition', 'standard', '--model', 'cosyvoice-v3-plus'], /--model is for --edition cosyvoice/],
      [
        ['start', '--voice-id', 'Abc1', '--audio-media-id', 'a1'],
        /--audio-media-id is for --edition standard or cosyvoice/,
      ],
      [['start', '--voice-id', 'Abc1', '--voice-name', 'Anna'], /--gender and --scenario go together/],
      [['start', '--edition', 'standard', '--scenario', 'story'], /--scenario is for --edition basic/],
      [[...cosyVoiceAnna, '--model', 'cosyvoice-v3-plus'], /--audio-media-id is required/],
      [
        [...cosyVoiceAnna, '--audio-media-id', 'a1', '--model', 'cosyvoice-v2'],
        /invalid input: model: must be one of cosyvoice-v3-plus/,
      ],
      [
        [...cosyVoiceAnna, '--audio-media-id', 'a1', '--audio-media-id', 'a2', '--model', 'cosyvoice-v3-plus'],
        /CosyVoice trains on one audio/,
      ],
      [
        [...standardAnna, '--audio-media-id', 'a1', '--audio-media-id', 'a1', '--authentication-media-id', 'auth1'],
        /invalid input: audioMediaIds\[1\]: must be unique/,
      ],
      [['status', '--edition', 'standard'], /--voice-name must be 1-32 characters/],
      [['status', 'Abc1', '--edition', 'standard', '--voice-name', 'Anna'], /not both/],
    ];
    for (const [argv, pattern] of cases) {
      const run = await runCli(argv);
      assert.equal(run.code, 2, `${argv.join(' ')} → ${run.err}`);
      assertOneLineError(run, pattern);
    }
  });

  it('rejects an invalid voice id before calling anything, naming the field', async () => {
    const run = await runCli(['start', '--voice-id', 'not valid!', '--wait']);
    assert.equal(run.code, 2);
    assertOneLineError(run, /voiceId/);
    const badUrl = await runCli(['start', '--voice-id', 'Abc1', '--recording', '1=http://insecure.example/a.wav']);
    assert.equal(badUrl.code, 2);
    assertOneLineError(badUrl, /recordUrl/);
  });

  it('fails with one line (exit 1) when Temporal is unreachable, with a stack trace only under --debug', async () => {
    const run = await runCli(['status', 'Abc1']);
    assert.equal(run.code, 1);
    assertOneLineError(run, /cannot reach Temporal at 127\.0\.0\.1:1/);
    const debug = await runCli(['status', 'Abc1', '--debug']);
    assert.equal(debug.code, 1);
    assert.match(debug.err, /\n\s+at /);
  });

  it('runs the emulator with faults from flags and stops on SIGINT', async () => {
    const child = startCliProcess(['emulator', '--port', '0', '--fault', 'SubmitCustomizedVoiceJob:throttle:2']);
    const [, url] = await child.waitForOutput(/listening on (http:\/\/\S+)/);
    const faults = await new EmulatorAdminClient(url).faults();
    assert.deepEqual(faults.operations?.SubmitCustomizedVoiceJob?.throttle, { count: 2 });
    assert.equal(await child.stop('SIGINT'), 0);
  });

  it('compiles the child-workflow example for the workflow sandbox', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: path.join(ROOT, 'examples', 'child-workflow.ts'),
      logger: new DefaultLogger('ERROR'),
    });
    assert.match(bundle.code, /narrateWithClonedVoiceWorkflow/);
  });

  describe('against a local stack', () => {
    let dataDir: string;
    let stack: TestHarness;
    let env: Env;

    before(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'ice-voice-clone-cli-'));
      stack = await startTestHarness({
        name: 'cli',
        worker: true,
        receivers: { count: 1 },
        emulator: { trainingMs: 1_000 },
      });
      env = { TEMPORAL_ADDRESS: stack.temporal.address, VOICE_CLONE_TASK_QUEUE: stack.taskQueue };
    });

    after(async () => {
      await stack?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('start --wait --json succeeds and status reports the finished clone', async () => {
      const voiceId = `Cli${Date.now().toString(36)}`;
      await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
      const run = await runCli(
        ['start', '--voice-id', voiceId, '--recording', `1=${demoRecordingUrl(voiceId, 1)}`, '--wait', '--json'],
        env,
      );
      assert.equal(run.code, 0, run.err);
      const started = JSON.parse(run.out.trim()) as { ok: boolean; result: { status: string; voiceId: string } };
      assert.equal(started.ok, true);
      assert.equal(started.result.status, 'Success');
      assert.equal(started.result.voiceId, voiceId);

      const status = await runCli(['status', voiceId, '--json'], env);
      assert.equal(status.code, 0, status.err);
      const report = JSON.parse(status.out) as { execution: string; stage: string; lastIceStatus: string };
      assert.equal(report.execution, 'COMPLETED');
      assert.equal(report.stage, 'Succeeded');
      assert.equal(report.lastIceStatus, 'Success');
    });

    it('start --wait-for submitted prints the JobId and exits 0 while the clone trains on', async () => {
      const voiceId = `CliEarly${Date.now().toString(36)}`;
      await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
      await stack.emulator.admin.updateSettings({ trainingMs: 60_000 });
      try {
        const args = ['start', '--voice-id', voiceId, '--recording', `1=${demoRecordingUrl(voiceId, 1)}`];
        const run = await runCli([...args, '--wait-for', 'submitted', '--json'], env);
        assert.equal(run.code, 0, run.err);
        const answer = JSON.parse(run.out.trim()) as { ok: boolean; jobId: string; detection: unknown[] };
        const job = (await stack.emulator.admin.jobs()).find((candidate) => candidate.voiceId === voiceId);
        assert.equal(answer.ok, true);
        assert.equal(answer.jobId, job?.jobId);
        assert.equal(answer.detection.length, 1);
        const again = await runCli([...args, '--wait-for', 'submitted'], env);
        assert.equal(again.code, 0, again.err);
        assert.match(again.out, new RegExp(`JobId ${answer.jobId} \\(1/1 recordings passed\\); training continues`));
        const status = await runCli(['status', voiceId, '--json'], env);
        assert.equal((JSON.parse(status.out) as { execution: string }).execution, 'RUNNING');
      } finally {
        await stack.emulator.admin.updateSettings({ trainingMs: 1_000 });
      }
    });

    it('start --edition cosyvoice --wait --json succeeds and status names the clone by edition and VoiceName', async () => {
      const voiceName = `Cli cosy ${Date.now().toString(36)}`;
      const run = await runCli(
        [
          'start',
          '--edition',
          'cosyvoice',
          '--voice-name',
          voiceName,
          '--gender',
          'female',
          '--audio-media-id',
          'cli-audio-1',
          '--model',
          'cosyvoice-v3-flash',
          '--wait',
          '--json',
        ],
        env,
      );
      assert.equal(run.code, 0, run.err);
      const started = JSON.parse(run.out.trim()) as {
        workflowId: string;
        ok: boolean;
        result: { edition: string; voiceId: string; voiceName: string };
      };
      assert.equal(started.workflowId, `voice-clone-cosyvoice-${voiceName}`);
      assert.equal(started.ok, true);
      assert.deepEqual([started.result.edition, started.result.voiceName], ['cosyvoice', voiceName]);
      assert.match(started.result.voiceId, /^Voice-/);

      const status = await runCli(['status', '--edition', 'cosyvoice', '--voice-name', voiceName], env);
      assert.equal(status.code, 0, status.err);
      assert.match(status.out, new RegExp(`Voice +"${voiceName}" \\(CosyVoice, VoiceId ${started.result.voiceId}\\)`));
      assert.match(status.out, /Execution\s+COMPLETED/);
      const missing = await runCli(['status', '--edition', 'standard', '--voice-name', voiceName], env);
      assert.equal(missing.code, 1);
      assertOneLineError(missing, new RegExp(`no clone for standard voice "${voiceName}"`));
    });

    it('start --wait exits 1 with the failure type and ICE reason', async () => {
      const voiceId = `CliBad${Date.now().toString(36)}`;
      await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'male', scenario: 'story' });
      const run = await runCli(
        [
          'start',
          '--voice-id',
          voiceId,
          '--recording',
          `2=https://oss.example.com/${voiceId}/fail-detection.wav`,
          '--wait',
        ],
        env,
      );
      assert.equal(run.code, 1);
      assert.match(run.err, /AudioDetectionFailed: /);
      const status = await runCli(['status', voiceId], env);
      assert.equal(status.code, 1);
      assert.match(status.out, /Execution\s+FAILED/);
      assert.match(status.out, /Failure\s+AudioDetectionFailed/);
    });

    it('status names the stage of a clone that failed before it wrote one (invalid input from another client)', async () => {
      const voiceId = `CliInvalid${Date.now().toString(36)}`;
      // Started without the package's client, which would refuse this input before Temporal sees it.
      const handle = await stack.client.workflow.start(voiceCloneWorkflow, {
        taskQueue: stack.taskQueue,
        workflowId: voiceCloneWorkflowId(voiceId),
        args: [{ voiceId, recordings: [{ audioRecordId: 0, recordUrl: 'not a url' }] }],
      });
      await assert.rejects(handle.result());
      const status = await runCli(['status', voiceId, '--json'], env);
      assert.equal(status.code, 1);
      const report = JSON.parse(status.out) as { execution: string; stage?: string; failure?: { type: string } };
      assert.equal(report.execution, 'FAILED');
      assert.equal(report.stage, 'Failed');
      assert.equal(report.failure?.type, 'InvalidInput');
    });

    it('worker runs clones from environment settings, exports Prometheus metrics with the package counters and logs JSON only', async () => {
      const metricsAddress = `127.0.0.1:${await freePort()}`;
      const workerEnv = {
        ...process.env,
        TEMPORAL_ADDRESS: stack.temporal.address,
        VOICE_CLONE_TASK_QUEUE: 'cli-worker',
        ICE_ENDPOINT: stack.emulator.url,
        ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_DEV_CREDENTIALS.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_DEV_CREDENTIALS.accessKeySecret,
        VOICE_CLONE_METRICS_ADDRESS: metricsAddress,
        LOG_LEVEL: 'info',
      };
      const worker = startCliProcess(['worker'], { env: workerEnv });
      try {
        const voiceId = `CliWk${Date.now().toString(36)}`;
        await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
        const run = await runCli(
          ['start', '--voice-id', voiceId, '--recording', `1=${demoRecordingUrl(voiceId, 1)}`, '--wait', '--json'],
          { ...env, VOICE_CLONE_TASK_QUEUE: 'cli-worker' },
        );
        assert.equal(run.code, 0, run.err);
        const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
        assert.match(metrics, /ice_voice_clone_ice_calls_total\{[^}]*operation="SubmitCustomizedVoiceJob"[^}]*\} 1/);
        assert.match(metrics, /temporal_\w+/, "Temporal's own runtime metrics are on the same endpoint");
      } finally {
        await worker.stop('SIGTERM');
      }
      assert.equal(await worker.exited, 0);
      const stderr = worker.err();
      // The SDK's own lines too (worker state, activity failures) go through the package's JSON logger.
      const lines = stderr.split('\n').filter((line) => line.trim() !== '');
      const entries = lines.map((line) => {
        try {
          return JSON.parse(line) as { msg?: string; temporal?: boolean; component?: string };
        } catch {
          return assert.fail(`a worker log line is not JSON: ${line}`);
        }
      });
      assert.ok(
        entries.some((entry) => entry.temporal === true && entry.msg === 'Worker state changed'),
        `no SDK line among the worker's logs:\n${stderr}`,
      );
      assert.ok(entries.every((entry) => entry.component === 'worker'));
    });

    it('status of an unknown voice exits 1 with one line', async () => {
      const run = await runCli(['status', 'NoSuchVoice1'], env);
      assert.equal(run.code, 1);
      assertOneLineError(run, /no clone for voice NoSuchVoice1/);
    });

    it('dev refuses a busy port with a clear message', async () => {
      const busy = stack.temporal.address.split(':')[1];
      const run = await runCli(['dev', '--temporal-port', busy, '--data-dir', path.join(dataDir, 'busy')]);
      assert.equal(run.code, 1);
      assertOneLineError(run, new RegExp(`port ${busy} for Temporal gRPC is already in use.*--temporal-port`));
    });
  });

  it('dev --exit-after-demo runs a whole clone through the bin launcher and leaves no process behind', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ice-voice-clone-dev-'));
    try {
      const ports = ['--temporal-port', '0', '--ui-port', '0', '--callback-port', '0', '--emulator-port', '0'];
      const child = startCliProcess([
        'dev',
        '--exit-after-demo',
        ...ports,
        '--training-ms',
        '1000',
        '--data-dir',
        dataDir,
      ]);
      const code = await child.exited;
      const out = child.all();
      assert.equal(code, 0, out);
      assert.match(out, /Web UI: http:\/\/localhost:\d+\/namespaces\/default\/workflows\/voice-clone-Demo\w+/);
      assert.match(out, /the workflow created the voice and read 20 sentences/);
      assert.match(out, /addRecording sentence 2 \(".+"\) → failed detection: .+\n.*recording sentence 2 again/);
      assert.match(out, /addRecording sentence 2 \(".+"\) → passed detection/);
      assert.match(out, /submitTraining → ICE accepted the training job \w+; training runs\n[^]*AwaitingCallback/);
      assert.match(out, /Voice Demo\w+ is trained \(job \w+, via callback/);
      assert.match(out, /Stopped\./);
      assert.doesNotMatch(out, /[A-Za-z\d]{32}.*auth/i, 'the callback auth key is never printed');
      assert.deepEqual(temporalProcessesUsing(dataDir), []);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('dev --exit-after-demo --callbacks mns trains the demo voice through the queue consumer', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ice-voice-clone-dev-mns-'));
    try {
      const ports = ['--temporal-port', '0', '--ui-port', '0', '--emulator-port', '0'];
      const child = startCliProcess([
        'dev',
        '--exit-after-demo',
        '--callbacks',
        'mns',
        '--training-ms',
        '300',
        ...ports,
        '--data-dir',
        dataDir,
      ]);
      const code = await child.exited;
      const out = child.all();
      assert.equal(code, 0, out);
      assert.match(out, /MNS queue consumer/);
      assert.match(out, /Callbacks\s+MNS queue ice-callback-local-stack in the emulator/);
      assert.doesNotMatch(out, /Callbacks\s+http:/, 'no receiver in MNS mode');
      assert.match(out, /Voice Demo\w+ is trained \(job \w+, via callback/);
      assert.match(out, /Stopped\./);
      assert.deepEqual(temporalProcessesUsing(dataDir), []);
      const stateFile = path.join(dataDir, 'emulator-state.json');
      const settingIn = async () =>
        (JSON.parse(await readFile(stateFile, 'utf8')) as { eventCallback?: unknown }).eventCallback;
      assert.ok(await settingIn(), 'the MNS setting is kept for the next run');

      // --callbacks none on the same data: the earlier setting is forgotten, not left to write into the queue.
      const none = startCliProcess([
        'dev',
        '--exit-after-demo',
        '--callbacks',
        'none',
        '--training-ms',
        '300',
        ...ports,
        '--data-dir',
        dataDir,
      ]);
      assert.equal(await none.exited, 0, none.all());
      assert.match(none.all(), /Voice Demo\w+ is trained \(job \w+, via poll/);
      assert.equal(await settingIn(), undefined);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('SIGINT stops a running dev stack and its Temporal server', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ice-voice-clone-sigint-'));
    const ports = ['--temporal-port', '0', '--ui-port', '0', '--callback-port', '0', '--emulator-port', '0'];
    const child = startCliProcess(['dev', '--no-demo', ...ports, '--data-dir', dataDir]);
    try {
      await child.waitForOutput(/Ctrl-C stops everything/, 60_000);
      assert.equal(temporalProcessesUsing(dataDir).length, 1, 'the dev server runs while the stack is up');
      assert.equal(await child.stop('SIGINT'), 0);
      assert.match(child.out(), /Stopped\./);
      assert.deepEqual(temporalProcessesUsing(dataDir), []);
    } finally {
      // A failed assertion must not leave the stack running (the test file would hang until its timeout).
      await child.stop('SIGINT');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
