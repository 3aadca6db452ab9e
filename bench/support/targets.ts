/** The issue's targets, compared against the measured figures (PASS/MISS is printed, never fails the run). */
import type { BenchReport, PhaseResult, TargetCheck } from './report-types';

/** Detection (1 recording) + lookup + submit + one confirmation. */
const CALLBACK_PATH_ICE_BUDGET = 4;
const SHORT_NAMES: Record<string, string> = {
  GetCustomizedVoiceJob: 'Get',
  ListCustomizedVoiceJobs: 'List',
  DetectAudioForCustomizedVoiceJob: 'Detect',
  SubmitCustomizedVoiceJob: 'Submit',
};

function iceCallsWithinBudget(phase: PhaseResult): TargetCheck {
  const calls = phase.iceCallsPerClone ?? {};
  const total = Object.values(calls).reduce((sum, count) => sum + count, 0);
  const byAction = Object.entries(calls)
    .map(([action, count]) => `${SHORT_NAMES[action] ?? action} ${Number(count.toFixed(2))}`)
    .join(', ');
  return {
    name: 'callback path ICE calls per clone',
    target: `≤ ${CALLBACK_PATH_ICE_BUDGET} (detection + lookup + submit + 1 confirmation)`,
    measured: `${Number(total.toFixed(2))}: ${byAction}`,
    pass: total <= CALLBACK_PATH_ICE_BUDGET + 1e-9,
  };
}

const SATURATED = 'all at once';

/** The phase of `path` that started every clone at once, or the one started at a pace. */
export function phaseOf(phases: readonly PhaseResult[], path: string, paced = false): PhaseResult | undefined {
  return phases.find((phase) => phase.path === path && ((phase.load ?? SATURATED) !== SATURATED) === paced);
}

function latencyCheck(paced: PhaseResult | undefined, saturated: PhaseResult | undefined): TargetCheck | undefined {
  const measuredOn = paced ?? saturated;
  if (!measuredOn?.callbackToResultMs) return undefined;
  const atSaturation =
    paced && saturated?.callbackToResultMs ? `; ${saturated.callbackToResultMs.p95} ms with all started at once` : '';
  return {
    name: 'callback → result p95',
    target: '≤ 250 ms',
    measured: `${measuredOn.callbackToResultMs.p95} ms at ${measuredOn.load ?? SATURATED}${atSaturation}`,
    pass: measuredOn.callbackToResultMs.p95 <= 250,
  };
}

/** ", rounds 0.84-0.93" when the ratio was taken over several rounds. */
function roundRange(ratios: readonly number[] | undefined): string {
  if (!ratios || ratios.length < 2) return '';
  return `, rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
}

export function checkTargets(report: Omit<BenchReport, 'targets'>): TargetCheck[] {
  const callback = phaseOf(report.phases, 'callback');
  const checks: TargetCheck[] = [
    {
      name: 'throughput ratio package ÷ baseline',
      target: '≥ 0.9',
      measured:
        `${report.ratio.callbackOverBaseline.toFixed(2)} median of per-round ratios` +
        `${roundRange(report.ratio.byRound?.callbackOverBaseline)}; of totals ${report.ratio.ofTotals.callbackOverBaseline.toFixed(2)} ` +
        `(poll path ${report.ratio.pollOverBaseline.toFixed(2)}` +
        `${report.ratio.steady ? `; steady ${report.ratio.steady.callbackOverBaseline.toFixed(2)}` : ''})`,
      pass: report.ratio.callbackOverBaseline >= 0.9,
    },
  ];
  const latency = latencyCheck(phaseOf(report.phases, 'callback', true), callback);
  if (latency) checks.push(latency);
  if (callback) {
    checks.push(iceCallsWithinBudget(callback));
    checks.push({
      name: 'history events, callback path',
      target: '≤ 60',
      measured: `max ${callback.historyEvents.max} (mean ${callback.historyEvents.mean})`,
      pass: callback.historyEvents.max <= 60,
    });
  }
  checks.push({
    name: 'history events, 24-hour poll',
    target: '≤ 100',
    measured: report.poll24h ? `${report.poll24h.historyEvents} (${report.poll24h.source})` : 'not measured',
    pass: report.poll24h ? report.poll24h.historyEvents <= 100 : null,
  });
  checks.push({
    name: 'worker memory, clones waiting at once',
    target: '10,000 within 400 MB',
    measured: report.scale
      ? `${report.scale.clones} waiting: ${report.scale.waitingWorkerRssMiB} MiB RSS` +
        `${report.options.scaleSettleS ? ` after ${report.options.scaleSettleS} s of waiting` : ''}` +
        ` (peak ${report.scale.waitingWorkerPeakRssMiB} MiB)`
      : 'not measured',
    pass: report.scale
      ? report.scale.clones >= 10_000 && report.scale.waitingWorkerRssMiB * 1.048576 <= 400
        ? true
        : report.scale.waitingWorkerRssMiB * 1.048576 <= 400 && report.scale.clones < 10_000
          ? null
          : false
      : null,
  });
  return checks;
}
