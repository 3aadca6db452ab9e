/**
 * A caller of the package's Nexus service from another namespace, as a team's would be: a namespace of its own on
 * the same Temporal server, a Nexus endpoint that targets the package's worker (its namespace and task queue), and
 * a worker there running the caller's workflows. What `temporal operator namespace create` and
 * `temporal operator nexus endpoint create` do, through the same gRPC services.
 */
import { randomBytes } from 'node:crypto';
import { Client, isGrpcServiceError, type ConnectionLike } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { NativeConnection, Worker } from '@temporalio/worker';
import { workflowBundle } from '../local-stack/workflow-bundle';

/** How to start a caller; only its workflows are required. */
export interface NexusCallerOptions {
  /** The caller's workflow module (bundled once per process); its workflows call the endpoint. */
  workflowsPath: string;
  /** Default: `<target task queue>-caller`. */
  namespace?: string;
  /** Default: a fresh `voice-clone-<hex>` (letters, digits and '-', as endpoint names must be). */
  endpoint?: string;
  /** The task queue the endpoint targets; default the harness's (its workers serve the service). */
  targetTaskQueue?: string;
}

/** A running caller: its namespace, endpoint, client and worker, stopped by `stop` (the harness's close). */
export interface NexusCaller {
  readonly namespace: string;
  /** The endpoint's name: what the caller's workflows pass to `createNexusServiceClient`. */
  readonly endpoint: string;
  /** The caller worker's task queue. */
  readonly taskQueue: string;
  /** A client on the caller's namespace. */
  readonly client: Client;
  stop(): Promise<void>;
}

/** Where the package's worker runs: the endpoint's target. */
export interface NexusTarget {
  connection: ConnectionLike;
  nativeConnection?: NativeConnection;
  address: string;
  namespace: string;
  taskQueue: string;
}

export async function startNexusCaller(target: NexusTarget, options: NexusCallerOptions): Promise<NexusCaller> {
  const targetTaskQueue = options.targetTaskQueue ?? target.taskQueue;
  const namespace = options.namespace ?? `${targetTaskQueue}-caller`;
  const endpoint = options.endpoint ?? `voice-clone-${randomBytes(4).toString('hex')}`;
  await registerNamespace(target.connection, namespace);
  await target.connection.operatorService.createNexusEndpoint({
    spec: { name: endpoint, target: { worker: { namespace: target.namespace, taskQueue: targetTaskQueue } } },
  });
  const connection = target.nativeConnection ?? (await NativeConnection.connect({ address: target.address }));
  const ownConnection = connection === target.nativeConnection ? undefined : connection;
  const taskQueue = `${namespace}-workflows`;
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle: await workflowBundle(options.workflowsPath),
  });
  const run = worker.run();
  return {
    namespace,
    endpoint,
    taskQueue,
    client: new Client({ connection: target.connection, namespace }),
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run;
      await ownConnection?.close();
    },
  };
}

/** gRPC's status code ALREADY_EXISTS (the numeric code: @grpc/grpc-js is not the package's own dependency). */
const GRPC_ALREADY_EXISTS: number = 6;

/** Registers `namespace` (one day's retention); one that exists already is kept. */
async function registerNamespace(connection: ConnectionLike, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  } catch (error) {
    if (!(isGrpcServiceError(error) && Number(error.code) === GRPC_ALREADY_EXISTS)) throw error;
  }
}
