/**
 * What a deploy test does as an operator would (docs/deploys.md): make a build the deployment's current version
 * (`temporal worker deployment set-current-version`, here through the client), and read from a workflow's history
 * which builds ran it and with which versioning behaviour.
 */
import { isGrpcServiceError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** gRPC NOT_FOUND and FAILED_PRECONDITION: the server's answers while a new build's pollers have not reached it. */
const NOT_YET = new Set<number>([5, 9]);

/**
 * Makes `version` its deployment's current version: new workflows, and the next task of every AUTO_UPGRADE one, go
 * to its workers. Retries until the server knows the version (its worker polled), at most `timeoutMs`.
 */
export async function setCurrentVersion(
  client: Client,
  version: WorkerDeploymentVersion,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: client.options.namespace,
        deploymentName: version.deploymentName,
        buildId: version.buildId,
        identity: 'deploy-test',
      });
      return;
    } catch (error) {
      const retry = isGrpcServiceError(error) && error.code !== undefined && NOT_YET.has(error.code);
      if (!retry || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** One workflow task as its history recorded it: the build that completed it and the behaviour it declared. */
export interface CompletedTask {
  buildId: string;
  behavior: string;
}

/** The completed workflow tasks of a workflow, in order, with the build and versioning behaviour of each. */
export async function completedTasks(handle: WorkflowHandle): Promise<CompletedTask[]> {
  const behaviors = temporal.api.enums.v1.VersioningBehavior;
  return ((await handle.fetchHistory()).events ?? []).flatMap((event) => {
    const completed = event.workflowTaskCompletedEventAttributes;
    if (!completed) return [];
    return [
      {
        buildId: completed.deploymentVersion?.buildId ?? '',
        behavior: behaviors[completed.versioningBehavior ?? 0] ?? 'unknown',
      },
    ];
  });
}

/** The builds that ran a workflow, each once, in the order they first ran it. */
export function buildsInOrder(tasks: CompletedTask[]): string[] {
  return tasks.map((task) => task.buildId).filter((buildId, index, all) => all.indexOf(buildId) === index);
}
