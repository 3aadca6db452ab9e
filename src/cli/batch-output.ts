/** How `batch` and `batch-status` show a batch's report: counts, then every failed clone with its input line. */
import { writeFile } from 'node:fs/promises';
import type { VoiceCloneBatchResult } from '../workflows/batch-definitions';
import { CliFailure } from './errors';

/**
 * The report as lines: the counts, then one line per failed clone (its index, the file line when known, its
 * workflow ID, the failure's type and message).
 */
export function describeBatchResult(batchId: string, result: VoiceCloneBatchResult, lineNumbers?: number[]): string[] {
  const lines = [`Batch ${batchId}: ${result.succeeded} of ${result.total} clones succeeded, ${result.failed} failed`];
  for (const entry of result.clones) {
    if (entry.status !== 'Failed') continue;
    const line = lineNumbers?.[entry.index];
    const where = line === undefined ? `#${entry.index}` : `#${entry.index} (line ${line})`;
    const failure = entry.failure ? `${entry.failure.type}: ${entry.failure.message}` : 'failed';
    lines.push(`  ${where} ${entry.workflowId}: ${failure}`);
  }
  return lines;
}

/** `--report <file>`: the VoiceCloneBatchResult as JSON; a file that cannot be written is a failure naming it. */
export async function writeBatchReport(file: string, result: VoiceCloneBatchResult): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    throw new CliFailure(`cannot write the report to ${file} (--report): ${(error as Error).message}`);
  }
}
