/**
 * A team's own worker with the voice clone plugged in: its task queue, its workflows module (./workflows.ts, which
 * re-exports the clone workflow) and its activities, plus `voiceClonePlugin()` for the clone's ICE activities.
 * In an installed package, import from 'ice-voice-clone' instead of '../../src'. Run by
 * test/plugin/media-worker.test.ts.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { voiceClonePlugin, type VoiceClonePluginOptions } from '../../src';
import * as activities from './activities';

export const MEDIA_TASK_QUEUE = 'media-pipeline';

export interface MediaWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** Default: ICE settings from the environment (ICE_REGION, ICE_ENDPOINT, Alibaba's credential chain). */
  voiceClone?: VoiceClonePluginOptions;
}

export function createMediaWorker(options: MediaWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? MEDIA_TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    activities,
    plugins: [voiceClonePlugin(options.voiceClone)],
  });
}
