/** `npm run bench`: the package against bare Temporal on one local stack, plus a scale run (see bench/README.md). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CallbackMetrics } from '../src/callback/metrics';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../src/config';
import { runBaselineBurst } from './support/baseline-burst';
import { runBaselinePhase } from './support/baseline-phase';
import { runBatchPhase } from './support/batch-phase';
import { batchChecks } from './support/batch-report';
import { renderChart } from './support/chart';
import { runClonePhase } from './support/clone-phase';
import { machineFacts } from './support/machine';
import { measurePoll24h, type Poll24hResult } from './support/poll24h';
import type {
  BaselineBurstResult,
  BatchBenchResult,
  BenchReport,
  PathName,
  PhaseResult,
  ScaleResult,
} from './support/report-types';
import { mergeRounds, pathRatios, roundOrder, type PhaseRun } from './support/rounds';
import { runScalePhase } from './support/scale-phase';
import {
  BURST_CALLBACK_PATHS,
  startBenchStack,
  startBurstStack,
  type BenchStack,
  type BenchStackOptions,
  type BurstCallbackPath,
} from './support/stack';
import { formatReport, renderTable } from './support/table';
import { checkTargets } from './support/targets';

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Bad command-line input: reported as one line and the usage hint, without a stack. */
class UsageError extends Error {}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new UsageError(`--${name} must be a positive whole number, got "${value}"`);
  return parsed;
}

const USAGE = `Usage: npm run bench -- [options]

The package against bare Temporal on one local stack (dev server + ICE emulator + callback receiver), plus a
scale run per burst path. A report, not a test: targets are printed as PASS/MISS and never fail the run.

Options:
  --clones N                 clones per path and round (default 500)
  --rounds R                 rounds of the three throughput phases, order rotated each round (default 5)
  --scale N                  clones waiting at once in the scale run (default 10000)
  --skip-scale               no scale run
  --scale-budget-min M       stop starting scale clones after M minutes (default 20)
  --scale-settle-s S         how long all scale clones wait before the memory reading (default 120)
  --burst-callbacks P        how the scale run's burst reaches the clones: http (ICE's HTTP callbacks to the
                             receiver), mns (ICE's MNS queue and the queue consumer) or both, each on a fresh
                             stack with a scale run of its own (default both); none: no package burst
  --burst-baseline           also the scale run's burst with bare Temporal (baseline clones, fresh stack):
                             this machine's ceiling for a burst of that size
  --training-ms T            emulator training time for the timed paths (default 500)
  --latency-clones N         clones of the paced callback phase that measures latency (default 100)
  --latency-rate R           its starts per second, below saturation (default 2)
  --max-cached-workflows N   sticky cache of every bench worker, package and baseline (default: the package's)
  --without-search-attributes  package workers with lookUpSearchAttributes: false (what the upserts cost)
  --profile-workers DIR      write a V8 CPU profile of every worker process (all threads), the emulator
                             and the receiver to DIR
  --skip-poll24h             do not measure the 24-hour poll's history on the time-skipping server
  --batch-clones N           clones of the batch phase, on a fresh stack after the scale runs (default 1000)
  --batch-rate R             calls per second the emulator allows each ICE action, and the batch worker's
                             ICE client's per-action limit, ICE_MAX_CALLS_PER_SECOND (default 20)
  --batch-read-rate R        the same for ICE's job read, GetCustomizedVoiceJob (default: twice --batch-rate;
                             a clone reads its job twice per submit: the lookup and the callback's confirmation)
  --batch-max-concurrent N   the batch's maxConcurrent (default: three times --batch-rate, as a clone here
                             lasts one to two seconds: fewer would leave the rate unused)
  --skip-batch-loop          no loop of clones started at once beside the batch (the 10,000-clone run)
  --skip-batch               no batch phase
  --batch-only               only the batch phase: writes batch.json in --out, not latest.json
  --out DIR                  where latest.json and latest.svg go (default bench/results)
  -h, --help                 this text
`;

const WARM_UP_CLONES = 50;

