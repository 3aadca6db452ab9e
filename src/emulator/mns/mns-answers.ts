/** The XML answers of MNS's queue API (docs/ice-api.md#mns-queue-callbacks). */
import type { MnsQueueSummary, StoredMnsMessage, StoredMnsQueue } from './mns-queue-book';
import { xmlDocument, xmlList, type XmlFields } from './mns-xml';

export function receivedMessageFields(message: StoredMnsMessage): XmlFields {
  return [
    ['MessageId', message.messageId],
    ['ReceiptHandle', message.receiptHandle],
    ['MessageBodyMD5', message.bodyMd5],
    ['MessageBody', message.body],
    ['EnqueueTime', message.enqueueTime],
    ['NextVisibleTime', message.nextVisibleTime],
    ['FirstDequeueTime', message.firstDequeueTime],
    ['DequeueCount', message.dequeueCount],
    ['Priority', message.priority],
  ];
}

export function sentMessageFields(message: StoredMnsMessage): XmlFields {
  return [
    ['MessageId', message.messageId],
    ['MessageBodyMD5', message.bodyMd5],
  ];
}

export function queueAttributesXml(queue: StoredMnsQueue, counts: MnsQueueSummary): string {
  const a = queue.attributes;
  return xmlDocument('Queue', [
    ['QueueName', queue.name],
    ['CreateTime', queue.createTime],
    ['LastModifyTime', queue.lastModifyTime],
    ['DelaySeconds', a.DelaySeconds],
    ['MaximumMessageSize', a.MaximumMessageSize],
    ['MessageRetentionPeriod', a.MessageRetentionPeriod],
    ['VisibilityTimeout', a.VisibilityTimeout],
    ['PollingWaitSeconds', a.PollingWaitSeconds],
    ['ActiveMessages', counts.activeMessages],
    ['InactiveMessages', counts.inactiveMessages],
    ['DelayMessages', counts.delayMessages],
    ['LoggingEnabled', a.LoggingEnabled ? 'True' : 'False'],
  ]);
}

export function messageXml(fields: XmlFields): string {
  return xmlDocument('Message', fields);
}

export function messagesXml(items: readonly XmlFields[]): string {
  return xmlList('Messages', 'Message', items);
}

export function changeVisibilityXml(message: StoredMnsMessage): string {
  return xmlDocument('ChangeVisibility', [
    ['ReceiptHandle', message.receiptHandle],
    ['NextVisibleTime', message.nextVisibleTime],
  ]);
}

/** BatchDeleteMessage's answer when some handles failed: one `<Error>` per failed handle. */
export function batchDeleteErrorsXml(
  failures: ReadonlyArray<{ code: string; message: string; handle: string }>,
): string {
  return xmlList(
    'Errors',
    'Error',
    failures.map((failure) => [
      ['ErrorCode', failure.code],
      ['ErrorMessage', failure.message],
      ['ReceiptHandle', failure.handle],
    ]),
  );
}

export function errorXml(code: string, message: string, requestId: string, hostId: string): string {
  return xmlDocument('Error', [
    ['Code', code],
    ['Message', message],
    ['RequestId', requestId],
    ['HostId', hostId],
  ]);
}
