/**
 * Alibaba's official MNS SDK (`@alicloud/mns` 1.2.0, untyped JavaScript), loaded with the few types the tests use.
 * Tests drive the emulator with it so that the emulator is checked by a client nobody here wrote.
 */
import { createRequire } from 'node:module';

export interface MnsSdkResponse<Body = Record<string, unknown>> {
  code: number;
  headers: Record<string, string | undefined>;
  body: Body;
}

export interface MnsSdkClientOptions {
  accessKeyId: string;
  accessKeySecret: string;
  endpoint: string;
  securityToken?: string;
}

/** The part of the SDK's client the tests call; every method rejects with an Error named `MNS<Code>Error`. */
export interface MnsSdkClient {
  buildHeaders(method: string, body: Buffer | string, resource: string, custom?: object): Record<string, string>;
  sign(verb: string, headers: Record<string, string>, resource: string): string;
  createQueue(name: string, params?: Record<string, string | number>): Promise<MnsSdkResponse>;
  deleteQueue(name: string): Promise<MnsSdkResponse>;
  getQueueAttributes(name: string): Promise<MnsSdkResponse>;
  sendMessage(queue: string, params: Record<string, string | number>): Promise<MnsSdkResponse>;
  batchSendMessage(queue: string, params: Record<string, string | number>[]): Promise<MnsSdkResponse<unknown>>;
  receiveMessage(queue: string, waitSeconds?: number): Promise<MnsSdkResponse<Record<string, string>>>;
  batchReceiveMessage(
    queue: string,
    count: number,
    waitSeconds?: number,
  ): Promise<MnsSdkResponse<Record<string, string>[]>>;
  deleteMessage(queue: string, receiptHandle: string): Promise<MnsSdkResponse>;
  batchDeleteMessage(queue: string, receiptHandles: string[]): Promise<MnsSdkResponse<unknown>>;
  changeMessageVisibility(
    queue: string,
    receiptHandle: string,
    visibilityTimeout: number,
  ): Promise<MnsSdkResponse<Record<string, string>>>;
}

type MnsSdkClientConstructor = new (accountId: string, options: MnsSdkClientOptions) => MnsSdkClient;

export function createMnsSdkClient(accountId: string, options: MnsSdkClientOptions): MnsSdkClient {
  const MnsClient = createRequire(__filename)('@alicloud/mns') as MnsSdkClientConstructor;
  return new MnsClient(accountId, options);
}
