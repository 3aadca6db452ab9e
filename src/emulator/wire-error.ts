/**
 * An ICE error answer: HTTP status plus the `Code` / `Message` that go into ICE's error body
 * `{RequestId, HostId, Code, Message, Recommend}`.
 */
export class IceWireError extends Error {
  override readonly name = 'IceWireError';
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function missingParameter(name: string): IceWireError {
  return new IceWireError(
    400,
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

export function invalidParameter(name: string, rule: string): IceWireError {
  return new IceWireError(400, 'InvalidParameter', `The parameter "${name}" is invalid: ${rule}`);
}

/** The link Alibaba puts in `Recommend`: its troubleshooting page for the code and request. */
export function recommendUrl(code: string, requestId: string): string {
  return `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=ICE&requestId=${requestId}`;
}
