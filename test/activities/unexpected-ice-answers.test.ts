/**
 * ICE answers as its SDK types them (docs/ice-api.md#job-fields): Status, Type, Scenario and Gender are plain
 * strings, so new values pass through, and a 2xx answer without what the clone needs (a read's Status, a submit's
 * JobId) is retried a bounded number of times, counted by the activity's attempt, then fails the clone as
 * `UnexpectedIceResponse` naming the operation, the field and ICE's RequestId. A real HTTP peer answers as scripted
 * (the harness's HTTP capture target), the real signed client reads it, the SDK's activity environment runs the activities.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createFindVoiceCloneJob, lookUpNewestVoiceJob } from '../../src/activities/find-voice-clone-job';
import { assertWorkflowFailed, startHttpCapture, type CapturedRequest, type HttpCapture } from '../support/harness';
import { createPollVoiceCloneJob } from '../../src/activities/poll-voice-clone-job';
import { createReadVoiceCloneJob } from '../../src/activities/read-voice-clone-job';
import { createSubmitVoiceCloneJob } from '../../src/activities/submit-voice-clone-job';
import type {
  IncompleteIceAnswerDetails,
  PolledVoiceJob,
  SubmittedVoiceJob,
  SubmitVoiceCloneJobInput,
  UnexpectedIceResponseDetails,
} from '../../src/activities/types';
import { INCOMPLETE_ICE_ANSWER_FAILURE_TYPE, TRAINING_IN_PROGRESS_FAILURE_TYPE } from '../../src/activities/types';
import { ConfigError, loadUnexpectedResponseRetries, loadWorkerConfig } from '../../src/config';
import { createIceClient, type IceClient } from '../../src/ice';
import { isMissingResponseField } from '../../src/ice/errors';

type Wire = Record<string, unknown>;

/** What the peer answers per Action (the body's RequestId is added); read at request time, so tests swap it. */
const answers = new Map<string, () => Wire>();
let peer: HttpCapture;
let ice: IceClient;
let requestSeq = 0;

const VOICE = 'OddAnswers01';
const JOB = '0123456789abcdef0123456789abcdef';

function job(fields: Wire = {}): Wire {
  return {
    JobId: JOB,
    VoiceId: VOICE,
    Status: 'Training',
    Type: 'Basic',
    Scenario: 'story',
    Gender: 'female',
    Message: '',
    CreateTime: '2026-12-02T10:00:00Z',
    ...fields,
  };
}

function withoutStatus(fields: Wire = {}): Wire {
  const { Status: _dropped, ...rest } = job(fields);
  return rest;
}

const getJob = (wire: Wire) => () => ({ Data: { CustomizedVoiceJob: wire } });
const listJobs =
  (...items: Wire[]) =>
  () => ({ Data: { CustomizedVoiceJobList: items, TotalCount: items.length } });

/** The V3 signature carries the RPC action in a header. */
function actionOf(request: CapturedRequest): string {
  return String(request.headers['x-acs-action'] ?? '');
}

before(async () => {
  peer = await startHttpCapture({
    respond: (_req, response, request) => {
      const action = actionOf(request);
      const answer = answers.get(action);
      const requestId = `R-${action}-${++requestSeq}`;
      response.writeHead(answer ? 200 : 400, { 'content-type': 'application/json;charset=utf-8' });
      response.end(
        JSON.stringify(answer ? { RequestId: requestId, ...answer() } : { RequestId: requestId, Code: 'X' }),
      );
    },
  });
  ice = createIceClient({
    region: 'cn-shanghai',
    endpoint: peer.url,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 2_000,
    credentials: { accessKeyId: 'LTAITestKeyId', accessKeySecret: 'NeverPrintThisSecret0042' },
  });
});
after(() => peer.close());
beforeEach(() => answers.clear());

function run<I, O>(activity: (input: I) => Promise<O>, input: I, attempt: number): Promise<O> {
  const env = new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });
  return env.run(activity, input) as Promise<O>;
}

function calls(action: string): number {
  return peer.requests.filter((request) => actionOf(request) === action).length;
}