/** `--burst-callbacks http|mns|both`: the burst paths, in the order they run. */
function burstPaths(value: string | undefined): BurstCallbackPath[] {
  if (value === undefined || value === 'both') return [...BURST_CALLBACK_PATHS];
  if (value === 'none') return [];
  const path = BURST_CALLBACK_PATHS.find((known) => known === value);
  if (!path) throw new UsageError(`--burst-callbacks must be http, mns, both or none, got "${value}"`);
  return [path];
}

/**
 * The scale run once per burst path, each on a stack of its own: the timed rounds leave thousands of closed
 * workflows in the server's SQLite file, which the scale run should neither pay for nor measure, and a stack's
 * ICE calls either a receiver or writes into a queue, not both.
 */
async function runScaleRuns(
  paths: readonly BurstCallbackPath[],
  stackOptions: BenchStackOptions,
  scale: { clones: number; rampBudgetMs: number; settleMs: number; notes: string[] },
): Promise<Partial<Record<BurstCallbackPath, ScaleResult>>> {
  const results: Partial<Record<BurstCallbackPath, ScaleResult>> = {};
  for (const callbacks of paths) {
    log(
      `scale (burst via ${callbacks}): fresh local stack; ${scale.clones} clones waiting at once ` +
        `(ramp budget ${scale.rampBudgetMs / 60_000} min)`,
    );
    const scaleStack = await startBurstStack(stackOptions, callbacks);
    log(`scale: server and worker logs: ${scaleStack.logDir}`);
    try {
      const result = await runScalePhase(scaleStack, {
        clones: scale.clones,
        prefix: 'BenchSc',
        rampBudgetMs: scale.rampBudgetMs,
        batchSize: Math.max(100, Math.ceil(scale.clones / 40)),
        settleMs: scale.settleMs,
        log,
      });
      results[callbacks] = result;
      if (result.clones < result.requestedClones) {
        scale.notes.push(
          `scale run (burst via ${callbacks}) cut to ${result.clones} of ${result.requestedClones} clones by the ` +
            `${scale.rampBudgetMs / 60_000}-minute ramp budget`,
        );
      }
    } finally {
      await scaleStack.close();
    }
  }
  return results;
}

/** Adds the receiver's own latency and backlog use (from its metrics, cumulative since `before`) to a callback phase. */
async function withReceiverLatency(
  stack: BenchStack,
  phase: PhaseResult,
  before: CallbackMetrics,
): Promise<PhaseResult> {
  const now = await stack.receiver.metrics();
  const latency = now.latency;
  return {
    ...phase,
    receiverLatencyMs: {
      p50: latency.p50Ms,
      p90: latency.p90Ms,
      p99: latency.p99Ms,
      max: latency.maxMs,
      count: latency.count - before.latency.count,
    },
    receiverBacklogged: now.backlogged - before.backlogged,
  };
}

function describePath(path: PathName, clones: number): string {
  if (path === 'baseline') return `baseline, ${clones} clones`;
  if (path === 'callback') return `callback path, ${clones} clones`;
  return `poll path, ${clones} clones, every callback dropped by the emulator`;
}

/** One throughput phase: every clone started at once. Voice and workflow IDs carry the round, so none repeats. */
async function runThroughputPhase(
  stack: BenchStack,
  path: PathName,
  clones: number,
  trainingMs: number,
  round: number,
): Promise<PhaseRun> {
  if (path === 'baseline') return runBaselinePhase(stack, clones, trainingMs, `baseline-r${round}`);
  if (path === 'callback') {
    return runClonePhase(stack, {
      path: 'callback',
      clones,
      prefix: `BenchCb${round}r`,
      timing: { callbackTimeout: '10 minutes' },
    });
  }
  await stack.emulator.admin.setFaults({ callbacks: { drop: { rate: 1 } } });
  try {
    return await runClonePhase(stack, {
      path: 'poll',
      clones,
      prefix: `BenchPl${round}r`,
      timing: { callbackTimeout: '1s', pollInterval: '1s', maxPollInterval: '2s' },
    });
  } finally {
    await stack.emulator.admin.setFaults({});
  }
}

