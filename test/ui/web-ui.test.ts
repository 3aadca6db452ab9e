/**
 * The Temporal Web UI is where operators look when a clone is stuck. This test runs the real local stack (dev
 * server with the UI, emulator, signed callbacks, worker), makes a running, a succeeded and a failed clone, and
 * checks in Debian's chromium (never a downloaded browser) that the text an operator needs is on screen.
 * Screenshots go to test-artifacts/ui/.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startVoiceClone } from '../../src/client/start-voice-clone';
import { startRecordingSession } from '../../src/client/start-recording-session';
import { loadLocalToolsConfig } from '../../src/config';
import { startLocalStack, type LocalStack } from '../../src/local-stack/stack';
import { demoRecordingUrl } from '../../src/local-stack/demo';
import { NO_PASSED_AUDIO_CODE as NO_PASSED_AUDIO } from '../../src/emulator/voice-job-book';
import { addRecordingUpdate, statusQuery, type VoiceCloneStatus } from '../../src/workflows/definitions';
import { getWorkflowBundle } from '../support/bundle';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/ui');
const UI_TIMEOUT_MS = 20_000;

Runtime.install({ logger: new DefaultLogger('WARN') });

async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The little of the DOM this test reads, typed here because the project compiles without the DOM lib. */
interface BrowserGlobals {
  document: { body?: { innerText: string } };
}

/** Rendered text of the page and its frames (the UI renders markdown details in a sandboxed iframe). */
async function visibleText(page: Page): Promise<string> {
  const texts = await Promise.all(
    page
      .frames()
      .map((frame) =>
        frame.evaluate(() => (globalThis as unknown as BrowserGlobals).document.body?.innerText ?? '').catch(() => ''),
      ),
  );
  return texts.join('\n');
}

