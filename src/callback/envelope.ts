/**
 * Validation of the envelope of a callback that may be a voice clone's (intake.ts has already set aside the event
 * types of other ICE features), and the bounded fact the clone is signalled with instead of the body. Pure: no I/O,
 * so it is easy to reason about what a forged or odd body can make the receiver do.
 */
import { ICE_CALLBACK_FACT_MAX_CHARS, type IceCallbackFact } from '../workflows/definitions';
import { ICE_VOICE_ID_PATTERN, ICE_VOICE_ID_RULE, JOB_ID_PATTERN, JOB_ID_RULE } from '../workflows/ice-ids';

export type EnvelopeCheck =
  | { kind: 'voice-job'; fact: IceCallbackFact; voiceId?: string; jobId?: string }
  | { kind: 'ignored'; eventType: string }
  | { kind: 'invalid'; message: string };

// ASSUMPTION (docs/ice-api.md#callback-events): ICE documents no voice-clone event name; any name mentioning a
// customized voice job is treated as one of ours when deciding whether missing ids are an error (400) or an event
// that is not a clone's (200).
const VOICE_EVENT_PATTERN = /customizedvoice|voicejob/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * ASSUMPTION (docs/ice-api.md#callback-events, event name unknown): an event whose MessageBody carries a `VoiceId`
 * or `JobId` may be a voice-job event, whatever its EventType, because the workflow only takes it as a wake-up and
 * re-reads the job. Its ids are validated here, before they go anywhere. An event without ids and without a
 * voice-looking name is not a clone's ('ignored').
 */
export function checkIceCallbackEnvelope(body: unknown): EnvelopeCheck {
  if (!isRecord(body)) return { kind: 'invalid', message: 'body must be a JSON object' };
  const { EventType: eventType, MessageBody: messageBody, UserId: userId, EventTime: eventTime } = body;
  if (typeof eventType !== 'string' || eventType === '' || !isFactText(eventType)) {
    return { kind: 'invalid', message: `EventType must be non-empty and ${FACT_TEXT_RULE}` };
  }
  if (!isRecord(messageBody)) return { kind: 'invalid', message: 'MessageBody must be an object' };
  if (userId !== undefined && typeof userId !== 'number' && typeof userId !== 'string') {
    return { kind: 'invalid', message: 'UserId must be a number or a string' };
  }
  if (eventTime !== undefined && !isFactText(eventTime))
    return { kind: 'invalid', message: `EventTime ${FACT_TEXT_RULE}` };
  const { VoiceId: voiceId, JobId: jobId, Status: status } = messageBody;
  if (status !== undefined && !isFactText(status)) {
    return { kind: 'invalid', message: `MessageBody.Status ${FACT_TEXT_RULE}` };
  }
  // Any VoiceId ICE may send: a Basic one or one it assigned (`Voice-…`, docs/ice-api.md#editions).
  if (voiceId !== undefined && (typeof voiceId !== 'string' || !ICE_VOICE_ID_PATTERN.test(voiceId))) {
    return { kind: 'invalid', message: `MessageBody.VoiceId ${ICE_VOICE_ID_RULE}` };
  }
  if (jobId !== undefined && (typeof jobId !== 'string' || !JOB_ID_PATTERN.test(jobId))) {
    return { kind: 'invalid', message: `MessageBody.JobId ${JOB_ID_RULE}` };
  }
  if (voiceId === undefined && jobId === undefined) {
    if (VOICE_EVENT_PATTERN.test(eventType)) {
      return { kind: 'invalid', message: 'MessageBody must carry a JobId or VoiceId string' };
    }
    return { kind: 'ignored', eventType };
  }
  const fact: IceCallbackFact = { eventType };
  if (jobId !== undefined) fact.jobId = jobId;
  if (voiceId !== undefined) fact.voiceId = voiceId;
  if (status !== undefined) fact.status = status;
  if (eventTime !== undefined) fact.eventTime = eventTime;
  return { kind: 'voice-job', fact, voiceId, jobId };
}

const FACT_TEXT_RULE = `must be a string of at most ${ICE_CALLBACK_FACT_MAX_CHARS} characters without control characters`;

// eslint-disable-next-line no-control-regex -- the rule is about control characters
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Status and EventTime go into the clone's history and logs as they are: short, and one line. */
function isFactText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= ICE_CALLBACK_FACT_MAX_CHARS && !CONTROL_CHARACTER.test(value);
}
