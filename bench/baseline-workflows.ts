/**
 * The baseline: the clone workflow's shape (the search-attribute question and the lookup side by side, detection
 * per recording, submit, one signal, one confirmation) with none of the package's logic, so that the benchmark can
 * say what the package costs on top of bare Temporal on the same machine at the same moment. The same number of
 * activities, each the same kind as the package's: the search-attribute question, the lookup by JobId and the
 * confirmation are local activities there, so they are local here.
 */
import {
  condition,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { BaselineActivities } from './baseline-activities';

export const baselineCallbackSignal = defineSignal<[unknown]>('iceCallback');

export interface BaselineCloneInput {
  voiceId: string;
  recordings: number;
}

const activities = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });
const localActivities = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

export async function baselineCloneWorkflow(input: BaselineCloneInput): Promise<{ voiceId: string }> {
  let signalled = false;
  setHandler(baselineCallbackSignal, () => {
    signalled = true;
  });
  await Promise.all([localActivities.listNothing(), localActivities.lookUpNothing()]);
  for (let index = 0; index < input.recordings; index++) await activities.detectNothing();
  await activities.submitNothing(workflowInfo().workflowId);
  await condition(() => signalled);
  await localActivities.confirmNothing();
  return { voiceId: input.voiceId };
}
