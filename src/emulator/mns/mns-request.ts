/**
 * Reads an MNS request into an operation: which of the queue API's operations the method, path, query and body
 * name (docs/ice-api.md#mns-queue-callbacks), with its arguments checked against MNS's ranges.
 */
import { invalidArgument, MnsWireError, outOfRange } from './mns-error';
import { MNS_ATTRIBUTE_RANGES, MNS_QUEUE_DEFAULTS, type MnsQueueAttributes } from './mns-queue-book';
import { elementsNamed, rootName, textOf } from './mns-xml';

/** At most this many messages per batch send, receive and delete. */
export const MNS_MAX_BATCH = 16;
/** The longest long poll. */
export const MNS_MAX_WAIT_SECONDS = 30;

export interface OutgoingMnsMessage {
  body: string;
  delaySeconds?: number;
  priority?: number;
}

export type MnsOperation =
  | { kind: 'CreateQueue'; queue: string; attributes: MnsQueueAttributes }
  | { kind: 'SetQueueAttributes'; queue: string; xml: string }
  | { kind: 'GetQueueAttributes'; queue: string }
  | { kind: 'DeleteQueue'; queue: string }
  | { kind: 'SendMessage'; queue: string; message: OutgoingMnsMessage }
  | { kind: 'BatchSendMessage'; queue: string; messages: OutgoingMnsMessage[] }
  | { kind: 'ReceiveMessage'; queue: string; max: number; waitSeconds?: number; batch: boolean }
  | { kind: 'DeleteMessage'; queue: string; receiptHandle: string }
  | { kind: 'BatchDeleteMessage'; queue: string; receiptHandles: string[] }
  | { kind: 'ChangeMessageVisibility'; queue: string; receiptHandle: string; visibilityTimeout: number };

/** The name of an MNS operation (for logs and the fault rules). */
export type MnsOperationName = MnsOperation['kind'];

/** MNS's queue-name rule: a letter first, then letters, digits and '-', 1 to 256 characters. */
export function queueNameProblem(name: string): MnsWireError | undefined {
  if (name.length < 1 || name.length > 256) {
    return new MnsWireError(400, 'QueueNameLengthError', 'The length of queue name should be between 1 and 256.');
  }
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) {
    return new MnsWireError(400, 'InvalidQueueName', 'The queue name you provided is invalid.');
  }
  return undefined;
}

function integerIn(raw: string | undefined, name: string, low: number, high: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || value < low || value > high) throw outOfRange(name, low, high);
  return value;
}

/** Query parameters by lower-case name (the SDK writes ReceiptHandle for delete, receiptHandle for a change). */
function queryOf(rawQuery: string): Map<string, string> {
  const query = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(rawQuery)) query.set(name.toLowerCase(), value);
  return query;
}

/** CreateQueue's body: any of the attributes, each in its range; the rest at MNS's defaults. */
export function queueAttributesOf(xml: string, base: MnsQueueAttributes = MNS_QUEUE_DEFAULTS): MnsQueueAttributes {
  const attributes = { ...base };
  for (const [name, [low, high]] of Object.entries(MNS_ATTRIBUTE_RANGES)) {
    const value = integerIn(textOf(xml, name), name, low, high);
    if (value !== undefined) attributes[name as keyof typeof MNS_ATTRIBUTE_RANGES] = value;
  }
  const logging = textOf(xml, 'LoggingEnabled');
  if (logging !== undefined) {
    if (logging !== 'True' && logging !== 'False' && logging !== 'true' && logging !== 'false') {
      throw invalidArgument('The value of LoggingEnabled should be True or False.');
    }
    attributes.LoggingEnabled = logging.toLowerCase() === 'true';
  }
  return attributes;
}

function messageOf(xml: string): OutgoingMnsMessage {
  const body = textOf(xml, 'MessageBody');
  if (body === undefined || body === '') throw invalidArgument('MessageBody is required.');
  return {
    body,
    delaySeconds: integerIn(textOf(xml, 'DelaySeconds'), 'DelaySeconds', 0, 604_800),
    priority: integerIn(textOf(xml, 'Priority'), 'Priority', 1, 16),
  };
}

