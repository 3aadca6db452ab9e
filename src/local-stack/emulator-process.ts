/**
 * The ICE emulator in its own process, as ICE is another machine in production: in the process of the stack's
 * caller it would share one event loop with the callback receiver and the clients, so that under a burst a
 * callback's time in the receiver would include the emulator's work (and the reverse). Runs on plain node
 * (child-script.ts). Parent side: emulator-child.ts.
 *
 * Message to the parent: { type: 'ready', url, port }. Message from the parent: { type: 'shutdown' } closes and exits.
 */
import type { IceCredentials } from '../config';
import { startEmulator, type CallbackTiming, type FaultConfig } from '../emulator';
import { closeOnParentRequest, receiveSpec, runChild, sendToParent } from './child-entry';

export interface EmulatorSpec {
  keyPairs: IceCredentials[];
  trainingMs: number;
  /** 0 or unset: a free port. */
  port?: number;
  faults?: FaultConfig;
  stateFile?: string;
  callbackTiming?: Partial<CallbackTiming>;
}

async function main(): Promise<void> {
  const spec = await receiveSpec<EmulatorSpec>();
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: spec.port ?? 0,
    keyPairs: spec.keyPairs,
    trainingMs: spec.trainingMs,
    faults: spec.faults ?? {},
    ...(spec.stateFile !== undefined && { stateFile: spec.stateFile }),
    ...(spec.callbackTiming && { callbackTiming: spec.callbackTiming }),
  });
  closeOnParentRequest(() => emulator.close());
  sendToParent({ type: 'ready', url: emulator.url, port: emulator.port });
}

runChild('emulator-process', main);