describe('descriptive fields pass through as strings', () => {
  it('a job with a new Status, Type, Scenario and Gender is read as it came, by the client and the read', async () => {
    const odd = { Status: 'Queued', Type: 'Premium', Scenario: 'audiobook', Gender: 'neutral' };
    answers.set('GetCustomizedVoiceJob', getJob(job(odd)));
    const read = (await ice.getCustomizedVoiceJob({ jobId: JOB })).customizedVoiceJob;
    assert.deepEqual(
      { status: read.status, type: read.type, scenario: read.scenario, gender: read.gender },
      { status: 'Queued', type: 'Premium', scenario: 'audiobook', gender: 'neutral' },
    );
    const snapshot = await run(createReadVoiceCloneJob({ ice }), { jobId: JOB }, 1);
    assert.equal(snapshot.status, 'Queued');
  });

  it('absent descriptive fields are empty, not an error; list items and voices alike', async () => {
    answers.set('GetCustomizedVoiceJob', getJob({ JobId: JOB, VoiceId: VOICE, Status: 'Success' }));
    const read = (await ice.getCustomizedVoiceJob({ jobId: JOB })).customizedVoiceJob;
    assert.deepEqual([read.type, read.scenario, read.gender, read.voiceName], ['', '', '', '']);

    answers.set('ListCustomizedVoiceJobs', listJobs(job({ Type: 'Lite', Scenario: 'podcast', Gender: 'other' })));
    const [item] = (await ice.listCustomizedVoiceJobs({ pageNo: 1, pageSize: 100 })).customizedVoiceJobList;
    assert.deepEqual([item.type, item.scenario, item.gender], ['Lite', 'podcast', 'other']);

    answers.set('GetCustomizedVoice', () => ({
      Data: { CustomizedVoice: { VoiceId: VOICE, Gender: 'other', Scenario: 'podcast' } },
    }));
    const voice = (await ice.getCustomizedVoice({ voiceId: VOICE })).customizedVoice;
    assert.deepEqual([voice.gender, voice.scenario], ['other', 'podcast']);
  });
});

