/**
 * Deploys with Worker Versioning (docs/deploys.md): every workflow the worker registers declares its versioning
 * behaviour, and a clone started on build 1 survives a roll to build 2: AUTO_UPGRADE moves it to build 2 at its next
 * task, build 1 stops at once, and ICE still gets exactly one submit.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { startRecordingSession, startVoiceClone } from '../../src/client';
import { ConfigError, EMULATOR_DEV_CREDENTIALS, loadWorkerDeployment, type IceClientConfig } from '../../src/config';
import { voiceClonePlugin } from '../../src/plugin';
import * as registeredWorkflows from '../../src/workflows';
import { declaredVersioningBehavior } from '../../src/workflows/versioning';
import { runCli, startTestHarness, type TestHarness } from '../support/harness';
import { buildsInOrder, completedTasks, setCurrentVersion } from '../support/worker-deployment';
import { addRecording, performedCalls, recordingOf, sessionInput, submitTraining } from './recording-session-support';
import { createVoice, FAST_TIMING, newVoiceId, recordings } from './support';

/** ICE settings for a plugin that is only assembled here: nothing is called. */
const OFFLINE_ICE: IceClientConfig = {
  region: 'cn-shanghai',
  endpoint: 'http://127.0.0.1:9',
  connectTimeoutMs: 100,
  readTimeoutMs: 100,
  credentials: EMULATOR_DEV_CREDENTIALS,
};

test('every workflow the worker registers declares its versioning behaviour', () => {
  const undeclared = Object.entries(registeredWorkflows)
    .filter(([, workflow]) => declaredVersioningBehavior(workflow) === undefined)
    .map(([name]) => name);
  assert.deepEqual(
    undeclared,
    [],
    'declare one with declareVersioningBehavior (docs/deploys.md#the-rule-for-a-new-workflow)',
  );
  assert.equal(declaredVersioningBehavior(registeredWorkflows.voiceCloneWorkflow), 'AUTO_UPGRADE');
});

test('the deployment settings: both or neither, names the server accepts; a bad one stops the worker (exit 2)', async () => {
  assert.equal(loadWorkerDeployment({}), undefined, 'neither: an unversioned worker');
  assert.deepEqual(
    loadWorkerDeployment({ VOICE_CLONE_WORKER_DEPLOYMENT_NAME: 'voice-clone', VOICE_CLONE_WORKER_BUILD_ID: 'v1.4.2' }),
    { deploymentName: 'voice-clone', buildId: 'v1.4.2' },
  );
  const refused: [Record<string, string>, string][] = [
    // One alone names the one missing.
    [{ VOICE_CLONE_WORKER_DEPLOYMENT_NAME: 'voice-clone' }, 'VOICE_CLONE_WORKER_BUILD_ID'],
    [{ VOICE_CLONE_WORKER_BUILD_ID: 'v1' }, 'VOICE_CLONE_WORKER_DEPLOYMENT_NAME'],
    [
      { VOICE_CLONE_WORKER_DEPLOYMENT_NAME: 'voice.clone', VOICE_CLONE_WORKER_BUILD_ID: 'v1' },
      'VOICE_CLONE_WORKER_DEPLOYMENT_NAME',
    ],
    [
      { VOICE_CLONE_WORKER_DEPLOYMENT_NAME: 'voice:clone', VOICE_CLONE_WORKER_BUILD_ID: 'v1' },
      'VOICE_CLONE_WORKER_DEPLOYMENT_NAME',
    ],
    [
      { VOICE_CLONE_WORKER_DEPLOYMENT_NAME: 'voice-clone', VOICE_CLONE_WORKER_BUILD_ID: 'v 1' },
      'VOICE_CLONE_WORKER_BUILD_ID',
    ],
    [
      { VOICE_CLONE_WORKER_DEPLOYMENT_NAME: 'voice-clone', VOICE_CLONE_WORKER_BUILD_ID: 'x'.repeat(256) },
      'VOICE_CLONE_WORKER_BUILD_ID',
    ],
  ];
  for (const [env, variable] of refused) {
    assert.throws(
      () => loadWorkerDeployment(env),
      (error: unknown) => error instanceof ConfigError && error.variable === variable,
      JSON.stringify(env),
    );
  }
  // One alone would start an unversioned worker the operator believes versioned: the worker refuses to start.
  const run = await runCli(['worker'], { VOICE_CLONE_WORKER_DEPLOYMENT_NAME: 'voice-clone' });
  assert.equal(run.code, 2, run.err);
  assert.match(run.err, /VOICE_CLONE_WORKER_BUILD_ID/);
});

