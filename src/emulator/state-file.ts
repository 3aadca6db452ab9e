/**
 * Optional persistence of the emulator's state to one JSON file, so that a restarted emulator keeps its voices,
 * jobs, callback settings and MNS queues (messages, handles and visibility included). Writes are debounced and atomic (temp file + rename): a crash mid-write leaves the
 * previous state intact.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventCallbackSettings } from './ice-operations';
import type { MnsQueueBookSnapshot } from './mns/mns-queue-book';
import type { VoiceJobBookSnapshot } from './voice-job-book';

export interface PersistedEmulatorState {
  version: 1;
  book: VoiceJobBookSnapshot;
  eventCallback?: EventCallbackSettings;
  /** The MNS queues with their messages (absent in files written before the emulator spoke MNS). */
  mnsQueues?: MnsQueueBookSnapshot;
}

/**
 * The callback setting as the state file keeps it: whole, AuthKey included, as ICE keeps it; or, when the key must
 * stay in memory, nothing at all for a setting with a key (a setting without its key would sign nothing).
 */
export function callbackSettingOnDisk(
  settings: EventCallbackSettings | undefined,
  keepAuthKey: boolean,
): EventCallbackSettings | undefined {
  return settings?.authKey !== undefined && !keepAuthKey ? undefined : settings;
}

export async function loadStateFile(file: string): Promise<PersistedEmulatorState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = JSON.parse(text) as PersistedEmulatorState;
  if (state.version !== 1 || !state.book) throw new Error(`${file}: not an emulator state file (version 1)`);
  return state;
}

export class StateFileWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => PersistedEmulatorState,
    private readonly onError: (error: unknown) => void,
    private readonly debounceMs = 50,
  ) {}

  /** Schedules a write soon; many changes in a burst make one write. */
  markDirty(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, this.debounceMs);
  }

  /** Writes any pending change, then ignores further changes (the emulator is closing). */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }

  /** Writes any pending change now. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.writeNow();
    }
    await this.writing;
  }

  private writeNow(): Promise<void> {
    const data = JSON.stringify(this.snapshot(), null, 2);
    this.writing = this.writing.then(async () => {
      const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
      try {
        await fs.mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
        await fs.writeFile(temp, data, { encoding: 'utf8', mode: 0o600 }); // may hold the callback AuthKey
        await fs.rename(temp, this.file);
      } catch (error) {
        this.onError(error);
        await fs.rm(temp, { force: true });
      }
    });
    return this.writing;
  }
}
