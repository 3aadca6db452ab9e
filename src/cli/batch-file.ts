/**
 * `batch --file clones.jsonl`: one clone input per line, as `startVoiceClone` takes it, each held to the clone's own
 * rules (src/workflows/validation.ts) before anything starts. A bad line is a usage error naming its line number,
 * field and rule; blank lines are skipped, so line numbers stay those of the file.
 */
import { validateVoiceCloneInput } from '../workflows/validation';
import { voiceCloneWorkflowId, type VoiceCloneInput } from '../workflows/definitions';
import { UsageError } from './args';

/** The clones of a batch file, in file order, with the line each came from (the report's index → line). */
export interface BatchFile {
  clones: VoiceCloneInput[];
  lineNumbers: number[];
}

/** Parses and checks every line; throws a UsageError for the first bad one (nothing starts). */
export function parseBatchFile(text: string, fileName: string): BatchFile {
  const clones: VoiceCloneInput[] = [];
  const lineNumbers: number[] = [];
  const lineOfWorkflowId = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, offset) => {
    if (line.trim() === '') return;
    const lineNumber = offset + 1;
    const input = parseLine(line, `${fileName} line ${lineNumber}`);
    const workflowId = voiceCloneWorkflowId(input);
    const earlier = lineOfWorkflowId.get(workflowId);
    if (earlier !== undefined) {
      throw new UsageError(
        `${fileName} line ${lineNumber}: the same voice as line ${earlier} (${workflowId}): one line per voice`,
      );
    }
    lineOfWorkflowId.set(workflowId, lineNumber);
    clones.push(input);
    lineNumbers.push(lineNumber);
  });
  if (clones.length === 0) throw new UsageError(`${fileName}: no clone inputs (one JSON object per line)`);
  return { clones, lineNumbers };
}

function parseLine(line: string, where: string): VoiceCloneInput {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new UsageError(`${where}: not JSON (${(error as Error).message})`);
  }
  const validation = validateVoiceCloneInput(value);
  if (!validation.ok) throw new UsageError(`${where}: ${validation.field}: ${validation.rule}`);
  return value as VoiceCloneInput;
}
