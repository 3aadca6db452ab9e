/**
 * Attacks on the callback receiver (issue 24: 1, 2, 4, 5), each against a real dev server, a fixture clone and the
 * receiver over real HTTP with real signatures: what a captured signature can still do, what a hostile body costs a
 * clone's history, what a body Temporal cannot take is answered, and how long a slow sender keeps its socket.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { temporalFailure } from '../../src/callback/delivery';
import type { RunningCallbackReceiver } from '../../src/callback/server';
import { NEW_BODY_GRACE_MS } from '../../src/callback/signature-memory';
import { MetricsRegistry, countIceCalls } from '../../src/observability/metrics';
import { iceCallbackSignal, voiceCloneWorkflowId } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { callbackRecorderWorkflow, receivedCallbacksQuery } from '../callback/fixtures/workflows';
import {
  capturingLogger,
  FIXTURE_WORKER,
  postCallback,
  receiverConfig,
  uniquelySignedHeaders,
  unreachableIce,
  voiceJobEvent,
} from '../callback/support';

const HTTP_TIMEOUTS = { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 };

describe('attacks on the callback receiver', () => {
  let h: TestHarness;
  let receiver: RunningCallbackReceiver;
  const { logger, lines } = capturingLogger('security-callback');
  const iceCalls = new MetricsRegistry();

  before(async () => {
    h = await startTestHarness({ name: 'security-callback', worker: FIXTURE_WORKER });
    // Every ICE read the receiver makes is counted (and fails: no ICE listens).
    const ice = countIceCalls(await unreachableIce(), iceCalls);
    receiver = await h.startCallbackReceiver({
      config: receiverConfig({ maxBodyBytes: 3_000_000 }),
      ice,
      taskQueue: h.taskQueue,
      logger,
      httpTimeouts: HTTP_TIMEOUTS,
    });
  });

  after(() => h?.close());

  function startClone(voiceId: string): Promise<WorkflowHandle<typeof callbackRecorderWorkflow>> {
    return h.client.workflow.start(callbackRecorderWorkflow, {
      taskQueue: h.taskQueue,
      workflowId: voiceCloneWorkflowId(voiceId),
    });
  }

  async function historyBytes(handle: WorkflowHandle): Promise<number> {
    return JSON.stringify(await h.client.workflow.getHandle(handle.workflowId).fetchHistory()).length;
  }

  /** A callback for `voiceId` padded to about `bytes` with fields the receiver does not use. */
  function paddedEvent(voiceId: string, bytes: number, variant = 0) {
    return voiceJobEvent({ VoiceId: voiceId, Status: 'Training', Message: `${variant}:${'x'.repeat(bytes)}` });
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  // A timestamp of its own for each test's callbacks: two tests must not share a pair.
  const freshHeaders = () => uniquelySignedHeaders();

  test('a captured signature with another body is 401 signature_reused and counted; with its body, answered as before', async () => {
    const handle = await startClone('SecReplay1');
    const headers = freshHeaders();
    const genuine = voiceJobEvent({ VoiceId: 'SecReplay1', Status: 'Training' });
    assert.deepEqual(await postCallback(receiver.callbackUrl, genuine, headers), {
      status: 200,
      body: { status: 'signalled' },
    });
    await sleep(NEW_BODY_GRACE_MS + 200);
    const forged = voiceJobEvent({ VoiceId: 'SecReplay1', Status: 'Success' });
    const replayed = await postCallback(receiver.callbackUrl, forged, headers);
    assert.deepEqual([replayed.status, replayed.body.error], [401, 'signature_reused']);
    assert.equal(receiver.metrics().rejected.signature_reused, 1);
    // ICE's retry of the same callback (same pair, same body): the first answer, no second signal.
    assert.deepEqual(await postCallback(receiver.callbackUrl, genuine, headers), {
      status: 200,
      body: { status: 'signalled' },
    });
    assert.deepEqual(
      (await handle.query(receivedCallbacksQuery)).map((fact) => fact.status),
      ['Training'],
    );
  });

  test('30 replays of one signature with 50 KB bodies naming a running clone keep its history under 200 KB', async () => {
    const handle = await startClone('SecHistory1');
    const before = await historyBytes(handle);
    const headers = freshHeaders();
    // All inside the grace (the worst case: each new body is taken) and after it (refused).
    const answers: number[] = [];
    for (let n = 0; n < 30; n++) {
      if (n === 20) await sleep(NEW_BODY_GRACE_MS + 200);
      answers.push((await postCallback(receiver.callbackUrl, paddedEvent('SecHistory1', 50_000, n), headers)).status);
    }
    assert.ok(
      answers.every((status) => status === 200 || status === 401),
      answers.join(),
    );
    assert.ok(
      answers.slice(20).every((status) => status === 401),
      'after the grace every other body is refused',
    );
    const grown = (await historyBytes(handle)) - before;
    assert.ok(grown < 200_000, `history grew by ${grown} bytes`);
    for (const fact of await handle.query(receivedCallbacksQuery)) {
      assert.ok(JSON.stringify(fact).length < 1_000, 'a fact, not the body');
    }
  });

  test('50 made-up JobIds under one signature cost one ICE read, not 50', async () => {
    const reads = () => iceCalls.counter('ice_voice_clone_ice_calls_total', '', ['operation', 'outcome']).series();
    const readCount = () => reads().reduce((sum, series) => sum + series.value, 0);
    const headers = freshHeaders();
    const first = await postCallback(receiver.callbackUrl, voiceJobEvent({ JobId: 'madeUpJob0' }), headers);
    assert.equal(first.status, 503, 'the one read reaches no ICE');
    const afterFirst = readCount();
    assert.ok(afterFirst >= 1);
    await sleep(NEW_BODY_GRACE_MS + 200);
    for (let n = 1; n < 50; n++) {
      const answer = await postCallback(receiver.callbackUrl, voiceJobEvent({ JobId: `madeUpJob${n}` }), headers);
      assert.equal(answer.status, 401, `JobId ${n}`);
    }
    assert.equal(readCount(), afterFirst, 'no read for a body the signature did not carry');
  });

  test('a body nested 20,000 deep is 400 with the reason, never 503', async () => {
    const deep = `{"EventType":"CustomizedVoiceJobComplete","MessageBody":{"VoiceId":"SecDeep1","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    const answer = await postCallback(receiver.callbackUrl, deep, freshHeaders());
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'malformed_json');
    assert.match(String(answer.body.message), /nested deeper/);
    assert.equal(receiver.metrics().temporalUnavailable, 0);
  });

  test('a body too large for a Temporal payload never reaches Temporal: the clone gets the fact, no 503', async () => {
    const handle = await startClone('SecLarge1');
    const before = await historyBytes(handle);
    const event = paddedEvent('SecLarge1', 2_500_000);
    const answer = await postCallback(receiver.callbackUrl, event, freshHeaders());
    assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } });
    assert.ok((await historyBytes(handle)) - before < 5_000);
    assert.equal(receiver.metrics().temporalUnavailable, 0);
  });

  test("Temporal's refusal of an oversized signal is undeliverable (400), not temporal_unavailable", async () => {
    const handle = await startClone('SecRefused1');
    const huge = { eventType: 'x'.repeat(2_500_000) };
    const error = await handle.signal(iceCallbackSignal, huge).then(
      () => assert.fail('the dev server took a 2.5 MB signal'),
      (caught: unknown) => caught,
    );
    assert.equal(temporalFailure(error).outcome, 'undeliverable', String(error));
  });

  /** Connects, writes `head`, then drips `drip` one byte every 100 ms; resolves with ms until the server closed. */
  function dripUntilClosed(head: string, drip: string): Promise<{ closedAfterMs: number; answer: string }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket: Socket = connect(receiver.port, '127.0.0.1');
      let answer = '';
      let timer: NodeJS.Timeout | undefined;
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', () => undefined); // a reset is a cut too
      socket.once('close', () => {
        clearInterval(timer);
        resolve({ closedAfterMs: Date.now() - started, answer });
      });
      socket.once('connect', () => {
        socket.write(head);
        let next = 0;
        timer = setInterval(() => {
          if (socket.destroyed) return;
          socket.write(drip[next % drip.length] ?? 'x');
          next += 1;
        }, 100);
      });
      setTimeout(() => reject(new Error('the server never cut the slow sender')), 30_000).unref();
    });
  }

  test('dripped headers are cut at about headersTimeout', async () => {
    const { closedAfterMs, answer } = await dripUntilClosed(
      'POST /ice/callback HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ',
      'abcdefgh',
    );
    const { headersTimeoutMs } = HTTP_TIMEOUTS;
    assert.ok(closedAfterMs >= headersTimeoutMs * 0.9, `cut after ${closedAfterMs} ms, before the timeout`);
    // Node checks every headersTimeout / 5 here; a second of slack for a loaded machine.
    assert.ok(closedAfterMs <= headersTimeoutMs * 1.4 + 1_000, `cut after ${closedAfterMs} ms`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  });

  test('a dripped body is cut at about requestTimeout, logged at info and not counted as an error', async () => {
    const errorsBefore = receiver.metrics().errors;
    const headers = freshHeaders();
    const head =
      'POST /ice/callback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `X-ICE-TIMESTAMP: ${headers['X-ICE-TIMESTAMP']}\r\nX-ICE-SIGNATURE: ${headers['X-ICE-SIGNATURE']}\r\n` +
      'Content-Length: 100000\r\n\r\n{"EventType":"';
    const { closedAfterMs } = await dripUntilClosed(head, 'abcdefgh');
    const { requestTimeoutMs } = HTTP_TIMEOUTS;
    assert.ok(closedAfterMs >= requestTimeoutMs * 0.9, `cut after ${closedAfterMs} ms, before the timeout`);
    assert.ok(closedAfterMs <= requestTimeoutMs * 1.4 + 1_000, `cut after ${closedAfterMs} ms`);
    await sleep(100);
    assert.equal(receiver.metrics().errors, errorsBefore);
    const aborted = lines.filter((line) => line.includes('callback body aborted by the sender'));
    assert.ok(aborted.length >= 1, 'the abort is logged');
    assert.ok(
      aborted.every((line) => /"level":"info"/.test(line)),
      aborted.join('\n'),
    );
  });

  test('a sender that goes away mid-body is logged at info, not counted as an error', async () => {
    const errorsBefore = receiver.metrics().errors;
    const logged = lines.length;
    const headers = freshHeaders();
    await new Promise<void>((resolve) => {
      const socket = connect(receiver.port, '127.0.0.1', () => {
        socket.write(
          'POST /ice/callback HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
            `X-ICE-TIMESTAMP: ${headers['X-ICE-TIMESTAMP']}\r\nX-ICE-SIGNATURE: ${headers['X-ICE-SIGNATURE']}\r\n` +
            'Content-Length: 1000\r\n\r\n{"EventType":',
        );
        setTimeout(() => socket.destroy(), 200);
      });
      socket.once('close', () => resolve());
    });
    for (const started = Date.now(); !lines.slice(logged).some((line) => line.includes('aborted'));) {
      assert.ok(Date.now() - started < 5_000, 'no log line for the abort');
      await sleep(50);
    }
    assert.equal(receiver.metrics().errors, errorsBefore);
    assert.ok(!lines.slice(logged).some((line) => /"level":"error"/.test(line)));
  });
});