test("the plugin makes the worker versioned from its option or the settings, and keeps a team's own versioning", () => {
  const version = { deploymentName: 'media', buildId: 'b7' };
  const fromOption = voiceClonePlugin({ ice: OFFLINE_ICE, workerDeployment: version }).configureWorker({
    taskQueue: 'media',
  });
  assert.deepEqual(fromOption.workerDeploymentOptions, {
    version,
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  });
  const env = { VOICE_CLONE_WORKER_DEPLOYMENT_NAME: 'media', VOICE_CLONE_WORKER_BUILD_ID: 'b7' };
  const fromEnv = voiceClonePlugin({ ice: OFFLINE_ICE, env }).configureWorker({ taskQueue: 'media' });
  assert.deepEqual(fromEnv.workerDeploymentOptions?.version, version);
  const off = voiceClonePlugin({ ice: OFFLINE_ICE, env, workerDeployment: false }).configureWorker({
    taskQueue: 'media',
  });
  assert.equal(off.workerDeploymentOptions, undefined, 'false: unversioned whatever the settings say');
  const teams = { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' } as const;
  const kept = voiceClonePlugin({ ice: OFFLINE_ICE, workerDeployment: version }).configureWorker({
    taskQueue: 'media',
    workerDeploymentOptions: teams,
  });
  assert.equal(kept.workerDeploymentOptions, teams, "the team's own options of the same version stay");
  assert.throws(
    () =>
      voiceClonePlugin({ ice: OFFLINE_ICE, workerDeployment: { ...version, buildId: 'b8' } }).configureWorker({
        taskQueue: 'media',
        workerDeploymentOptions: teams,
      }),
    /workerDeployment media:b8 differs from the worker's workerDeploymentOptions media:b7/,
  );
});

describe('a deploy from build 1 to build 2 (dev server, worker processes)', () => {
  let h: TestHarness;
  const deploymentName = `voice-clone-${randomBytes(4).toString('hex')}`;
  const build1: WorkerDeploymentVersion = { deploymentName, buildId: 'build-1' };
  const build2: WorkerDeploymentVersion = { deploymentName, buildId: 'build-2' };

  before(async () => {
    h = await startTestHarness({ name: 'versioning' });
  });
  after(() => h?.close());

  test('a recording session started on build 1 finishes on build 2 with one submit; build 1 stops mid-session', async () => {
    // Undeclared workflows would be PINNED on these workers: AUTO_UPGRADE in the history is the clone's declaration.
    const first = await h.forkWorker({ name: 'build-1', deployment: build1, defaultVersioningBehavior: 'PINNED' });
    await setCurrentVersion(h.client, build1);
    const voiceId = newVoiceId('Deploy');
    const { handle } = await startRecordingSession(h.client, sessionInput(voiceId), { taskQueue: h.taskQueue });
    assert.equal((await addRecording(handle, recordingOf(voiceId, 1))).pass, true);

    // The deploy: build 2 polls, becomes current, and build 1 stops while the session waits for its next recording.
    await h.forkWorker({ name: 'build-2', deployment: build2, defaultVersioningBehavior: 'PINNED' });
    await setCurrentVersion(h.client, build2);
    await first.shutdown();
    await first.exited;

    assert.equal((await addRecording(handle, recordingOf(voiceId, 2))).pass, true);
    const { jobId } = await submitTraining(handle);
    const result = await handle.result();
    assert.equal(result.jobId, jobId);
    assert.equal(result.status, 'Success');
    assert.equal(await performedCalls(h.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 1, 'one submit at ICE');

    const tasks = await completedTasks(handle);
    assert.deepEqual(buildsInOrder(tasks), ['build-1', 'build-2'], 'build 1 ran the start, build 2 the rest');
    assert.ok(
      tasks.every((task) => task.behavior === 'VERSIONING_BEHAVIOR_AUTO_UPGRADE'),
      JSON.stringify(tasks),
    );
  });

  test('a clone started after the roll runs on build 2 alone', async () => {
    const voiceId = newVoiceId('AfterDeploy');
    await createVoice(h.ice, voiceId);
    const handle = await startVoiceClone(
      h.client,
      { voiceId, recordings: recordings(voiceId, 2), timing: FAST_TIMING },
      { taskQueue: h.taskQueue },
    );
    assert.equal((await handle.result()).status, 'Success');
    assert.deepEqual(buildsInOrder(await completedTasks(handle)), ['build-2']);
  });
});