/** Waits until the rendered text contains every string, then returns that text. */
async function expectVisibleText(page: Page, texts: string[]): Promise<string> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  for (;;) {
    const text = await visibleText(page);
    const missing = texts.filter((wanted) => !text.includes(wanted));
    if (missing.length === 0) return text;
    if (Date.now() > deadline) {
      assert.fail(
        `not visible on ${page.url()}: ${JSON.stringify(missing)}\n--- page text ---\n${text.slice(0, 3000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Opens one of the workflow page's tabs (e.g. "User Metadata", where the current details live). */
async function openTab(page: Page, name: string): Promise<void> {
  await page.getByText(name, { exact: true }).first().click({ timeout: UI_TIMEOUT_MS });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('Temporal Web UI shows the clone legibly', () => {
  let dataDir: string;
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const runId = Date.now().toString(36);
  const running = `UiRun${runId}`;
  const succeeded = `UiOk${runId}`;
  const failed = `UiFail${runId}`;
  let succeededJobId = '';

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dataDir = await mkdtemp(path.join(tmpdir(), 'ice-voice-clone-ui-'));
    stack = await startLocalStack({
      tools: { ...loadLocalToolsConfig(process.env), dataDir },
      temporalPort: 0,
      uiPort: 0,
      callbackPort: 0,
      emulatorPort: 0,
      // Long enough that the "running" clone stays in training; the others are ended through the admin API.
      trainingMs: 10 * 60_000,
      workflowBundle: await getWorkflowBundle(),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function createVoice(voiceId: string): Promise<void> {
    await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'male', scenario: 'story' });
  }

  async function statusOf(voiceId: string, accept: (status: VoiceCloneStatus) => boolean): Promise<VoiceCloneStatus> {
    const handle = stack.client.workflow.getHandle(`voice-clone-${voiceId}`);
    return waitFor(`${voiceId} status`, async () => {
      const status = await handle.query(statusQuery);
      return accept(status) ? status : undefined;
    });
  }

  it('prepares a running, a succeeded and a failed clone with the real workflow and emulator', async () => {
    const recordings = [1, 2].map((audioRecordId) => ({
      audioRecordId,
      recordUrl: demoRecordingUrl(running, audioRecordId),
    }));
    for (const voiceId of [running, succeeded]) await createVoice(voiceId);

    await startVoiceClone(stack.client, { voiceId: running, recordings }, { taskQueue: stack.taskQueue });
    await statusOf(running, (s) => s.stage === 'AwaitingCallback' && s.jobId !== undefined);

    const ok = await startVoiceClone(
      stack.client,
      { voiceId: succeeded, recordings: [{ audioRecordId: 1, recordUrl: demoRecordingUrl(succeeded, 1) }] },
      { taskQueue: stack.taskQueue },
    );
    const { jobId } = await statusOf(succeeded, (status) => status.stage === 'AwaitingCallback');
    await stack.emulator.admin.finishJob(jobId!, { status: 'Success' });
    const result = await ok.result();
    assert.equal(result.status, 'Success');
    succeededJobId = result.jobId;

    // A failed detection leaves the voice with no staged audio, so ICE refuses the submit: a final ICE error with
    // its Code and RequestId.
    await createVoice(failed);
    await stack.ice.detectAudioForCustomizedVoiceJob({
      voiceId: failed,
      audioRecordId: 1,
      recordUrl: `https://oss.example.com/${failed}/fail-detection-1.wav`,
    });
    const bad = await startVoiceClone(stack.client, { voiceId: failed }, { taskQueue: stack.taskQueue });
    await assert.rejects(bad.result(), WorkflowFailedError);
  });

  it('lists clones filtered by IceVoiceId', async () => {
    const query = encodeURIComponent(`IceVoiceId="${succeeded}"`);
    await page.goto(`${stack.temporal.uiUrl}/namespaces/default/workflows?query=${query}`);
    const text = await expectVisibleText(page, [`voice-clone-${succeeded}`]);
    assert.ok(!text.includes(`voice-clone-${running}`), 'the filter keeps other clones out');
    await screenshot(page, 'list-filtered-by-voice');
  });

  it('lists clones filtered by VoiceCloneStage and IceJobId', async () => {
    // Indexed on closing (and when polling): the usual wait for the callback writes no stage.
    const byStage = encodeURIComponent('VoiceCloneStage="Succeeded"');
    await page.goto(`${stack.temporal.uiUrl}/namespaces/default/workflows?query=${byStage}`);
    const text = await expectVisibleText(page, [`voice-clone-${succeeded}`]);
    assert.ok(!text.includes(`voice-clone-${running}`) && !text.includes(`voice-clone-${failed}`));
    await screenshot(page, 'list-filtered-by-stage');

    const byJob = encodeURIComponent(`IceJobId="${succeededJobId}"`);
    await page.goto(`${stack.temporal.uiUrl}/namespaces/default/workflows?query=${byJob}`);
    const jobText = await expectVisibleText(page, [`voice-clone-${succeeded}`]);
    assert.ok(!jobText.includes(`voice-clone-${running}`) && !jobText.includes(`voice-clone-${failed}`));
  });

  it('shows a running clone: summary, current details with stage and ICE status, activity summaries', async () => {
    await page.goto(stack.workflowUrl(`voice-clone-${running}`));
    await expectVisibleText(page, [`voice-clone-${running}`, 'Running']);
    await openTab(page, 'User Metadata');
    await expectVisibleText(page, [
      `Clone ICE voice ${running}`,
      'stage AwaitingCallback',
      'Last ICE status:',
      `DetectAudioForCustomizedVoiceJob voice=${running}`,
      `SubmitCustomizedVoiceJob voice=${running}`,
    ]);
    await screenshot(page, 'running-clone');
  });

  it('shows a succeeded clone', async () => {
    await page.goto(stack.workflowUrl(`voice-clone-${succeeded}`));
    await expectVisibleText(page, [`voice-clone-${succeeded}`, 'Completed', '"completedVia"']);
    await screenshot(page, 'succeeded-clone-history');
    await openTab(page, 'User Metadata');
    await expectVisibleText(page, [
      `Clone ICE voice ${succeeded}`,
      'stage Succeeded',
      'Last ICE status: Success',
      `SubmitCustomizedVoiceJob voice=${succeeded}`,
    ]);
    await screenshot(page, 'succeeded-clone');
  });

  it('shows a recording session: stage AwaitingRecordings, the recordings table, timing as people write it', async () => {
    const voiceId = `${running}Rec`.slice(0, 32);
    const { handle, demonstrations } = await startRecordingSession(
      stack.client,
      { voiceId, voice: { gender: 'female', scenario: 'story' } },
      { taskQueue: stack.taskQueue },
    );
    const record = (audioRecordId: number, recordUrl: string) =>
      handle.executeUpdate(addRecordingUpdate, { args: [{ audioRecordId, recordUrl }] });
    await record(1, demoRecordingUrl(voiceId, 1));
    await record(2, `https://oss.example.com/${voiceId}/fail-detection-2.wav`);
    await page.goto(stack.workflowUrl(handle.workflowId));
    await openTab(page, 'User Metadata');
    await expectVisibleText(page, [
      'stage AwaitingRecordings',
      'Recordings: 1 passed, 1 failed, 0 in detection',
      demonstrations[0].text,
      'too noisy',
      'callback timeout 10 min, poll 30 s–5 min, training timeout 24 h, recording timeout 7 d',
    ]);
    await screenshot(page, 'recording-session');
    const byStage = encodeURIComponent('VoiceCloneStage="AwaitingRecordings"');
    await page.goto(`${stack.temporal.uiUrl}/namespaces/default/workflows?query=${byStage}`);
    await expectVisibleText(page, [handle.workflowId]);
    await handle.terminate('test done');
  });

  it("shows a failed clone with ICE's code and RequestId", async () => {
    await page.goto(stack.workflowUrl(`voice-clone-${failed}`));
    await expectVisibleText(page, [`voice-clone-${failed}`, 'Failed', NO_PASSED_AUDIO, '[RequestId ']);
    await screenshot(page, 'failed-clone-history');
    await openTab(page, 'User Metadata');
    await expectVisibleText(page, [
      `Clone ICE voice ${failed}`,
      'stage Failed',
      NO_PASSED_AUDIO,
      `SubmitCustomizedVoiceJob voice=${failed}`,
    ]);
    await screenshot(page, 'failed-clone');
  });
});
