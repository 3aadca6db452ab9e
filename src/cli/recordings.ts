import type { VoiceRecording } from '../workflows/definitions';
import { UsageError } from './args';

/** `--recording N=URL` → { audioRecordId: N, recordUrl: URL }; the workflow's validation checks N and the URL. */
export function parseRecordingFlag(flag: string): VoiceRecording {
  const separator = flag.indexOf('=');
  const id = separator > 0 ? flag.slice(0, separator) : '';
  if (!/^\d+$/.test(id))
    throw new UsageError(`--recording "${flag}": expected <audioRecordId>=<https URL>, e.g. 1=https://…`);
  return { audioRecordId: Number(id), recordUrl: flag.slice(separator + 1) };
}
