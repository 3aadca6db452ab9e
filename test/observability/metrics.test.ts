/**
 * Every metric the package declares is counted, and both scrape addresses come from the one metrics system: the
 * worker's (Temporal Core's Prometheus exporter at VOICE_CLONE_METRICS_ADDRESS, fed through the runtime's meter)
 * after a real clone, and the callback receiver's `/metrics` after the events that count each of its metrics. Real
 * HTTP, a real dev server, the emulator, the package's worker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, type Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { createIceCallbackHandler } from '../../src/callback/handler';
import { createReceiverConnection } from '../../src/callback/temporal-connection';
import { startVoiceClone } from '../../src/client';
import type { IceClient } from '../../src/ice/types';
import { silentLogger } from '../../src/observability/logger';
import {
  MetricsRegistry,
  packageMetrics,
  PROMETHEUS_CONTENT_TYPE,
  voiceCloneCounters,
} from '../../src/observability/metrics';
import { installTemporalRuntime } from '../../src/observability/temporal-runtime';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import {
  freePort,
  NEW_KEY,
  postCallback,
  receiverConfig,
  signedHeaders,
  uniquelySignedHeaders,
  unreachableIce,
  voiceJobEvent,
} from '../callback/support';
import { createVoice, FAST_TIMING, newVoiceId, recordings } from '../workflow/support';
import { startTcpBlackHole, startTestHarness, type TestHarness } from '../support/harness';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (label order as the exporter writes it does not matter). */
function samplesOf(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[key] = value;
      }
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** `# TYPE` lines: metric name → type, in exposition order. */
function declaredIn(text: string): [string, string][] {
  return [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]]);
}