describe('an answer without what the clone needs', () => {
  it('is a MissingResponseFieldError naming the field and the RequestId; JSON without RequestId is not', async () => {
    answers.set('GetCustomizedVoiceJob', getJob(withoutStatus()));
    const missing = await ice.getCustomizedVoiceJob({ jobId: JOB }).then(
      () => assert.fail('a read without Status must fail'),
      (error: unknown) => error,
    );
    assert.ok(isMissingResponseField(missing));
    assert.equal(missing.field, 'Data.CustomizedVoiceJob.Status');
    assert.equal(missing.code, 'InvalidResponse');
    assert.equal(missing.retryable, true);
    assert.match(missing.requestId ?? '', /^R-GetCustomizedVoiceJob-/);

    // A gateway's JSON (no RequestId): still InvalidResponse, but not bounded like ICE's own incomplete answer.
    const gateway = await startHttpCapture({
      respond: (_req, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'upstream busy' }));
      },
    });
    try {
      const viaGateway = createIceClient({
        region: 'cn-shanghai',
        endpoint: gateway.url,
        connectTimeoutMs: 2_000,
        readTimeoutMs: 2_000,
        credentials: { accessKeyId: 'LTAITestKeyId', accessKeySecret: 'NeverPrintThisSecret0042' },
      });
      const odd = await viaGateway.getCustomizedVoiceJob({ jobId: JOB }).catch((error: unknown) => error);
      assert.ok(!isMissingResponseField(odd), 'a gateway answer is not an incomplete ICE answer');
      const late = await assertWorkflowFailed(run(createReadVoiceCloneJob({ ice: viaGateway }), { jobId: JOB }, 50));
      assert.equal(late.type, 'InvalidResponse');
      assert.equal(late.nonRetryable, false, 'a gateway answer stays retryable until the activity deadline');
    } finally {
      await gateway.close();
    }
  });

  it('a read without Status is retried 5 times (attempts 1-5), then attempt 6 fails as UnexpectedIceResponse', async () => {
    answers.set('GetCustomizedVoiceJob', getJob(withoutStatus()));
    const read = createReadVoiceCloneJob({ ice });
    for (const attempt of [1, 5]) {
      const retryable = await assertWorkflowFailed(run(read, { jobId: JOB }, attempt));
      assert.equal(retryable.type, 'InvalidResponse');
      assert.equal(retryable.nonRetryable, false, `attempt ${attempt} is retried`);
      assert.equal((retryable.details?.[0] as { field: string }).field, 'Data.CustomizedVoiceJob.Status');
    }
    const final = await assertWorkflowFailed(run(read, { jobId: JOB }, 6));
    assert.equal(final.type, 'UnexpectedIceResponse');
    assert.equal(final.nonRetryable, true);
    assert.match(final.message, /GetCustomizedVoiceJob .*Data\.CustomizedVoiceJob\.Status.*5 retries/);
    assert.match(final.message, /\[RequestId R-GetCustomizedVoiceJob-\d+\]/);
    const details = final.details?.[0] as UnexpectedIceResponseDetails;
    assert.deepEqual(
      { operation: details.operation, field: details.field, retries: details.retries },
      { operation: 'GetCustomizedVoiceJob', field: 'Data.CustomizedVoiceJob.Status', retries: 5 },
    );
    // The bound is a setting; a poll's incomplete answer before the read counts toward it.
    assert.equal(
      (
        await assertWorkflowFailed(
          run(createReadVoiceCloneJob({ ice, unexpectedResponseRetries: 1 }), { jobId: JOB }, 2),
        )
      ).type,
      'UnexpectedIceResponse',
    );
    assert.equal(
      (await assertWorkflowFailed(run(read, { jobId: JOB, earlierIncompleteAnswers: 1 }, 5))).type,
      'UnexpectedIceResponse',
    );
    assert.equal(
      (await assertWorkflowFailed(run(read, { jobId: JOB, earlierIncompleteAnswers: 1 }, 4))).nonRetryable,
      false,
    );
  });

  it('a poll read without Status ends the poll (IncompleteIceAnswer) so that the workflow re-reads, bounded', async () => {
    answers.set('GetCustomizedVoiceJob', getJob(withoutStatus()));
    const failure = await assertWorkflowFailed(run(createPollVoiceCloneJob({ ice }), { jobId: JOB }, 40));
    assert.equal(failure.type, INCOMPLETE_ICE_ANSWER_FAILURE_TYPE);
    assert.equal(failure.nonRetryable, true);
    const details = failure.details?.[0] as IncompleteIceAnswerDetails;
    assert.equal(details.attempt, 40);
    assert.equal(details.field, 'Data.CustomizedVoiceJob.Status');
    assert.match(details.requestId, /^R-GetCustomizedVoiceJob-/);
    const noRetries = await assertWorkflowFailed(
      run(createPollVoiceCloneJob({ ice, unexpectedResponseRetries: 0 }), { jobId: JOB }, 1),
    );
    assert.equal(noRetries.type, 'UnexpectedIceResponse');
  });

  it("the lookup fails on its own voice's item without Status, not on other voices' items", async () => {
    answers.set(
      'ListCustomizedVoiceJobs',
      listJobs(withoutStatus({ VoiceId: 'SomeoneElse1' }), job({ Status: 'PreTraining' })),
    );
    assert.equal((await lookUpNewestVoiceJob(ice, VOICE)).job?.status, 'PreTraining');
    answers.set('ListCustomizedVoiceJobs', listJobs(job({ VoiceId: 'SomeoneElse1' }), withoutStatus()));
    const find = createFindVoiceCloneJob({ ice });
    assert.equal((await assertWorkflowFailed(run(find, { voiceId: VOICE }, 3))).nonRetryable, false);
    const final = await assertWorkflowFailed(run(find, { voiceId: VOICE }, 6));
    assert.equal(final.type, 'UnexpectedIceResponse');
    assert.match(
      final.message,
      /ListCustomizedVoiceJobs .*Data\.CustomizedVoiceJobList\[1\]\.Status.*RequestId R-ListCustomizedVoiceJobs-/,
    );
  });
});

describe('VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES', () => {
  it('defaults to 5, takes 0-100 and names itself when wrong', () => {
    assert.equal(loadUnexpectedResponseRetries({}), 5);
    assert.equal(loadWorkerConfig({ VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES: '0' }).unexpectedResponseRetries, 0);
    assert.equal(loadUnexpectedResponseRetries({ VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES: '100' }), 100);
    for (const bad of ['-1', '101', 'five', '2.5']) {
      assert.throws(
        () => loadUnexpectedResponseRetries({ VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES: bad }),
        (error: unknown) =>
          error instanceof ConfigError && error.variable === 'VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES',
      );
    }
  });
});

