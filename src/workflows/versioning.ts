/**
 * How a deploy reaches a workflow type: its Worker Versioning behaviour, declared once beside the workflow
 * (docs/deploys.md#the-rule-for-a-new-workflow). Declared only on versioned workers: the SDK (1.24) sends a declared
 * behaviour from any worker, and the server (1.29) fails the workflow task of an unversioned worker that sends one
 * (docs/deploys.md#declared-on-versioned-workers-only).
 */
import type { VersioningBehavior } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';

type WorkflowFunction = (...args: never[]) => Promise<unknown>;

const declared = new WeakMap<WorkflowFunction, VersioningBehavior>();

/**
 * Declares `behavior` for `workflow`. The run asks once, at its first task: in a deployment (a versioned worker, or a
 * history a versioned worker began) it takes `behavior`, outside one it declares nothing.
 */
export function declareVersioningBehavior(behavior: VersioningBehavior, workflow: WorkflowFunction): void {
  declared.set(workflow, behavior);
  // An unversioned worker has a build ID of its own (the bundle's) but no deployment name.
  setWorkflowOptions(
    () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: behavior } : {}),
    workflow,
  );
}

/** The behaviour declared for `workflow`, if any (the test that every registered workflow declares one). */
export function declaredVersioningBehavior(workflow: WorkflowFunction): VersioningBehavior | undefined {
  return declared.get(workflow);
}
