/**
 * Alibaba's own transport for ICE: `@alicloud/openapi-core` signs every request (V3 ACS3-HMAC-SHA256) exactly as
 * the official `@alicloud/ice20201109` SDK does. This file only configures it and makes one call; request building
 * per operation lives in client.ts, error translation in error-mapping.ts.
 */
import * as $dara from '@darabonba/typescript';
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import Credential, { Config as CredentialConfig } from '@alicloud/credentials';
import { ConfigError, type IceClientConfig } from '../config';
import { ICE_API_VERSION, type IceAction } from './types';

export type IceQuery = Record<string, string>;

export interface IceWireResponse {
  statusCode: number;
  body: unknown;
}

export interface IceTransport {
  /** POST one RPC action with its business parameters in the query string; resolves on HTTP 2xx only. */
  call(action: IceAction, query: IceQuery): Promise<IceWireResponse>;
}

const USER_AGENT = 'ice-voice-clone/0.1';

/** Splits `config.endpoint` (a full URL) into what openapi-core wants: a protocol and a `host[:port]`. */
export function parseIceEndpoint(endpoint: string): { protocol: 'http' | 'https'; host: string } {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('ICE_ENDPOINT', `must use http or https, got "${url.protocol}"`);
  }
  if (url.pathname !== '/' || url.search !== '') {
    // RPC style always posts to "/": a path here would be silently dropped by the transport.
    throw new ConfigError('ICE_ENDPOINT', `must not have a path or query, got "${url.pathname}${url.search}"`);
  }
  return { protocol: url.protocol === 'http:' ? 'http' : 'https', host: url.host };
}

function createCredential(config: IceClientConfig): Credential {
  const explicit = config.credentials;
  if (explicit === undefined) return new Credential(); // Alibaba's default chain (env, files, RAM role, OIDC).
  return new Credential(
    new CredentialConfig({
      type: explicit.securityToken ? 'sts' : 'access_key',
      accessKeyId: explicit.accessKeyId,
      accessKeySecret: explicit.accessKeySecret,
      securityToken: explicit.securityToken,
    }),
  );
}

export function createIceTransport(config: IceClientConfig): IceTransport {
  const { protocol, host } = parseIceEndpoint(config.endpoint);
  const openApi = new OpenApi(
    new $OpenApiUtil.Config({
      credential: createCredential(config),
      endpoint: host,
      protocol,
      regionId: config.region,
      // httpx (under openapi-core) arms its "connect" timer as a socket-idle timeout that keeps running while the
      // answer is awaited, so a connect timeout below the read timeout would cut every slow answer short.
      connectTimeout: Math.max(config.connectTimeoutMs, config.readTimeoutMs),
      readTimeout: config.readTimeoutMs,
      userAgent: USER_AGENT,
      // retryOptions stays unset: the transport then tries exactly once. Temporal owns retries.
    }),
  );

  return {
    async call(action, query) {
      const params = new $OpenApiUtil.Params({
        action,
        version: ICE_API_VERSION,
        protocol: 'HTTPS', // overridden by Config.protocol, as in the official SDK
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) });
      const response: { statusCode?: number; body?: unknown } = await openApi.callApi(
        params,
        request,
        new $dara.RuntimeOptions({}),
      );
      return { statusCode: response.statusCode ?? 200, body: response.body };
    },
  };
}
