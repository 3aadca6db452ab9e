/** The receiver's forwarding and event-type settings, as src/config.ts reads and refuses them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadCallbackReceiverConfig } from '../../src/config';

const BASE = { ICE_CALLBACK_URL: 'https://hooks.example.com/ice/callback', ICE_CALLBACK_AUTH_KEYS: 'Key2026abc' };

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadCallbackReceiverConfig({ ...BASE, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
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
