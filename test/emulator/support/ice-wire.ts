/**
 * Test-side ICE caller: raw HTTP with its own V3 signer (deliberately not the emulator's code, so that the two
 * implementations check each other). Options let a test tamper with any part after signing.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';

export interface WireCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface WireCallOptions {
  credentials: WireCredentials;
  version?: string;
  date?: string;
  nonce?: string;
  /** Change the query after signing. */
  tamperQuery?: (query: Record<string, string>) => Record<string, string>;
  /** Change headers after signing. */
  tamperHeaders?: (headers: Record<string, string>) => Record<string, string>;
  /** Headers to leave out entirely (before signing). */
  omitHeaders?: string[];
  /** Extra headers that are signed, e.g. a custom x-acs-* one. */
  extraHeaders?: Record<string, string>;
  body?: string;
  contentType?: string;
}

export interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

const sha256 = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

export function signRequestForTest(
  method: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  body: string,
  secret: string,
): { signedHeaders: string; signature: string } {
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((key) => `${rfc3986(key)}=${rfc3986(query[key])}`)
    .join('&');
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonicalHeaders = names.map((name) => `${name}:${lower[name]}\n`).join('');
  const canonicalRequest = [method, '/', canonicalQuery, canonicalHeaders, names.join(';'), sha256(body)].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256(canonicalRequest)}`;
  return {
    signedHeaders: names.join(';'),
    signature: createHmac('sha256', secret).update(stringToSign).digest('hex'),
  };
}

export async function callIce(
  baseUrl: string,
  action: string,
  params: Record<string, string>,
  options: WireCallOptions,
): Promise<WireResponse> {
  const url = new URL(baseUrl);
  const body = options.body ?? '';
  let headers: Record<string, string> = {
    host: url.host,
    'x-acs-action': action,
    'x-acs-version': options.version ?? '2020-11-09',
    'x-acs-date': options.date ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': options.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': sha256(body),
    ...(options.contentType ? { 'content-type': options.contentType } : {}),
    ...options.extraHeaders,
  };
  for (const name of options.omitHeaders ?? []) delete headers[name];
  const { signedHeaders, signature } = signRequestForTest(
    'POST',
    params,
    headers,
    body,
    options.credentials.accessKeySecret,
  );
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${options.credentials.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
  if (options.omitHeaders?.includes('authorization')) delete headers.authorization;
  const query = options.tamperQuery ? options.tamperQuery({ ...params }) : params;
  if (options.tamperHeaders) headers = options.tamperHeaders({ ...headers });
  const search = Object.entries(query)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
  const answer = await sendHttp(baseUrl, 'POST', `/${search ? `?${search}` : ''}`, { headers, body });
  return { status: answer.status, headers: answer.headers, body: JSON.parse(answer.text) as Record<string, unknown> };
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One HTTP request exactly as given: no agent or client adds a header (an Origin, a content type) behind its back. */
export function sendHttp(
  baseUrl: string,
  method: string,
  requestPath: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: requestPath, method, headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Bound to one emulator and key pair; returns the parsed body or throws with Code for errors. */
export function wireClient(baseUrl: string, credentials: WireCredentials) {
  return {
    raw: (action: string, params: Record<string, string> = {}, options: Partial<WireCallOptions> = {}) =>
      callIce(baseUrl, action, params, { credentials, ...options }),
    async ok(action: string, params: Record<string, string> = {}): Promise<Record<string, unknown>> {
      const response = await callIce(baseUrl, action, params, { credentials });
      if (response.status !== 200) {
        throw new Error(
          `${action}: HTTP ${response.status} ${String(response.body.Code)}: ${String(response.body.Message)}`,
        );
      }
      return response.body;
    },
  };
}

export type WireClient = ReturnType<typeof wireClient>;

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, stepMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
