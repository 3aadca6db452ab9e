/**
 * A small MNS queue client for the callback consumer: batch receive (long poll), delete and change visibility (and
 * CreateQueue, for a stack that makes its own queue), on
 * `fetch` and fast-xml-parser (docs/mns.md says why not Alibaba's SDK). Requests are signed with MNS's scheme and
 * the credentials of Alibaba's default chain (STS token as `security-token`); MNS facts: docs/ice-api.md#mns-queue-callbacks.
 */
import { XMLParser } from 'fast-xml-parser';
import { signMnsRequest } from './signature';

/** A key pair as the credential chain gives it, read again for every request (STS tokens expire). */
export interface MnsCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** One received message, as MNS reports it. */
export interface MnsMessage {
  messageId: string;
  /** Valid until the message is visible again or received anew; every receive issues another. */
  receiptHandle: string;
  /** As MNS stores it: ICE's event JSON, possibly base64 (consumer.ts decodes). */
  body: string;
  /** How many times the message has been received, this time included. */
  dequeueCount: number;
  /** Epoch ms the message entered the queue. */
  enqueueTime: number;
}

/** An MNS answer that is an error (`code` as MNS names it, e.g. MessageNotExist), or no answer (`code` Network). */
export class MnsError extends Error {
  override readonly name = 'MnsError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface MnsQueueClient {
  /** Up to `max` messages, waiting up to `waitSeconds` for the first; [] when the queue stayed empty. */
  receive(max: number, waitSeconds: number, signal?: AbortSignal): Promise<MnsMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Visible again in `seconds`; the message's new receipt handle. */
  changeVisibility(receiptHandle: string, seconds: number): Promise<string>;
}

export interface MnsQueueClientOptions {
  /** `https://<account>.mns.<region>.aliyuncs.com` (or the emulator's URL). */
  endpoint: string;
  queueName: string;
  credentials: () => Promise<MnsCredentials>;
  /** Bound on a call beyond its long-poll wait. */
  timeoutMs?: number;
}

const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, trimValues: false });

type XmlNode = Record<string, unknown>;

function isNode(value: unknown): value is XmlNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(node: XmlNode, name: string): string {
  const value = node[name];
  return typeof value === 'string' ? value : '';
}

function parseXml(body: string): XmlNode {
  const parsed: unknown = body.trim() === '' ? {} : parser.parse(body);
  return isNode(parsed) ? parsed : {};
}

function toMessage(node: unknown): MnsMessage | undefined {
  if (!isNode(node)) return undefined;
  const messageId = text(node, 'MessageId');
  const receiptHandle = text(node, 'ReceiptHandle');
  if (messageId === '' || receiptHandle === '') return undefined;
  return {
    messageId,
    receiptHandle,
    body: text(node, 'MessageBody'),
    dequeueCount: Number(text(node, 'DequeueCount')) || 1,
    enqueueTime: Number(text(node, 'EnqueueTime')) || Date.now(),
  };
}

/** The messages of a BatchReceiveMessage answer (one `<Message>` parses as an object, several as a list). */
export function parseReceivedMessages(xml: string): MnsMessage[] {
  const messages = parseXml(xml).Messages;
  const list = isNode(messages) ? messages.Message : undefined;
  const nodes: unknown[] = Array.isArray(list) ? list : list === undefined ? [] : [list];
  return nodes.map(toMessage).filter((message): message is MnsMessage => message !== undefined);
}

function errorOf(status: number, xml: string): MnsError {
  const error = parseXml(xml).Error;
  const code = isNode(error) ? text(error, 'Code') : '';
  const requestId = isNode(error) ? text(error, 'RequestId') : '';
  return new MnsError(code || `HTTP${status}`, status, `MNS ${code || status}${requestId ? ` (${requestId})` : ''}`);
}