describe('an unknown Status while polling', () => {
  it('is returned once so that the workflow shows it, then polled through like any status that is not final', async () => {
    answers.set('GetCustomizedVoiceJob', getJob(job({ Status: 'Queued' })));
    const poll = createPollVoiceCloneJob({ ice });
    const first = (await run(poll, { jobId: JOB }, 3)) as PolledVoiceJob;
    assert.equal(first.job.status, 'Queued');
    const again = await assertWorkflowFailed(run(poll, { jobId: JOB, reportedStatuses: ['Queued'] }, 4));
    assert.equal(again.type, TRAINING_IN_PROGRESS_FAILURE_TYPE);
    assert.equal(again.nonRetryable, false);
    // Known statuses that are not final never stop the poll.
    answers.set('GetCustomizedVoiceJob', getJob(job({ Status: 'Training' })));
    assert.equal((await assertWorkflowFailed(run(poll, { jobId: JOB }, 5))).type, TRAINING_IN_PROGRESS_FAILURE_TYPE);
  });
});

describe('a submit answered without a JobId', () => {
  const seenJob = { jobId: JOB, status: 'AudioDetecting' };
  const input: SubmitVoiceCloneJobInput = { voiceId: VOICE, seenJob };
  /** ICE carried the submit out (`accepted`) or not; either way its answer has no JobId. */
  function scriptIce(accepts: boolean): void {
    let submitted = false;
    answers.set('SubmitCustomizedVoiceJob', () => {
      submitted = accepts;
      return { Data: { VoiceId: VOICE } };
    });
    answers.set('ListCustomizedVoiceJobs', () =>
      listJobs(job({ Status: submitted ? 'PreTraining' : 'AudioDetecting' }))(),
    );
  }

  it('is retried; the retry looks the voice up and adopts the job ICE accepted: one submit', async () => {
    scriptIce(true);
    const submit = createSubmitVoiceCloneJob({ ice });
    const first = await assertWorkflowFailed(run(submit, input, 1));
    assert.equal(first.nonRetryable, false);
    assert.equal((first.details?.[0] as { field: string }).field, 'Data.JobId');
    const retried = (await run(submit, input, 2)) as SubmittedVoiceJob;
    assert.equal(retried.adopted, true);
    assert.equal(retried.jobId, JOB);
    assert.equal(calls('SubmitCustomizedVoiceJob'), 1);
  });

  it('on the last allowed answer looks once more and adopts what ICE accepted', async () => {
    scriptIce(true);
    const before = calls('SubmitCustomizedVoiceJob');
    const adopted = (await run(createSubmitVoiceCloneJob({ ice }), input, 6)) as SubmittedVoiceJob;
    assert.equal(adopted.adopted, true);
    assert.equal(adopted.status, 'PreTraining');
    assert.equal(calls('SubmitCustomizedVoiceJob') - before, 1);
  });

  it('fails as UnexpectedIceResponse when the bound is spent and ICE shows no submitted job', async () => {
    scriptIce(false);
    const final = await assertWorkflowFailed(run(createSubmitVoiceCloneJob({ ice }), input, 6));
    assert.equal(final.type, 'UnexpectedIceResponse');
    assert.equal(final.nonRetryable, true);
    assert.match(
      final.message,
      /SubmitCustomizedVoiceJob without Data\.JobId.*5 retries \[RequestId R-SubmitCustomizedVoiceJob-\d+\]/,
    );
  });

  it('adopts a job whose Status this package does not know: it has moved on from what the workflow saw', async () => {
    answers.set('ListCustomizedVoiceJobs', listJobs(job({ Status: 'Queued' })));
    const before = calls('SubmitCustomizedVoiceJob');
    const adopted = (await run(createSubmitVoiceCloneJob({ ice }), input, 2)) as SubmittedVoiceJob;
    assert.equal(adopted.adopted, true);
    assert.equal(adopted.status, 'Queued');
    assert.equal(calls('SubmitCustomizedVoiceJob'), before, 'no submit over a job in an unknown state');
  });
});