function messagesOf(xml: string): OutgoingMnsMessage[] {
  const messages = elementsNamed(xml, 'Message').map(messageOf);
  if (messages.length < 1 || messages.length > MNS_MAX_BATCH) throw outOfRange('Messages', 1, MNS_MAX_BATCH);
  return messages;
}

function receiptHandlesOf(xml: string): string[] {
  const handles = elementsNamed(xml, 'ReceiptHandle').map((inner) => inner.trim());
  if (handles.length < 1 || handles.length > MNS_MAX_BATCH) throw outOfRange('ReceiptHandles', 1, MNS_MAX_BATCH);
  return handles;
}

function required(query: Map<string, string>, name: string, code: string): string {
  const value = query.get(name.toLowerCase());
  if (value === undefined || value === '') throw new MnsWireError(400, code, `${name} is required.`);
  return value;
}

function messagesOperation(method: string, queue: string, query: Map<string, string>, xml: string): MnsOperation {
  switch (method) {
    case 'POST':
      return rootName(xml) === 'Messages'
        ? { kind: 'BatchSendMessage', queue, messages: messagesOf(xml) }
        : { kind: 'SendMessage', queue, message: messageOf(xml) };
    case 'GET': {
      if (query.has('peekonly')) throw invalidArgument('The emulator does not implement PeekMessage.');
      const batch = query.has('numofmessages');
      const max = batch ? integerIn(query.get('numofmessages'), 'numOfMessages', 1, MNS_MAX_BATCH)! : 1;
      const waitSeconds = integerIn(query.get('waitseconds'), 'waitseconds', 0, MNS_MAX_WAIT_SECONDS);
      return { kind: 'ReceiveMessage', queue, max, waitSeconds, batch };
    }
    case 'DELETE':
      return query.has('receipthandle')
        ? { kind: 'DeleteMessage', queue, receiptHandle: required(query, 'ReceiptHandle', 'MissingReceiptHandle') }
        : { kind: 'BatchDeleteMessage', queue, receiptHandles: receiptHandlesOf(xml) };
    case 'PUT': {
      const receiptHandle = required(query, 'ReceiptHandle', 'MissingReceiptHandle');
      const raw = required(query, 'VisibilityTimeout', 'MissingVisibilityTimeout');
      const visibilityTimeout = integerIn(raw, 'VisibilityTimeout', 1, 43_200)!;
      return { kind: 'ChangeMessageVisibility', queue, receiptHandle, visibilityTimeout };
    }
  }
  throw invalidRequest();
}

function invalidRequest(): MnsWireError {
  return new MnsWireError(400, 'InvalidRequestURL', 'The http request url you provided is invalid.');
}

/** The operation a request names; throws the MNS error for a malformed one. */
export function readMnsOperation(method: string, path: string, rawQuery: string, body: string): MnsOperation {
  const match = /^\/queues\/([^/]+)(\/messages)?\/?$/.exec(path);
  if (!match) throw invalidRequest();
  let queue: string;
  try {
    queue = decodeURIComponent(match[1]);
  } catch {
    throw invalidRequest();
  }
  const nameProblem = queueNameProblem(queue);
  if (nameProblem) throw nameProblem;
  const query = queryOf(rawQuery);
  if (match[2]) return messagesOperation(method, queue, query, body);
  switch (method) {
    case 'PUT':
      return query.get('metaoverride') === 'true'
        ? { kind: 'SetQueueAttributes', queue, xml: body }
        : { kind: 'CreateQueue', queue, attributes: queueAttributesOf(body) };
    case 'GET':
      return { kind: 'GetQueueAttributes', queue };
    case 'DELETE':
      return { kind: 'DeleteQueue', queue };
  }
  throw invalidRequest();
}