interface BenchOptions {
  clones: number;
  rounds: number;
  scaleClones: number;
  trainingMs: number;
  latencyClones: number;
  latencyStartsPerSec: number;
  scaleBudgetMs: number;
  scaleSettleMs: number;
  skipScale: boolean;
  burstCallbacks: BurstCallbackPath[];
  burstBaseline: boolean;
  skipPoll24h: boolean;
  batch: {
    clones: number;
    ratePerSec: number;
    readRatePerSec: number;
    maxConcurrent: number;
    skipLoop: boolean;
    skip: boolean;
    only: boolean;
  };
  stackOptions: BenchStackOptions;
  outDir: string;
}

/** The command line, checked; undefined for --help. */
function parseOptions(): BenchOptions | undefined {
  const { values } = parseArgs({
    options: {
      clones: { type: 'string' },
      rounds: { type: 'string' },
      scale: { type: 'string' },
      'skip-scale': { type: 'boolean', default: false },
      'scale-budget-min': { type: 'string' },
      'scale-settle-s': { type: 'string' },
      'burst-callbacks': { type: 'string', default: 'both' },
      'burst-baseline': { type: 'boolean', default: false },
      'training-ms': { type: 'string' },
      'latency-clones': { type: 'string' },
      'latency-rate': { type: 'string' },
      'skip-poll24h': { type: 'boolean', default: false },
      'batch-clones': { type: 'string' },
      'batch-rate': { type: 'string' },
      'batch-read-rate': { type: 'string' },
      'batch-max-concurrent': { type: 'string' },
      'skip-batch-loop': { type: 'boolean', default: false },
      'skip-batch': { type: 'boolean', default: false },
      'batch-only': { type: 'boolean', default: false },
      'max-cached-workflows': { type: 'string' },
      'profile-workers': { type: 'string' },
      'without-search-attributes': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const trainingMs = positiveInt(values['training-ms'], 'training-ms', 500);
  const maxCachedWorkflows =
    values['max-cached-workflows'] === undefined
      ? undefined
      : positiveInt(values['max-cached-workflows'], 'max-cached-workflows', DEFAULT_MAX_CACHED_WORKFLOWS);
  const cpuProfileDir = values['profile-workers'] ? path.resolve(values['profile-workers']) : undefined;
  const batchRate = positiveInt(values['batch-rate'], 'batch-rate', 20);
  return {
    clones: positiveInt(values.clones, 'clones', 500),
    rounds: positiveInt(values.rounds, 'rounds', 5),
    scaleClones: positiveInt(values.scale, 'scale', 10_000),
    trainingMs,
    latencyClones: positiveInt(values['latency-clones'], 'latency-clones', 100),
    latencyStartsPerSec: positiveInt(values['latency-rate'], 'latency-rate', 2),
    scaleBudgetMs: positiveInt(values['scale-budget-min'], 'scale-budget-min', 20) * 60_000,
    scaleSettleMs: positiveInt(values['scale-settle-s'], 'scale-settle-s', 120) * 1000,
    skipScale: values['skip-scale'] ?? false,
    burstCallbacks: burstPaths(values['burst-callbacks']),
    burstBaseline: values['burst-baseline'] ?? false,
    skipPoll24h: values['skip-poll24h'] ?? false,
    batch: {
      clones: positiveInt(values['batch-clones'], 'batch-clones', 1000),
      ratePerSec: batchRate,
      readRatePerSec: positiveInt(values['batch-read-rate'], 'batch-read-rate', 2 * batchRate),
      // As wide as the rate: each clone reads its job twice as local activities, which the worker's cap does not
      // pace, so a wider window can send ICE more reads a second than its limit (bench/README.md, batch phase).
      maxConcurrent: positiveInt(values['batch-max-concurrent'], 'batch-max-concurrent', 3 * batchRate),
      skipLoop: values['skip-batch-loop'] ?? false,
      skip: values['skip-batch'] ?? false,
      only: values['batch-only'] ?? false,
    },
    stackOptions: {
      trainingMs,
      maxCachedWorkflows,
      cpuProfileDir,
      withoutSearchAttributes: values['without-search-attributes'] ?? false,
    },
    outDir: values.out ?? 'bench/results',
  };
}

/** The three paths in rotated rounds, then the callback path below saturation, on one stack. */
async function runTimedPhases(options: BenchOptions): Promise<PhaseResult[]> {
  const { clones, rounds, trainingMs } = options;
  log(`starting the local stack (dev server child process, emulator trainingMs=${trainingMs}, callback receiver)`);
  const stack = await startBenchStack(options.stackOptions);
  log(`server and worker logs: ${stack.logDir}`);
  const runs: Record<PathName, PhaseRun[]> = { baseline: [], callback: [], poll: [] };
  try {
    // The first phase would otherwise also pay for a cold server and a cold bench process (JIT, connections).
    log(`warm-up: ${WARM_UP_CLONES} baseline clones, not reported`);
    await runBaselinePhase(stack, WARM_UP_CLONES, trainingMs, 'warmup');
    const receiverBefore = await stack.receiver.metrics();
    for (let round = 0; round < rounds; round++) {
      for (const path of roundOrder(round)) {
        log(`round ${round + 1}/${rounds}: ${describePath(path, clones)}`);
        runs[path].push(await runThroughputPhase(stack, path, clones, trainingMs, round));
      }
    }
    const phases = [
      mergeRounds(runs.baseline),
      await withReceiverLatency(stack, mergeRounds(runs.callback), receiverBefore),
      mergeRounds(runs.poll),
    ];
    log(`callback path below saturation: ${options.latencyClones} clones, ${options.latencyStartsPerSec} starts/s`);
    const pacedBefore = await stack.receiver.metrics();
    const paced = await runClonePhase(stack, {
      path: 'callback',
      clones: options.latencyClones,
      prefix: 'BenchLt',
      timing: { callbackTimeout: '10 minutes' },
      startsPerSec: options.latencyStartsPerSec,
    });
    phases.push(await withReceiverLatency(stack, mergeRounds([paced]), pacedBefore));
    return phases;
  } finally {
    await stack.close();
  }
}

/** What has been measured so far; the report is written after the timed paths and again after the scale runs. */
interface Measured {
  phases: PhaseResult[];
  poll24h?: Poll24hResult;
  scale?: ScaleResult;
  scaleMns?: ScaleResult;
  scaleBaseline?: BaselineBurstResult;
  batch?: BatchBenchResult;
  notes: string[];
}

/** The batch phase on a stack of its own (the timed rounds' closed workflows would otherwise weigh on it). */
async function runBatchRun(options: BenchOptions): Promise<BatchBenchResult> {
  log(`batch phase: fresh local stack (emulator trainingMs=${options.trainingMs})`);
  const stack = await startBenchStack(options.stackOptions);
  log(`batch: server and worker logs: ${stack.logDir}`);
  try {
    return await runBatchPhase(stack, {
      clones: options.batch.clones,
      ratePerSec: options.batch.ratePerSec,
      readRatePerSec: options.batch.readRatePerSec,
      maxConcurrent: options.batch.maxConcurrent,
      trainingMs: options.trainingMs,
      skipLoop: options.batch.skipLoop,
      log,
    });
  } finally {
    await stack.close();
  }
}

/** `--batch-only`: the batch phase alone, written to batch.json (latest.json keeps the last full run). */
async function batchOnly(options: BenchOptions): Promise<void> {
  const batch = await runBatchRun(options);
  const targets = batchChecks(batch);
  const report = { generatedAt: new Date().toISOString(), machine: machineFacts(), batch, targets };
  await mkdir(options.outDir, { recursive: true });
  await writeFile(path.join(options.outDir, 'batch.json'), `${JSON.stringify(report, null, 2)}\n`);
  const rows = targets.map((check) => [
    check.name,
    check.target,
    check.measured,
    check.pass === null ? 'n/a' : check.pass ? 'PASS' : 'MISS',
  ]);
  process.stdout.write(
    `${renderTable([['target', 'wanted', 'measured', ''], ...rows])}\n\nwrote ${options.outDir}/batch.json\n`,
  );
}

/** Writes latest.json and latest.svg, so that a failed scale run keeps the rest. */
async function writeReport(options: BenchOptions, measured: Measured): Promise<BenchReport> {
  const { phases, poll24h, scale, scaleMns, scaleBaseline, batch, notes } = measured;
  const partial: Omit<BenchReport, 'targets'> = {
    generatedAt: new Date().toISOString(),
    machine: machineFacts(),
    options: {
      clones: options.clones,
      rounds: options.rounds,
      maxCachedWorkflows: options.stackOptions.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
      searchAttributes: !options.stackOptions.withoutSearchAttributes,
      scale: options.scaleClones,
      scaleSettleS: options.scaleSettleMs / 1000,
      skipScale: options.skipScale,
      burstCallbacks: options.burstCallbacks,
      trainingMs: options.trainingMs,
      latencyClones: options.latencyClones,
      latencyStartsPerSec: options.latencyStartsPerSec,
    },
    stack:
      'temporal CLI dev server (child process, SQLite file, search attributes registered) + ICE emulator (child ' +
      'process) + callback receiver (auth on, child process); each phase with a fresh worker child process ' +
      "(compiled, plain node); the MNS burst: the emulator's MNS queue and one queue consumer in the bench process",
    phases,
    ratio: { ...pathRatios(phases, 'whole'), steady: pathRatios(phases, 'steady') },
    ...(poll24h ? { poll24h } : {}),
    ...(scale ? { scale } : {}),
    ...(scaleMns ? { scaleMns } : {}),
    ...(scaleBaseline ? { scaleBaseline } : {}),
    ...(batch ? { batch } : {}),
    notes,
  };
  const built: BenchReport = { ...partial, targets: checkTargets(partial) };
  await mkdir(options.outDir, { recursive: true });
  await writeFile(path.join(options.outDir, 'latest.json'), `${JSON.stringify(built, null, 2)}\n`);
  await writeFile(path.join(options.outDir, 'latest.svg'), renderChart(built));
  return built;
}

async function main(): Promise<void> {
  // Child processes (dev server, workers) are killed from 'exit' handlers: make signals go through exit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const options = parseOptions();
  if (!options) {
    process.stdout.write(USAGE);
    return;
  }
  const { cpuProfileDir } = options.stackOptions;
  if (cpuProfileDir) await mkdir(cpuProfileDir, { recursive: true });
  if (options.batch.only) return batchOnly(options);
  const measured: Measured = { phases: [], notes: [] };
  if (!options.skipPoll24h) {
    log('24-hour poll on the time-skipping server');
    const poll24h = await measurePoll24h();
    log(
      `24-hour poll: ${poll24h.historyEvents} history events, ${poll24h.statusChecks} status reads, ${poll24h.failureType}`,
    );
    measured.poll24h = poll24h;
  }
  measured.phases = await runTimedPhases(options);
  await writeReport(options, measured);
  if (!options.skipScale) {
    const scaleRuns = await runScaleRuns(options.burstCallbacks, options.stackOptions, {
      clones: options.scaleClones,
      rampBudgetMs: options.scaleBudgetMs,
      settleMs: options.scaleSettleMs,
      notes: measured.notes,
    });
    measured.scale = scaleRuns.http;
    measured.scaleMns = scaleRuns.mns;
    if (options.burstBaseline) {
      log(`scale (burst with bare Temporal): fresh local stack; ${options.scaleClones} baseline clones`);
      measured.scaleBaseline = await runBaselineBurst(options.stackOptions, options.scaleClones, log);
    }
  }
  if (!options.batch.skip) {
    await writeReport(options, measured);
    measured.batch = await runBatchRun(options);
  }
  const report = await writeReport(options, measured);
  const { outDir } = options;
  process.stdout.write(`${formatReport(report)}\n\nwrote ${outDir}/latest.json and ${outDir}/latest.svg\n`);
}

main().catch((error: unknown) => {
  const parseError =
    error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  if (error instanceof UsageError || parseError) {
    process.stderr.write(`bench: ${error.message}\nRun npm run bench -- --help for the options.\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
