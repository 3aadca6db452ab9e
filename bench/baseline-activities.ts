/**
 * Activities of the baseline workflow: they do nothing, except that "submit" tells the bench's baseline trainer
 * (an HTTP endpoint in the bench process, standing where the emulator + callback receiver stand for the package)
 * to signal the workflow once the training time is over.
 */
export interface BaselineActivities {
  detectNothing(): Promise<void>;
  listNothing(): Promise<void>;
  lookUpNothing(): Promise<void>;
  submitNothing(workflowId: string): Promise<void>;
  confirmNothing(): Promise<void>;
}

export function createBaselineActivities(trainerUrl: string): BaselineActivities {
  return {
    detectNothing: async () => undefined,
    listNothing: async () => undefined,
    lookUpNothing: async () => undefined,
    submitNothing: async (workflowId) => {
      const response = await fetch(`${trainerUrl}?workflowId=${encodeURIComponent(workflowId)}`, { method: 'POST' });
      await response.text();
    },
    confirmNothing: async () => undefined,
  };
}
