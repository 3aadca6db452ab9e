/**
 * The package's spans beside Temporal's OpenTelemetryPlugin (on the client and on the package's worker, its
 * workflow interceptors in the bundle): one trace from the client's start through the workflow and its activities
 * to the ICE requests; a failed request's span; a span per callback through the HTTP receiver and through the MNS
 * queue consumer; and no secret in any span. Real dev server, the emulator, an in-memory exporter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Client } from '@temporalio/client';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { startVoiceClone, type VoiceCloneHandle } from '../../src/client';
import { createIceClient } from '../../src/ice/client';
import { TRACER_NAME } from '../../src/observability/tracing';
import type { VoiceCloneTiming } from '../../src/workflows/definitions';
import { waitFor } from '../emulator/support/ice-wire';
import { TEST_TIMINGS, startTestHarness, type TestHarness } from '../support/harness';
import { createVoice, newVoiceId, recordings } from '../workflow/support';

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(exporter);
const provider = new NodeTracerProvider({ spanProcessors: [processor] });
// Global provider, AsyncLocalStorage context manager and W3C propagation, as an application would register them.
provider.register();
const otel = new OpenTelemetryPlugin({
  resource: new Resource({ 'service.name': 'ice-voice-clone-tracing-test' }),
  spanProcessor: processor,
});

function spans(): ReadableSpan[] {
  return exporter.getFinishedSpans();
}

function packageSpans(name: string): ReadableSpan[] {
  return spans().filter((span) => span.instrumentationLibrary.name === TRACER_NAME && span.name === name);
}

/** The span and its ancestors, nearest first, as far as they were exported. */
function ancestry(span: ReadableSpan): string[] {
  const byId = new Map(spans().map((s) => [s.spanContext().spanId, s]));
  const names: string[] = [];
  for (let at = byId.get(span.parentSpanId ?? ''); at !== undefined; at = byId.get(at.parentSpanId ?? '')) {
    names.push(at.name);
  }
  return names;
}