interface MnsCall {
  method: 'GET' | 'DELETE' | 'PUT';
  /** Path and query; the query's values already encoded. */
  resource: string;
  /** The XML body (CreateQueue). */
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Headers as Alibaba's SDK builds them (aliyun/mns-nodejs-sdk lib/client.js buildHeaders), signed. */
async function signedHeaders(options: MnsQueueClientOptions, call: MnsCall): Promise<Record<string, string>> {
  const credentials = await options.credentials();
  return signMnsRequest({ method: call.method, resource: call.resource, body: call.body, ...credentials });
}

async function send(options: MnsQueueClientOptions, call: MnsCall): Promise<{ status: number; body: string }> {
  const headers = await signedHeaders(options, call);
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal === undefined ? timeout : AbortSignal.any([timeout, call.signal]);
  let response: Response;
  try {
    response = await fetch(`${options.endpoint}${call.resource}`, {
      method: call.method,
      headers,
      signal,
      ...(call.body !== undefined && { body: call.body }),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    // Not the URL: an endpoint may carry credentials in its user info.
    throw new MnsError('Network', 0, `MNS unreachable (${name})`);
  }
  const body = await response.text();
  if (response.status >= 300) throw errorOf(response.status, body);
  return { status: response.status, body };
}

export function createMnsQueueClient(options: MnsQueueClientOptions): MnsQueueClient {
  const messages = `/queues/${encodeURIComponent(options.queueName)}/messages`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async receive(max, waitSeconds, signal) {
      const resource = `${messages}?numOfMessages=${max}&waitseconds=${waitSeconds}`;
      try {
        const { body } = await send(options, {
          method: 'GET',
          resource,
          timeoutMs: timeoutMs + waitSeconds * 1000,
          signal,
        });
        return parseReceivedMessages(body);
      } catch (error) {
        // An empty queue after the wait is an answer, not an error.
        if (error instanceof MnsError && error.code === 'MessageNotExist') return [];
        throw error;
      }
    },
    async delete(receiptHandle) {
      // Encoded, unlike the SDK: a handle is opaque, and its characters are MNS's to choose.
      const resource = `${messages}?ReceiptHandle=${encodeURIComponent(receiptHandle)}`;
      await send(options, { method: 'DELETE', resource, timeoutMs });
    },
    async changeVisibility(receiptHandle, seconds) {
      const resource = `${messages}?receiptHandle=${encodeURIComponent(receiptHandle)}&visibilityTimeout=${seconds}`;
      const { body } = await send(options, { method: 'PUT', resource, timeoutMs });
      const answer = parseXml(body).ChangeVisibility;
      return (isNode(answer) ? text(answer, 'ReceiptHandle') : '') || receiptHandle;
    },
  };
}

/** CreateQueue's attributes this package sets; the others stay at MNS's defaults. */
export interface MnsQueueAttributes {
  /** Seconds a received message stays hidden (MNS: 1 to 43200, default 30). */
  visibilityTimeoutSeconds?: number;
}

/**
 * CreateQueue (`PUT /queues/<name>`): resolves when the queue exists with these attributes, made now or before
 * (201 or 204); another's attributes are MnsError QueueAlreadyExist (docs/ice-api.md#mns-queue-callbacks).
 */
export async function createMnsQueue(
  options: MnsQueueClientOptions,
  attributes: MnsQueueAttributes = {},
): Promise<void> {
  const visibility =
    attributes.visibilityTimeoutSeconds === undefined
      ? ''
      : `<VisibilityTimeout>${attributes.visibilityTimeoutSeconds}</VisibilityTimeout>`;
  const body = `<?xml version="1.0" encoding="UTF-8"?><Queue xmlns="http://mns.aliyuncs.com/doc/v1/">${visibility}</Queue>`;
  const resource = `/queues/${encodeURIComponent(options.queueName)}`;
  await send(options, { method: 'PUT', resource, body, timeoutMs: options.timeoutMs ?? 10_000 });
}
