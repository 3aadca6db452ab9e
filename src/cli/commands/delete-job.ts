import { deleteVoiceCloneJob } from '../../client/voices';
import { loadIceClientConfig } from '../../config';
import { createIceClient } from '../../ice';
import { isIceError } from '../../ice/errors';
import { createLogger } from '../../observability/logger';
import { JOB_ID_PATTERN, JOB_ID_RULE } from '../../workflows/ice-ids';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CommandSpec } from '../args';
import type { Command } from '../context';

const spec: CommandSpec = {
  name: 'delete-job',
  summary:
    'Delete a voice job (DeleteCustomizedVoiceJob) that is not in Training or Success, e.g. a failed CosyVoice job\n' +
    'that holds one of the 30 voices. ICE refuses the others; no operation deletes a trained voice.',
  positionals: [{ name: '<jobId>', description: 'The JobId to delete.', required: true }],
  options: { json: { type: 'boolean', description: 'Print JSON for scripts instead of text.' } },
  notes: [
    "Exit code: 0 deleted, 1 refused or failed (ICE's Code and RequestId are printed), 2 bad usage.",
    'ICE settings: ICE_REGION / ICE_ENDPOINT and Alibaba credentials. RAM action needed: ice:DeleteCustomizedVoiceJob.',
  ],
};

export const command: Command = {
  spec,
  async run({ positionals, values }, context) {
    const jobId = positionals[0] ?? '';
    if (!JOB_ID_PATTERN.test(jobId)) throw new UsageError(`delete-job: <jobId> ${JOB_ID_RULE}, got "${jobId}"`);
    const json = values.json === true;
    const logger = createLogger('delete-job', context.logLevel);
    const ice = createIceClient(loadIceClientConfig(context.env), { logger });
    try {
      const { requestId } = await deleteVoiceCloneJob(ice, jobId);
      context.io.out(
        json ? JSON.stringify({ ok: true, jobId, requestId }) : `Deleted voice job ${jobId} [RequestId ${requestId}]`,
      );
      return EXIT_OK;
    } catch (error) {
      if (!isIceError(error)) throw error;
      const refusal = { ok: false, jobId, code: error.code, requestId: error.requestId ?? '', message: error.message };
      if (json) context.io.out(JSON.stringify(refusal));
      context.io.err(`delete-job: ICE refused to delete job ${jobId}: ${error.message}`);
      return EXIT_FAILURE;
    }
  },
};
