/** One fault scenario from start to verdict: stack, worker, clones, the disruption, the checks. */
import assert from 'node:assert/strict';
import type { RecordedCall } from '../../../src/emulator';
import type { CompletedVia, VoiceCloneTiming } from '../../../src/workflows/definitions';
import { faultClones, startClones, verifyScenario, type FaultClone, type ScenarioOutcome } from './clones';
import { startFaultStack, type FaultStack, type FaultStackOptions, type WorkerChild } from './fault-stack';

export interface ScenarioContext {
  stack: FaultStack;
  /** Basic, Standard and CosyVoice in turn (see faultClones). */
  clones: readonly FaultClone[];
  /** The (first) worker started with the scenario; a disruption may kill it and start another. */
  worker: WorkerChild;
  /** Every worker started with the scenario, oldest first. */
  workers: readonly WorkerChild[];
}

export interface ScenarioSpec {
  name: string;
  clones: number;
  prefix: string;
  stack: FaultStackOptions;
  /** Default `FAULT_TIMING`. */
  timing?: VoiceCloneTiming;
  /** How the clones may end; default by callback or by polling. */
  expectVia?: readonly CompletedVia[];
  /** Worker processes started before the clones, on the one task queue (default 1). */
  workers?: number;
  /** Runs after the voices exist and before the clones start (e.g. turn faults on). */
  beforeStart?: (stack: FaultStack) => Promise<void>;
  /** Breaks things while the clones run; returns call logs of emulators it restarted. */
  disrupt?: (context: ScenarioContext) => Promise<{ earlierCalls?: RecordedCall[] } | void>;
  /** Extra checks once every clone has ended. */
  afterwards?: (context: ScenarioContext) => Promise<void>;
  timeoutMs?: number;
}

export const FAULT_TIMING: VoiceCloneTiming = {
  callbackTimeout: '5s',
  pollInterval: '1s',
  maxPollInterval: '2s',
  trainingTimeout: '10 minutes',
};

export async function runScenario(spec: ScenarioSpec): Promise<ScenarioOutcome> {
  const startedAt = Date.now();
  const stack = await startFaultStack(spec.stack);
  try {
    const clones = faultClones(spec.prefix, spec.clones);
    const workers: WorkerChild[] = [];
    for (let index = 0; index < (spec.workers ?? 1); index++) workers.push(await stack.startWorker());
    const context: ScenarioContext = { stack, clones, worker: workers[0], workers };
    await startClones(
      stack,
      clones,
      spec.timing ?? FAULT_TIMING,
      spec.beforeStart && (() => spec.beforeStart?.(stack) ?? Promise.resolve()),
    );
    const disrupted = (await spec.disrupt?.(context)) ?? {};
    const outcome = await verifyScenario(stack, {
      scenario: spec.name,
      startedAt,
      clones,
      expectVia: spec.expectVia ?? ['callback', 'poll'],
      earlierCalls: disrupted.earlierCalls,
      timeoutMs: spec.timeoutMs,
    });
    await spec.afterwards?.(context);
    return outcome;
  } finally {
    await stack.close();
  }
}

/**
 * The verdict every scenario shares, for every edition: all correct, one submit per voice, no secret in any history
 * (each edition's canary found).
 */
export function assertScenario(outcome: ScenarioOutcome): void {
  const detail = outcome.problems.slice(0, 10).join('\n');
  assert.equal(
    outcome.completedCorrectly,
    outcome.clones,
    `${outcome.scenario}: not every clone ended right:\n${detail}`,
  );
  assert.equal(outcome.duplicateSubmits, 0, `${outcome.scenario}: ICE got duplicate submits:\n${detail}`);
  assert.equal(outcome.secretsFound, 0, `${outcome.scenario}: secrets in histories:\n${detail}`);
  assert.ok(outcome.canaryFound, `${outcome.scenario}: the secret search missed the planted canary:\n${detail}`);
}