function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample | undefined {
  return samples.find(
    (sample) =>
      sample.name === name &&
      Object.keys(sample.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** A counter or gauge counted, or a summary or histogram observed. */
function counted(samples: Sample[], name: string, type: string): boolean {
  const series = type === 'summary' || type === 'histogram' ? `${name}_count` : name;
  return samples.some((sample) => sample.name === series && sample.value > 0);
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  return response.text();
}

/** Core's exporter shows an update once its meter has taken it: scrape until `ready` holds (bounded). */
async function scrapeUntil(url: string, ready: (samples: Sample[]) => boolean, what: string): Promise<Sample[]> {
  for (const started = Date.now(); ;) {
    const samples = samplesOf(await scrape(url));
    if (ready(samples)) return samples;
    assert.ok(Date.now() - started < 10_000, `not on ${url} within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The receiver metrics dashboards use: the exposition declares exactly these, in this order. */
const RECEIVER_METRICS: [string, string][] = [
  ['ice_callback_received_total', 'counter'],
  ['ice_callback_rejected_total', 'counter'],
  ['ice_callback_signalled_total', 'counter'],
  ['ice_callback_unmatched_total', 'counter'],
  ['ice_callback_ignored_total', 'counter'],
  ['ice_callback_forwarded_total', 'counter'],
  ['ice_callback_forward_failed_total', 'counter'],
  ['ice_callback_temporal_unavailable_total', 'counter'],
  ['ice_callback_ice_unavailable_total', 'counter'],
  ['ice_callback_busy_total', 'counter'],
  ['ice_callback_errors_total', 'counter'],
  ['ice_callback_foreign_total', 'counter'],
  ['ice_callback_remembered_total', 'counter'],
  ['ice_callback_retries_total', 'counter'],
  ['ice_callback_signature_key_form_total', 'counter'],
  ['ice_callback_backlogged_total', 'counter'],
  ['ice_callback_backlog', 'gauge'],
  ['ice_callback_request_duration_seconds', 'summary'],
];

describe('metrics: one system, every declared metric counted', () => {
  let metricsUrl: string;
  let stack: TestHarness;
  let connection: Connection;
  let client: Client;
  let ice: IceClient;

  before(async () => {
    // Before any connection: the runtime (once per process) carries the exporter, as in the worker command.
    const metricsAddress = `127.0.0.1:${await freePort()}`;
    installTemporalRuntime({ logger: silentLogger, sdkLogLevel: 'warn', metricsAddress, shutdownSignals: [] });
    metricsUrl = `http://${metricsAddress}/metrics`;
    // The package's worker: the plugin under it counts the activities' ICE calls into the package's registry.
    stack = await startTestHarness({ name: 'metrics', worker: true });
    connection = createReceiverConnection({ address: stack.env.connection.options.address });
    client = new Client({ connection });
    ice = await unreachableIce();
  });

  after(async () => {
    await connection?.close();
    await stack?.close();
  });

  test("the worker's scrape address: Temporal's metrics and every package metric, counted by a real clone", async () => {
    const voiceId = newVoiceId('Metrics');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 2), timing: FAST_TIMING },
      { taskQueue: stack.taskQueue },
    );
    assert.equal((await handle.result()).status, 'Success');

    const iceCalls = voiceCloneCounters.iceCalls();
    const submitted = { operation: 'SubmitCustomizedVoiceJob', outcome: 'success' };
    assert.equal(iceCalls.value(submitted), 1, 'the activities counted their ICE calls');
    const samples = await scrapeUntil(
      metricsUrl,
      (seen) => find(seen, iceCalls.name, submitted)?.value === 1,
      `${iceCalls.name}{SubmitCustomizedVoiceJob,success} 1`,
    );
    // What the registry counted is what the worker's address shows, series by series.
    for (const series of iceCalls.series()) {
      assert.equal(find(samples, iceCalls.name, series.labels)?.value, series.value, JSON.stringify(series.labels));
    }
    const read = find(samples, iceCalls.name, { operation: 'GetCustomizedVoiceJob', outcome: 'success' });
    assert.ok((read?.value ?? 0) >= 1, 'the poll read the job');
    // Clones that ended are Temporal's own counters on the same address (the package declares none of its own).
    const completed = samples.find(
      (sample) => sample.name === 'temporal_workflow_completed' && sample.labels.workflow_type === 'voiceCloneWorkflow',
    );
    assert.ok((completed?.value ?? 0) >= 1, 'temporal_workflow_completed{workflow_type="voiceCloneWorkflow"}');

    // Every worker metric the package declares (declaring it again returns the same one) was counted.
    const declared = Object.values(voiceCloneCounters).map((declare) => declare().name);
    assert.deepEqual(
      declaredIn(packageMetrics.render()).map(([name]) => name),
      declared,
    );
    const uncounted = declared.filter((name) => !counted(samples, name, 'counter'));
    assert.deepEqual(uncounted, [], 'every worker metric is counted and on the scrape address');
  });

  test("a registry mirrors counters (with what came before), gauges and summaries into the runtime's meter", async () => {
    const registry = new MetricsRegistry();
    const early = registry.counter('metrics_test_early_total', 'Counted before the meter was attached.', ['kind']);
    early.inc({ kind: 'before' }, 2);
    registry.attachTemporalMeter(Runtime.instance().metricMeter);
    registry.attachTemporalMeter(Runtime.instance().metricMeter); // twice must not count twice
    early.inc({ kind: 'before' });
    const gauge = registry.gauge('metrics_test_depth', 'A gauge.');
    gauge.inc({}, 3);
    gauge.dec();
    registry.summary('metrics_test_duration_seconds', 'A summary.', { quantiles: [0.5], window: 10 }).observe(0.25);
    const samples = await scrapeUntil(
      metricsUrl,
      (seen) => find(seen, 'metrics_test_duration_seconds_count')?.value === 1,
      'metrics_test_duration_seconds_count 1',
    );
    assert.equal(find(samples, 'metrics_test_early_total', { kind: 'before' })?.value, 3);
    assert.equal(find(samples, 'metrics_test_depth')?.value, 2);
    assert.equal(find(samples, 'metrics_test_duration_seconds_sum')?.value, 0.25);
    // The registry's own rendering says the same.
    const own = samplesOf(registry.render());
    assert.equal(find(own, 'metrics_test_early_total', { kind: 'before' })?.value, 3);
    assert.equal(find(own, 'metrics_test_depth')?.value, 2);
    assert.equal(find(own, 'metrics_test_duration_seconds', { quantile: '0.5' })?.value, 0.25);
  });

  test("the receiver's /metrics: every metric it declares is counted by the event it names", async () => {
    const scrapes: string[] = [];

    // Receiver 1: Temporal up, ICE unreachable, no forwarding.
    const plain = await stack.startCallbackReceiver({ config: receiverConfig(), client, ice, logger: silentLogger });
    const openVoice = newVoiceId('Open');
    // No worker on this queue: the signal lands in history whether or not anything runs the workflow.
    await client.workflow.start('callbackRecorderWorkflow', {
      taskQueue: 'metrics-no-worker',
      workflowId: voiceCloneWorkflowId(openVoice),
    });
    const success = voiceJobEvent({ VoiceId: openVoice, Status: 'Success' });
    const successHeaders = signedHeaders(NEW_KEY);
    const answers = [
      await postCallback(plain.callbackUrl, voiceJobEvent({ VoiceId: openVoice }), {}),
      await postCallback(plain.callbackUrl, success, successHeaders),
      // ICE's retry with the same signature and body: answered as before, not delivered again.
      await postCallback(plain.callbackUrl, success, successHeaders),
      await postCallback(plain.callbackUrl, voiceJobEvent({ VoiceId: 'NoCloneHere' }), signedHeaders(NEW_KEY)),
      // Signed anew, as a separate callback: the memory of ids with no clone answers it.
      await postCallback(plain.callbackUrl, voiceJobEvent({ VoiceId: 'NoCloneHere' }), uniquelySignedHeaders()),
      await postCallback(plain.callbackUrl, voiceJobEvent({ JobId: 'job-only-id' }), signedHeaders(NEW_KEY)),
      await postCallback(
        plain.callbackUrl,
        { EventType: 'ProduceMediaComplete', UserId: 1, EventTime: '2026-01-01T00:00:00Z', MessageBody: {} },
        signedHeaders(NEW_KEY),
      ),
    ].map((answer) => `${answer.status} ${String(answer.body.status ?? answer.body.error)}`);
    assert.deepEqual(answers, [
      '401 missing_signature',
      '200 signalled',
      '200 signalled',
      '200 unmatched',
      '200 unmatched',
      '503 ice_unavailable',
      '200 ignored',
    ]);
    const plainText = await scrape(`${plain.url}/metrics`);
    const plainSamples = samplesOf(plainText);
    const snapshot = plain.metrics();
    assert.equal(find(plainSamples, 'ice_callback_received_total')?.value, snapshot.received);
    assert.equal(snapshot.received, 7);
    assert.equal(find(plainSamples, 'ice_callback_retries_total')?.value, 1);
    assert.equal(find(plainSamples, 'ice_callback_signalled_total')?.value, 1);
    assert.equal(find(plainSamples, 'ice_callback_unmatched_total')?.value, 2);
    assert.equal(find(plainSamples, 'ice_callback_remembered_total')?.value, 1);
    assert.equal(find(plainSamples, 'ice_callback_rejected_total', { reason: 'missing_signature' })?.value, 1);
    assert.equal(find(plainSamples, 'ice_callback_signature_key_form_total', { form: 'as-configured' })?.value, 6);
    assert.equal(find(plainSamples, 'ice_callback_foreign_total', { event_type: 'ProduceMediaComplete' })?.value, 1);
    assert.equal(find(plainSamples, 'ice_callback_request_duration_seconds_count')?.value, 7);
    scrapes.push(plainText);

    // Receiver 2: forwarding other features' events to a target that takes one and refuses the next.
    const target = await stack.captureHttp({ path: '/old/ice-events' });
    const forwarding = await stack.startCallbackReceiver({
      config: receiverConfig({ forwardUrl: target.url }),
      client,
      ice,
      logger: silentLogger,
    });
    const foreign = { EventType: 'TranscodeComplete', UserId: 1, EventTime: '2026-01-01T00:00:00Z', MessageBody: {} };
    assert.equal((await postCallback(forwarding.callbackUrl, foreign, signedHeaders(NEW_KEY))).status, 200);
    target.status = 500;
    // Signed anew: the same signature with the same body is a retry, answered 200 as the first time.
    const again = await postCallback(forwarding.callbackUrl, foreign, uniquelySignedHeaders());
    assert.equal(again.status, 502);
    scrapes.push(await scrape(`${forwarding.url}/metrics`));

    // Receiver 3: a Temporal that accepts connections and never answers, one delivery slot, room for one in the
    // backlog. A holds the slot; of B and C the later one finds B or C waiting and goes to the backlog; D finds the
    // slot and the backlog taken and is answered busy at its deadline.
    const blackHole = await startTcpBlackHole();
    stack.onClose(() => blackHole.close());
    const silentConnection = createReceiverConnection({ address: blackHole.address });
    stack.onClose(() => silentConnection.close());
    const slow = await stack.startCallbackReceiver({
      config: receiverConfig({ temporalTimeoutMs: 1_000, maxInFlight: 1, maxBacklog: 1 }),
      client: new Client({ connection: silentConnection }),
      ice,
      logger: silentLogger,
    });
    const post = (voiceId: string) =>
      postCallback(slow.callbackUrl, voiceJobEvent({ VoiceId: voiceId }), signedHeaders(NEW_KEY));
    const a = post('SlowA');
    await blackHole.firstConnection; // A's delivery has the slot
    const [b, c] = await Promise.all([post('SlowB'), post('SlowC')]);
    assert.deepEqual(
      [b, c].map((answer) => `${answer.status} ${String(answer.body.status ?? answer.body.error)}`).sort(),
      ['200 queued', '503 temporal_unavailable'],
    );
    const whileBacklogged = await scrape(`${slow.url}/metrics`);
    assert.equal(find(samplesOf(whileBacklogged), 'ice_callback_backlog')?.value, 1);
    scrapes.push(whileBacklogged);
    const d = await post('SlowD');
    assert.deepEqual([d.status, d.body.error], [503, 'busy']);
    assert.deepEqual([(await a).status, (await a).body.error], [503, 'temporal_unavailable']);
    // The backlogged one ends within its own bound (10 s) and is counted then.
    for (const started = Date.now(); slow.metrics().backlogDepth > 0;) {
      assert.ok(Date.now() - started < 15_000, 'the backlog did not settle');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const settledText = await scrape(`${slow.url}/metrics`);
    scrapes.push(settledText);
    const settled = samplesOf(settledText);
    assert.equal(find(settled, 'ice_callback_backlog')?.value, 0);
    assert.equal(find(settled, 'ice_callback_temporal_unavailable_total')?.value, 3);
    assert.equal(find(settled, 'ice_callback_backlogged_total')?.value, 1);
    assert.equal(find(settled, 'ice_callback_busy_total')?.value, 1);

    // The library handler mounted behind something that has read the body: 500, counted as an error.
    const handler = createIceCallbackHandler({ config: receiverConfig(), client, ice, logger: silentLogger });
    const misMounted = await stack.captureHttp({
      path: '',
      respond: (req, res) => {
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(handler.renderMetrics());
          return;
        }
        handler(req, res);
      },
    });
    const misMountedUrl = misMounted.url;
    const failed = await postCallback(misMountedUrl, voiceJobEvent({ VoiceId: openVoice }), signedHeaders(NEW_KEY));
    assert.equal(failed.status, 500);
    scrapes.push(await scrape(`${misMountedUrl}/metrics`));

    for (const text of scrapes) assert.deepEqual(declaredIn(text), RECEIVER_METRICS);
    const all = scrapes.flatMap(samplesOf);
    const uncounted = RECEIVER_METRICS.filter(([name, type]) => !counted(all, name, type)).map(([name]) => name);
    assert.deepEqual(uncounted, [], 'every receiver metric is counted by some event');
  });
});
