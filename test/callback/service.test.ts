/**
 * The receiver as a service: a real Temporal outage (the dev server process stopped, then restarted on the same
 * port and database) answers 503 and ICE's retry of the same signed request succeeds once it is back; and the
 * `callback-server` service entry (runCallbackReceiver, run by the harness) serves from environment settings and
 * stops cleanly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@temporalio/client';
import { createReceiverConnection } from '../../src/callback/temporal-connection';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import { silentLogger } from '../../src/observability/logger';
import { closedPort, runReceiverService, startTestHarness, type TestHarness } from '../support/harness';
import {
  NEW_KEY,
  OLD_KEY,
  PUBLIC_URL,
  freePort,
  postCallback,
  receiverConfig,
  signedHeaders,
  voiceJobEvent,
  unreachableIce,
} from './support';

const dataDir = mkdtempSync(path.join(tmpdir(), 'callback-service-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

async function signalsReceived(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter(
    (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'iceCallback',
  ).length;
}

test('Temporal down → 503; the same signed callback retried after Temporal is back → 200 and one signal', async () => {
  // A second harness restarts the server on the first one's port and database.
  const devServer = { port: await freePort(), dbFilename: path.join(dataDir, 'outage.sqlite') };
  const first = await startTestHarness({ name: 'callback-outage', devServer });
  let restarted: TestHarness | undefined;
  const connection = createReceiverConnection({ address: first.temporal.address });
  first.onClose(() => connection.close());
  const client = new Client({ connection });
  const receiver = await first.startCallbackReceiver({
    config: receiverConfig({ temporalTimeoutMs: 2_000 }),
    client,
    ice: await unreachableIce(),
    logger: silentLogger,
  });
  try {
    const workflowId = voiceCloneWorkflowId('VoiceOutage');
    // No worker: the signal lands in history whether or not anything runs the workflow.
    await client.workflow.start('callbackRecorderWorkflow', { taskQueue: 'callback-outage', workflowId });
    await first.temporal.stop();

    // One request, as ICE would send it and then retry it unchanged.
    const event = voiceJobEvent({ VoiceId: 'VoiceOutage', JobId: 'job-outage', Status: 'Success' });
    const headers = signedHeaders(NEW_KEY);
    const whileDown = await postCallback(receiver.callbackUrl, event, headers);
    assert.deepEqual(whileDown, { status: 503, body: { error: 'temporal_unavailable', message: 'try again shortly' } });
    assert.equal(receiver.metrics().temporalUnavailable, 1);

    restarted = await startTestHarness({ name: 'callback-outage', devServer });
    const retried = await postCallback(receiver.callbackUrl, event, headers);
    assert.deepEqual(retried, { status: 200, body: { status: 'signalled' } });
    assert.equal(await signalsReceived(client, workflowId), 1);
    assert.equal(receiver.metrics().signalled, 1);
  } finally {
    // The receiver and its connection first, then the servers (the first one's is already down).
    await first.close();
    await restarted?.close();
  }
});

test('the receiver service serves from environment settings and stops when asked', async () => {
  const h = await startTestHarness({ name: 'callback-service' });
  try {
    const workflowId = voiceCloneWorkflowId('VoiceService');
    await h.client.workflow.start('callbackRecorderWorkflow', { taskQueue: 'callback-service', workflowId });
    const service = await h.runReceiverService(
      {
        ICE_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
        ICE_CALLBACK_URL: PUBLIC_URL,
        ICE_CALLBACK_AUTH_KEYS: `${OLD_KEY}, ${NEW_KEY}`,
      },
      { logger: silentLogger },
    );
    const { receiver } = service;
    assert.equal((await fetch(`${receiver.url}/healthz`)).status, 200);
    const answer = await postCallback(
      receiver.callbackUrl,
      voiceJobEvent({ VoiceId: 'VoiceService', Status: 'Training' }),
      signedHeaders(OLD_KEY),
    );
    assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } });
    assert.equal(await signalsReceived(h.client, workflowId), 1);
    await service.stop();
    await assert.rejects(fetch(`${receiver.url}/healthz`), 'still listening after stop');
  } finally {
    await h.close();
  }
});

test('the receiver service refuses to start without keys unless unsigned callbacks are allowed', async () => {
  await assert.rejects(
    runReceiverService({ ICE_CALLBACK_PORT: '0' }, { logger: silentLogger }),
    /ICE_CALLBACK_AUTH_KEYS/,
  );
});