describe('tracing beside OpenTelemetryPlugin', () => {
  let h: TestHarness;
  let tracedClient: Client;
  const authKeys: string[] = [];

  before(async () => {
    h = await startTestHarness({ name: 'tracing', worker: { plugins: [otel] } });
    tracedClient = new Client({
      connection: h.client.connection,
      namespace: h.client.options.namespace,
      plugins: [otel],
    });
  });

  after(async () => {
    await h?.close();
    await provider.shutdown();
  });

  async function cloneWith(voiceId: string, timing: VoiceCloneTiming): Promise<VoiceCloneHandle> {
    await createVoice(h.ice, voiceId);
    return startVoiceClone(
      tracedClient,
      { voiceId, recordings: recordings(voiceId, 2), timing },
      { taskQueue: h.taskQueue },
    );
  }

  test("one trace: the client's start, the workflow, its activities, the ICE requests", async () => {
    const voiceId = newVoiceId('Trace');
    const handle = await cloneWith(voiceId, TEST_TIMINGS.pollSoon);
    await handle.result();
    const start = spans().find((s) => s.name === 'StartWorkflow:voiceCloneWorkflow');
    assert.ok(start, 'the client start span');
    const traceId = start.spanContext().traceId;
    const submit = await waitFor(async () => {
      const found = packageSpans('ICE SubmitCustomizedVoiceJob').find((s) => s.spanContext().traceId === traceId);
      // Workflow spans reach the processor through a sink, after their activation.
      return found && ancestry(found).includes(start.name) ? found : undefined;
    });
    assert.deepEqual(ancestry(submit).slice(0, 1), ['RunActivity:submitVoiceCloneJob']);
    assert.ok(ancestry(submit).includes('RunWorkflow:voiceCloneWorkflow'), ancestry(submit).join(' < '));

    const iceSpans = spans().filter((s) => s.name.startsWith('ICE ') && s.spanContext().traceId === traceId);
    const actions = new Set(iceSpans.map((s) => s.attributes['ice.action']));
    for (const action of ['DetectAudioForCustomizedVoiceJob', 'SubmitCustomizedVoiceJob', 'GetCustomizedVoiceJob']) {
      assert.ok(actions.has(action), `${action} in the trace (${[...actions].join(', ')})`);
    }
    for (const span of iceSpans) {
      assert.equal(span.kind, SpanKind.CLIENT);
      assert.equal(span.name, `ICE ${String(span.attributes['ice.action'])}`);
      assert.match(String(span.attributes['ice.request_id']), /\S/);
      assert.equal(span.attributes['ice.region'], 'cn-shanghai');
      assert.equal(span.attributes['http.response.status_code'], 200);
      assert.equal(span.attributes['ice.error_code'], undefined);
      assert.equal(span.status.code, SpanStatusCode.UNSET);
    }
  });

  test("a failed ICE request's span carries ICE's code and status ERROR", async () => {
    const wrong = createIceClient({
      region: 'cn-shanghai',
      endpoint: h.emulator.url,
      connectTimeoutMs: 2_000,
      readTimeoutMs: 5_000,
      credentials: { accessKeyId: h.credentials.accessKeyId, accessKeySecret: 'NotTheSecret0123456789' },
    });
    const error = await wrong.getCustomizedVoiceJob({ jobId: 'no-such-job' }).then(
      () => assert.fail('a request with a wrong secret succeeded'),
      (thrown: { code: string; requestId?: string }) => thrown,
    );
    const span = packageSpans('ICE GetCustomizedVoiceJob').find((s) => s.attributes['ice.error_code'] !== undefined);
    assert.ok(span, 'the failed request has a span');
    assert.equal(span.attributes['ice.error_code'], error.code);
    assert.equal(span.attributes['ice.request_id'], error.requestId);
    assert.ok(Number(span.attributes['http.response.status_code']) >= 400);
    assert.deepEqual(span.status, { code: SpanStatusCode.ERROR, message: error.code });
    assert.ok(!JSON.stringify(spans().map(describeSpan)).includes('NotTheSecret0123456789'));
  });

  test('a callback through the HTTP receiver is a SERVER span with its event, JobId and outcome', async () => {
    const { authKey } = await h.startReceiver();
    authKeys.push(authKey);
    const voiceId = newVoiceId('TraceCb');
    const result = await (await cloneWith(voiceId, TEST_TIMINGS.byCallback)).result();
    assert.equal(result.completedVia, 'callback');
    const span = await waitFor(async () =>
      packageSpans('ICE callback').find((s) => s.attributes['ice.voice_id'] === voiceId),
    );
    assert.equal(span.kind, SpanKind.SERVER);
    assert.equal(span.attributes['ice.callback.source'], 'http');
    assert.equal(span.attributes['ice.callback.outcome'], 'signalled');
    assert.equal(span.attributes['ice.job_id'], result.jobId);
    assert.match(String(span.attributes['ice.callback.event_type']), /\S/);
    assert.equal(span.attributes['http.response.status_code'], 200);
  });

  test('a callback through the MNS queue consumer is a CONSUMER span', async () => {
    await h.startConsumer();
    const voiceId = newVoiceId('TraceMns');
    const result = await (await cloneWith(voiceId, TEST_TIMINGS.byCallback)).result();
    assert.equal(result.completedVia, 'callback');
    const span = await waitFor(async () =>
      packageSpans('ICE callback').find((s) => s.attributes['ice.voice_id'] === voiceId),
    );
    assert.equal(span.kind, SpanKind.CONSUMER);
    assert.equal(span.attributes['ice.callback.source'], 'mns');
    assert.equal(span.attributes['ice.callback.outcome'], 'signalled');
    assert.equal(span.attributes['ice.job_id'], result.jobId);
    assert.equal(span.attributes['http.response.status_code'], undefined);
  });

  test('after the tests above (they record the spans), no span carries the AccessKeySecret or the callback auth key', () => {
    const all = JSON.stringify(spans().map(describeSpan));
    assert.ok(spans().length > 20, `spans were recorded (${spans().length})`);
    assert.ok(authKeys.length > 0);
    for (const secret of [h.credentials.accessKeySecret, ...authKeys]) {
      assert.ok(!all.includes(secret), 'a secret in a span');
      assert.ok(!all.toLowerCase().includes(secret.toLowerCase()), 'a secret in a span (lower-cased)');
    }
    assert.doesNotMatch(all, /auth_key=|Signature=|SecurityToken/i);
  });
});

/** Everything of a span that an exporter sends. */
function describeSpan(span: ReadableSpan) {
  return {
    name: span.name,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
    links: span.links,
  };
}
