/**
 * The clones whose callback took long to become a result, told step by step: each callback try the emulator made
 * (and how the receiver answered), when the signal reached the workflow's history, and when the clone closed. So a
 * report's max says where the time went (before the signal: ICE or the receiver; after it: server or worker).
 */
import { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';
import type { CallbackDelivery } from '../../src/emulator';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import type { BenchStack } from './stack';
import { mapLimit } from './stats';

/** Far above the paced p99 (under 0.1 s) and the saturated one (about 2 s). */
export const SLOW_CALLBACK_MS = 10_000;
const DESCRIBED = 5;

export interface SlowCallback {
  voiceId: string;
  /** When the emulator ended the training and fired the callback (epoch ms). */
  sentMs: number;
  callbackToResultMs: number;
}

const SIGNALED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;

export async function describeSlowCallbacks(
  stack: BenchStack,
  slow: readonly SlowCallback[],
  deliveries: readonly CallbackDelivery[],
): Promise<string[]> {
  const slowest = [...slow].sort((a, b) => b.callbackToResultMs - a.callbackToResultMs).slice(0, DESCRIBED);
  return mapLimit(slowest, 5, async (clone) => {
    const after = (ms: number): string => `+${Math.round(ms - clone.sentMs)} ms`;
    const tries = deliveries
      .filter((delivery) => delivery.voiceId === clone.voiceId)
      .map(
        (delivery) =>
          `try ${delivery.attempt} at ${after(Date.parse(delivery.at))}: ${delivery.outcome} ${delivery.httpStatus ?? 'no answer'}`,
      );
    let signals: string;
    try {
      const history = await stack.client.workflow.getHandle(voiceCloneWorkflowId(clone.voiceId)).fetchHistory();
      const times = (history.events ?? [])
        .filter((event) => event.eventType === SIGNALED)
        .map((event) => after(tsToMs(event.eventTime)));
      signals = times.length > 0 ? `signals in history at ${times.join(', ')}` : 'no signal in history';
    } catch (error) {
      signals = `history unreadable (${error instanceof Error ? error.message : String(error)})`;
    }
    return (
      `${clone.voiceId}: closed ${after(clone.sentMs + clone.callbackToResultMs)} after the callback was fired; ` +
      `${tries.join('; ') || 'no callback try'}; ${signals}`
    );
  });
}
