/**
 * Whether the worker plugin serves the Nexus service: on by default, off by the plugin option or by
 * VOICE_CLONE_NEXUS_SERVICE, and a bad value of the setting is a ConfigError naming it. No server needed: this is
 * what the plugin hands the worker.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config';
import { createIceClient } from '../../src/ice/client';
import { voiceClonePlugin, type VoiceClonePluginOptions } from '../../src/plugin';
import { VOICE_CLONE_NEXUS_SERVICE_NAME } from '../../src/workflows/nexus-service';

// Never called: the plugin only needs a client to hand its activities.
const iceClient = createIceClient({
  region: 'cn-shanghai',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'unused', accessKeySecret: 'unused' },
  connectTimeoutMs: 1_000,
  readTimeoutMs: 1_000,
});

function servedServices(options: VoiceClonePluginOptions): string[] {
  const configured = voiceClonePlugin({ iceClient, lookUpSearchAttributes: false, ...options }).configureWorker({
    taskQueue: 'nexus-option',
  });
  return (configured.nexusServices ?? []).map((service) => service.definition.name);
}

describe('the worker plugin and the Nexus service', () => {
  test('serves voiceCloneNexusService by default', () => {
    assert.deepEqual(servedServices({ env: {} }), [VOICE_CLONE_NEXUS_SERVICE_NAME]);
    assert.deepEqual(servedServices({ env: { VOICE_CLONE_NEXUS_SERVICE: 'on' } }), [VOICE_CLONE_NEXUS_SERVICE_NAME]);
  });

  test('the option or VOICE_CLONE_NEXUS_SERVICE=off turns it off; the option wins over the setting', () => {
    assert.deepEqual(servedServices({ env: {}, nexusService: false }), []);
    assert.deepEqual(servedServices({ env: { VOICE_CLONE_NEXUS_SERVICE: 'off' } }), []);
    assert.deepEqual(servedServices({ env: { VOICE_CLONE_NEXUS_SERVICE: 'off' }, nexusService: true }), [
      VOICE_CLONE_NEXUS_SERVICE_NAME,
    ]);
  });

  test('a bad VOICE_CLONE_NEXUS_SERVICE fails where the plugin is made, naming the variable', () => {
    assert.throws(
      () => voiceClonePlugin({ iceClient, env: { VOICE_CLONE_NEXUS_SERVICE: 'maybe' } }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'VOICE_CLONE_NEXUS_SERVICE',
    );
  });
});
