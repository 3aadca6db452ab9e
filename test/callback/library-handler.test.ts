/**
 * The receiver as a library: examples/express-callback-handler.ts (an Express app with the handler at its own path
 * and a JSON route of the service's own) against a real dev server, the emulator and the package's worker. A signed
 * callback posted to the Express route completes a real voiceCloneWorkflow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { createIceCallbackHandler } from '../../src/callback/handler';
import { createMediaEventsService, type MediaEventsService } from '../../examples/express-callback-handler';
import { startHttpServer, startTestHarness, type TestHarness } from '../support/harness';
import { createVoice, newVoiceId } from '../workflow/support';
import { capturingLogger, postCallback, receiverConfig, signedHeaders, startCloneOn, voiceJobEvent } from './support';

const KEY = 'MediaSvcKey2026';

describe('the callback handler mounted in an Express service', () => {
  let stack: TestHarness;
  let service: MediaEventsService;
  let base: string;
  let publicUrl: string;
  const log = capturingLogger('media-events');

  before(async () => {
    stack = await startTestHarness({ name: 'callback-library-handler', worker: true });
    // Listening first, so that the service is told its own URL; it answers from the moment it exists.
    const server = await startHttpServer((req, res) => {
      service.app(req, res);
    });
    stack.onClose(() => server.close());
    base = server.url;
    // What ICE would be told and signs: this service's own route for ICE.
    publicUrl = `${base}/hooks/ice`;
    service = createMediaEventsService({
      config: receiverConfig({ publicUrl, authKeys: [KEY] }),
      client: stack.client,
      ice: stack.ice,
      taskQueue: stack.taskQueue,
      logger: log.logger,
    });
    stack.onClose(() => service.iceCallbacks.drain());
  });

  after(() => stack?.close());

  test('a signed callback to the Express route completes a real clone', async () => {
    const voiceId = newVoiceId('Express');
    const jobId = await createVoice(stack.ice, voiceId);
    const handle = await startCloneOn(stack, voiceId, 2);
    // The emulator has no callback URL set, so this is the only callback: sent once its job has finished.
    for (;;) {
      const job = (await stack.emulator.admin.jobs()).find((candidate) => candidate.voiceId === voiceId);
      if (job?.status === 'Success') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answer = await postCallback(
      publicUrl,
      voiceJobEvent({ VoiceId: voiceId, JobId: jobId, Status: 'Success' }),
      signedHeaders(KEY, undefined, publicUrl),
    );
    assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } });
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    assert.equal(result.status, 'Success');
    assert.equal(service.iceCallbacks.metrics().signalled, 1);
  });

  test('the handler answers on its route only, and the service’s JSON route keeps its parser', async () => {
    const unsigned = await postCallback(publicUrl, voiceJobEvent({ VoiceId: 'AnyVoice' }), {});
    assert.deepEqual([unsigned.status, unsigned.body.error], [401, 'missing_signature']);
    const own = await postCallback(`${base}/hooks/uploads`, { file: 'a.wav' }, {});
    assert.deepEqual(own, { status: 200, body: { received: { file: 'a.wav' } } });
    const metrics = await (await fetch(`${base}/metrics/ice-callbacks`)).text();
    assert.match(metrics, /^ice_callback_signalled_total 1$/m);
    assert.match(metrics, /^ice_callback_rejected_total\{reason="missing_signature"\} 1$/m);
    // Express answers other methods on the route itself (404); the handler answers 405 only where it sees them.
    assert.equal((await fetch(publicUrl)).status, 404);
  });

  test('mounted behind a body parser it answers 500 and says why, instead of waiting for a body that is gone', async () => {
    const misMounted = express();
    misMounted.use(express.json());
    const logged = capturingLogger('mis-mounted');
    const other = await startHttpServer(misMounted);
    const url = `${other.url}/hooks/ice`;
    misMounted.post(
      '/hooks/ice',
      createIceCallbackHandler({
        config: receiverConfig({ publicUrl: url, authKeys: [KEY] }),
        client: stack.client,
        ice: stack.ice,
        logger: logged.logger,
      }),
    );
    try {
      const answer = await postCallback(
        url,
        voiceJobEvent({ VoiceId: 'AnyVoice' }),
        signedHeaders(KEY, undefined, url),
      );
      assert.equal(answer.status, 500);
      assert.ok(logged.lines.some((line) => line.includes('consumed before the ICE callback handler')));
    } finally {
      await other.close();
    }
  });
});
