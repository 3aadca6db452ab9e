/**
 * The receiver's and the queue consumer's signing, forwarding, event-type, bind and receive settings, as
 * src/config.ts reads and refuses them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConfigError,
  loadCallbackConsumerConfig,
  loadCallbackReceiverConfig,
  loadCallbackReceiverServiceConfig,
  loadEmulatorConfig,
  loadWorkerConfig,
  type Env,
} from '../../src/config';

const BASE = { ICE_CALLBACK_URL: 'https://hooks.example.com/ice/callback', ICE_CALLBACK_AUTH_KEYS: 'Key2026abc' };

function configErrorOf(load: () => unknown, what: string): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail(`accepted ${what}`);
}

function refusal(env: Env): ConfigError {
  return configErrorOf(() => loadCallbackReceiverConfig({ ...BASE, ...env }), JSON.stringify(env));
}

test('forwarding and voice event types are off unless set', () => {
  const config = loadCallbackReceiverConfig(BASE);
  assert.deepEqual(
    [config.forwardUrl, config.forwardAuthKey, config.voiceEventTypes],
    [undefined, undefined, undefined],
  );
});

test('a forward URL with its key, and a list of voice event types', () => {
  const config = loadCallbackReceiverConfig({
    ...BASE,
    ICE_CALLBACK_FORWARD_URL: 'https://old.example.com/ice-events',
    ICE_CALLBACK_FORWARD_AUTH_KEY: 'OldEndpoint7Key',
    ICE_CALLBACK_VOICE_EVENT_TYPES: ' CustomizedVoiceJobComplete, VoiceTrainingDone ,',
  });
  assert.equal(config.forwardUrl, 'https://old.example.com/ice-events');
  assert.equal(config.forwardAuthKey, 'OldEndpoint7Key');
  assert.deepEqual(config.voiceEventTypes, ['CustomizedVoiceJobComplete', 'VoiceTrainingDone']);
});

test('refused: a forward URL that is not http(s) or is the receiver itself, a bad or orphan key, odd type names', () => {
  assert.equal(refusal({ ICE_CALLBACK_FORWARD_URL: 'ftp://old.example.com/x' }).variable, 'ICE_CALLBACK_FORWARD_URL');
  assert.equal(refusal({ ICE_CALLBACK_FORWARD_URL: BASE.ICE_CALLBACK_URL }).variable, 'ICE_CALLBACK_FORWARD_URL');
  const weak = refusal({
    ICE_CALLBACK_FORWARD_URL: 'https://old.example.com/x',
    ICE_CALLBACK_FORWARD_AUTH_KEY: 'alllower1',
  });
  assert.equal(weak.variable, 'ICE_CALLBACK_FORWARD_AUTH_KEY');
  assert.ok(!weak.message.includes('alllower1'), 'the key is never echoed');
  const orphan = refusal({ ICE_CALLBACK_FORWARD_AUTH_KEY: 'OldEndpoint7Key' });
  assert.equal(orphan.variable, 'ICE_CALLBACK_FORWARD_AUTH_KEY');
  assert.ok(!orphan.message.includes('OldEndpoint7Key'));
  assert.equal(refusal({ ICE_CALLBACK_VOICE_EVENT_TYPES: 'Voice Done' }).variable, 'ICE_CALLBACK_VOICE_EVENT_TYPES');
  // Another feature's documented type can never be a voice callback.
  const foreign = refusal({ ICE_CALLBACK_VOICE_EVENT_TYPES: 'CustomizedVoiceJobComplete,TranscodeComplete' });
  assert.match(foreign.message, /TranscodeComplete.*another ICE feature/);
});

test('unsigned mode never signs: a forward key with ICE_CALLBACK_ALLOW_UNSIGNED=true is refused, naming both', () => {
  const forwarding = {
    ICE_CALLBACK_FORWARD_URL: 'https://old.example.com/x',
    ICE_CALLBACK_FORWARD_AUTH_KEY: 'OldEndpoint7Key',
  };
  // With keys, ICE_CALLBACK_ALLOW_UNSIGNED has no effect on checking, but the pair is still refused: one rule.
  for (const signing of [BASE, {}]) {
    const env = { ...signing, ...forwarding, ICE_CALLBACK_ALLOW_UNSIGNED: 'true' };
    const error = configErrorOf(() => loadCallbackReceiverConfig(env), JSON.stringify(env));
    assert.equal(error.variable, 'ICE_CALLBACK_FORWARD_AUTH_KEY');
    assert.match(error.message, /ICE_CALLBACK_ALLOW_UNSIGNED/);
    assert.ok(!error.message.includes('OldEndpoint7Key'), 'the key is never echoed');
  }
  // Unsigned forwards stay possible in unsigned mode.
  const unsigned = loadCallbackReceiverConfig({
    ICE_CALLBACK_ALLOW_UNSIGNED: 'true',
    ICE_CALLBACK_FORWARD_URL: 'https://old.example.com/x',
  });
  assert.equal(unsigned.forwardAuthKey, undefined);
});

test('a receiver run from its settings needs keys or unsigned mode; the defaults alone still load', () => {
  const none = configErrorOf(() => loadCallbackReceiverServiceConfig({}), 'no keys');
  assert.equal(none.variable, 'ICE_CALLBACK_AUTH_KEYS');
  assert.match(none.message, /ICE_CALLBACK_ALLOW_UNSIGNED=true/);
  assert.equal(loadCallbackReceiverServiceConfig(BASE).authKeys.length, 1);
  assert.equal(loadCallbackReceiverServiceConfig({ ICE_CALLBACK_ALLOW_UNSIGNED: 'true' }).allowUnsigned, true);
  // The local stack starts from the defaults and fills in its generated key itself.
  assert.deepEqual(loadCallbackReceiverConfig({}).authKeys, []);
});

test('bind hosts: IP literals and host names load; anything else is refused naming its variable', () => {
  for (const host of ['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'receiver-1.internal', 'host.example.com.']) {
    assert.equal(loadCallbackReceiverConfig({ ...BASE, ICE_CALLBACK_HOST: host }).host, host);
    assert.equal(loadEmulatorConfig({ ICE_EMULATOR_HOST: host }).host, host);
  }
  for (const host of ['999.1.1.1', '1.2.3', '[::1]', 'a b', '-bad.example.com', 'bad_.example.com', 'x'.repeat(254)]) {
    assert.equal(refusal({ ICE_CALLBACK_HOST: host }).variable, 'ICE_CALLBACK_HOST', host);
    const emulator = configErrorOf(() => loadEmulatorConfig({ ICE_EMULATOR_HOST: host }), host);
    assert.equal(emulator.variable, 'ICE_EMULATOR_HOST', host);
  }
});

test("the metrics address is a socket address, as Temporal Core's exporter parses it", () => {
  for (const address of ['127.0.0.1:9464', '0.0.0.0:0', '[::1]:9464', '[::]:65535']) {
    assert.equal(loadWorkerConfig({ VOICE_CLONE_METRICS_ADDRESS: address }).metricsAddress, address);
  }
  for (const address of [
    'localhost:9464',
    'bogus.invalid:9464',
    '999.1.1.1:9464',
    '::1:9464',
    '[1.2.3.4]:1',
    '127.0.0.1:70000',
    '127.0.0.1',
  ]) {
    const error = configErrorOf(() => loadWorkerConfig({ VOICE_CLONE_METRICS_ADDRESS: address }), address);
    assert.equal(error.variable, 'VOICE_CLONE_METRICS_ADDRESS', address);
  }
});

test("the queue consumer's receive and back-off settings: MNS's defaults, its bounds refused naming the variable", () => {
  const queue = { ICE_CALLBACK_MNS_QUEUE: 'ice-callback-voice', ICE_MNS_ENDPOINT: 'http://127.0.0.1:9' };
  const defaults = loadCallbackConsumerConfig(queue);
  assert.deepEqual([defaults.batchSize, defaults.waitSeconds, defaults.retryVisibilitySeconds], [16, 30, 30]);
  const set = loadCallbackConsumerConfig({
    ...queue,
    ICE_CALLBACK_MNS_BATCH_SIZE: '4',
    ICE_CALLBACK_MNS_WAIT_SECONDS: '5',
    ICE_CALLBACK_MNS_RETRY_VISIBILITY_SECONDS: '2',
  });
  assert.deepEqual([set.batchSize, set.waitSeconds, set.retryVisibilitySeconds], [4, 5, 2]);
  for (const [name, value] of [
    ['ICE_CALLBACK_MNS_BATCH_SIZE', '17'],
    ['ICE_CALLBACK_MNS_WAIT_SECONDS', '0'],
    ['ICE_CALLBACK_MNS_WAIT_SECONDS', '31'],
    ['ICE_CALLBACK_MNS_RETRY_VISIBILITY_SECONDS', '601'],
  ] as const) {
    const error = configErrorOf(() => loadCallbackConsumerConfig({ ...queue, [name]: value }), `${name}=${value}`);
    assert.equal(error.variable, name);
  }
});
