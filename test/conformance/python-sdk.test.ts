/**
 * The emulator against Alibaba's official Python SDK for ICE (PyPI alibabacloud-ice20201109, pinned in
 * requirements.txt), which the package itself does not use: every voice operation of the three editions, signed by
 * that SDK (V3) and read back through its models (ice_sdk_conformance.py says which calls hold).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { ICE_ACTIONS } from '../../src/ice/types';
import { ensurePythonSdk, run } from './python-sdk';

const DRIVER = path.join(__dirname, 'ice_sdk_conformance.py');

interface CallResult {
  call: string;
  ok: boolean;
  problems: string[];
}

describe('the emulator through the official Python SDK', () => {
  let harness: IceHarness;
  let emulator: RunningEmulator;
  const results: CallResult[] = [];
  let summary: { held: number; total: number } | undefined;
  let python: string | undefined;

  before(async () => {
    harness = await startTestEmulator({ trainingMs: 200 });
    emulator = harness.emulator;
  });
  after(() => harness.close());

  // A test of its own, so that a machine without Python fails here with what to install (never a silent skip).
  it('has the pinned SDK installed in .cache/python-sdk (pip from PyPI on first use)', async () => {
    python = await ensurePythonSdk();
  });

  it('ran every call of the driver to the end', async () => {
    assert.ok(python, 'the Python SDK is not installed (see the first test)');
    const driven = await run(
      python,
      [DRIVER],
      {
        PATH: process.env.PATH,
        ICE_CONFORMANCE_ENDPOINT: `127.0.0.1:${emulator.port}`,
        ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
      },
      120_000,
    );
    const output = `${driven.stdout}\n${driven.stderr}`;
    for (const line of driven.stdout.split('\n').filter((entry) => entry.trim() !== '')) {
      const parsed = JSON.parse(line) as CallResult | { summary: { held: number; total: number } };
      if ('summary' in parsed) summary = parsed.summary;
      else results.push(parsed);
    }
    assert.ok(summary, `the driver printed no summary (exit ${driven.code}):\n${output}`);
    assert.equal(summary.total, results.length);
  });

  it('holds for every call: the SDK signs, the emulator answers, the SDK’s models read every field', () => {
    const misses = results.filter((result) => !result.ok);
    assert.deepEqual(
      misses.map((miss) => `${miss.call}: ${miss.problems.join('; ')}`),
      [],
      `${summary?.held ?? 0} of ${summary?.total ?? 0} calls hold`,
    );
    assert.ok(results.length >= 20, `only ${results.length} calls were made`);
  });

  it('covered every voice operation and both callback operations, all signed and verified', async () => {
    const calls = await emulator.admin.calls();
    const actions = new Set(calls.map((call) => call.action));
    assert.deepEqual(
      ICE_ACTIONS.filter((action) => !actions.has(action)),
      [],
      'operations the SDK never called',
    );
    // No request failed the gateway checks (signature, date, nonce): every one reached the operation.
    assert.deepEqual(
      calls.filter((call) => !call.performed).map((call) => `${call.action} ${call.code ?? ''}`),
      [],
    );
    const refusals = calls.filter((call) => call.httpStatus !== 200).map((call) => `${call.action} ${call.code ?? ''}`);
    assert.deepEqual(refusals.sort(), [
      'DeleteCustomizedVoiceJob InvalidOperation.JobStatus',
      'GetCustomizedVoiceJob JobNotFound',
    ]);
  });
});
