/**
 * An MNS error answer: HTTP status, `Code` and `Message` of MNS's XML error body
 * `<Error><Code/><Message/><RequestId/><HostId/></Error>` (docs/ice-api.md#mns-queue-callbacks).
 */
export class MnsWireError extends Error {
  override readonly name = 'MnsWireError';
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const queueNotExist = (): MnsWireError =>
  new MnsWireError(404, 'QueueNotExist', 'The queue name you provided is not exist.');
export const messageNotExist = (): MnsWireError => new MnsWireError(404, 'MessageNotExist', 'Message not exist.');
export const receiptHandleError = (): MnsWireError =>
  new MnsWireError(400, 'ReceiptHandleError', 'The receipt handle you provide is not valid.');
export const invalidArgument = (message: string): MnsWireError => new MnsWireError(400, 'InvalidArgument', message);
export const internalError = (): MnsWireError => new MnsWireError(500, 'InternalError', 'Interal error.');

/** `The value of <name> should between <low> and <high> seconds/bytes.`, MNS's range error. */
export function outOfRange(name: string, low: number, high: number): MnsWireError {
  return invalidArgument(`The value of ${name} should between ${low} and ${high} seconds/bytes.`);
}
