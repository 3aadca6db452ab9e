/**
 * The real client (openapi-core transport, real signing, real sockets) against peers that fail in ways the
 * emulator does not model: nothing listening, a server that never answers, garbled or unexpected answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, type IceClientConfig } from '../../src/config';
import { createIceClient, IceError, NETWORK_ERROR_CODE, TIMEOUT_ERROR_CODE } from '../../src/ice';
import { parseIceEndpoint } from '../../src/ice/transport';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  closedPort,
  startHttpCapture,
  type CapturedRequest,
  type HttpCapture,
  type HttpCaptureOptions,
} from '../support/harness';
import { iceErrorOf } from './support';

const SECRET = 'NeverPrintThisSecret0042';
const AUTH_KEY = 'CallbackKey9Zz';

function configFor(endpoint: string, overrides: Partial<IceClientConfig> = {}): IceClientConfig {
  return {
    region: 'cn-shanghai',
    endpoint,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 2_000,
    credentials: { accessKeyId: 'LTAITestKeyId', accessKeySecret: SECRET },
    ...overrides,
  };
}

function assertNoSecrets(error: IceError): void {
  const rendered = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`;
  assert.ok(!rendered.includes(SECRET), 'AccessKey secret leaked into the error');
  assert.ok(!rendered.includes(AUTH_KEY), 'callback auth key leaked into the error');
  assert.doesNotMatch(rendered, /Signature=[0-9a-f]{16}/);
}

/** Runs `body` with these environment variables set (undefined = unset), then restores the previous values. */
async function withEnv(vars: Record<string, string | undefined>, body: () => Promise<void>): Promise<void> {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    await body();
  } finally {
    apply(previous);
  }
}

type Respond = NonNullable<HttpCaptureOptions['respond']>;

/** Answers every request with this status and JSON body. */
function answerJson(status: number, body: unknown): Respond {
  return (_req: IncomingMessage, response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    response.end(JSON.stringify(body));
  };
}

/** The query a request carried (ICE's RPC parameters). */
function queryOf(request: CapturedRequest): Record<string, string> {
  return Object.fromEntries(new URL(request.path, 'http://peer').searchParams);
}

const servers: HttpCapture[] = [];
after(() => Promise.all(servers.map((server) => server.close())));
/** A misbehaving ICE peer: a capture target on `/` that answers as `respond` says. */
async function server(respond: Respond): Promise<HttpCapture> {
  const started = await startHttpCapture({ respond });
  servers.push(started);
  return started;
}

describe('network failures and timeouts', () => {
  it('connection refused on a closed port is a retryable NetworkError naming the operation', async () => {
    const client = createIceClient(configFor(`http://127.0.0.1:${await closedPort()}`));
    const error = await iceErrorOf(
      client.setEventCallback({
        callbackType: 'HTTP',
        callbackUrl: 'http://h/cb',
        authSwitch: 'on',
        authKey: AUTH_KEY,
      }),
    );
    assert.equal(error.code, NETWORK_ERROR_CODE);
    assert.equal(error.operation, 'SetEventCallback');
    assert.equal(error.kind, 'retryable');
    assert.match(error.message, /^SetEventCallback failed: NetworkError/);
    assertNoSecrets(error);
  });

  it('a server that never answers gives a retryable Timeout after the read timeout', async () => {
    const silent = await server(() => undefined);
    const client = createIceClient(configFor(silent.url, { connectTimeoutMs: 150, readTimeoutMs: 150 }));
    const error = await iceErrorOf(client.getCustomizedVoiceJob({ jobId: 'job-1' }));
    assert.equal(error.code, TIMEOUT_ERROR_CODE);
    assert.equal(error.operation, 'GetCustomizedVoiceJob');
    assert.equal(error.kind, 'retryable');
    assertNoSecrets(error);
  });

  it('a read timeout longer than the connect timeout is honoured (transport idle-timer quirk)', async () => {
    const slow = await server((req, response, request) => {
      setTimeout(
        () => answerJson(200, { RequestId: 'R-slow', Data: { JobId: 'j', VoiceId: 'v' } })(req, response, request),
        400,
      );
    });
    const client = createIceClient(configFor(slow.url, { connectTimeoutMs: 100, readTimeoutMs: 3_000 }));
    const result = await client.submitCustomizedVoiceJob({ voiceId: 'v' });
    assert.equal(result.requestId, 'R-slow');
  });

  it('a connection closed without an answer is a retryable NetworkError', async () => {
    const rude = await server((_req, response) => response.socket?.destroy());
    const client = createIceClient(configFor(rude.url));
    const error = await iceErrorOf(client.submitCustomizedVoiceJob({ voiceId: 'v1' }));
    assert.equal(error.code, NETWORK_ERROR_CODE);
    assert.equal(error.operation, 'SubmitCustomizedVoiceJob');
    assert.equal(error.kind, 'retryable');
  });
});

describe('answers that are failures', () => {
  it('a 200 with Success:false is an IceError with its Code and RequestId', async () => {
    const peer = await server(
      answerJson(200, { RequestId: 'R-sf', Success: false, Code: 'InvalidParameter', Message: 'bad VoiceId' }),
    );
    const error = await iceErrorOf(createIceClient(configFor(peer.url)).getCustomizedVoice({ voiceId: 'x' }));
    assert.deepEqual(
      [error.code, error.statusCode, error.requestId, error.kind],
      ['InvalidParameter', 200, 'R-sf', 'final'],
    );
    assert.match(error.message, /bad VoiceId/);
  });

  it('a 200 with Success:false and no Code is UnsuccessfulResponse', async () => {
    const peer = await server(answerJson(200, { RequestId: 'R-sf2', Success: false }));
    const error = await iceErrorOf(
      createIceClient(configFor(peer.url)).setEventCallback({ callbackType: 'HTTP', callbackUrl: 'http://h/cb' }),
    );
    assert.equal(error.code, 'UnsuccessfulResponse');
    assert.equal(error.requestId, 'R-sf2');
  });

  it("ICE's error body on a 4xx keeps Code, status, RequestId and Message", async () => {
    const peer = await server(
      answerJson(404, {
        RequestId: 'R-404',
        HostId: 'ice.cn-shanghai.aliyuncs.com',
        Code: 'InvalidAccessKeyId.NotFound',
        Message: 'Specified access key is not found.',
        Recommend: 'https://api.aliyun.com/troubleshoot',
      }),
    );
    const error = await iceErrorOf(createIceClient(configFor(peer.url)).getEventCallback());
    assert.deepEqual(
      [error.code, error.statusCode, error.requestId, error.kind],
      ['InvalidAccessKeyId.NotFound', 404, 'R-404', 'final'],
    );
    assert.match(error.message, /Specified access key is not found/);
  });

  it('a gateway HTML page on 502 is a retryable InvalidResponse', async () => {
    const peer = await server((_req, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad Gateway</html>');
    });
    const error = await iceErrorOf(createIceClient(configFor(peer.url)).getEventCallback());
    assert.equal(error.code, 'InvalidResponse');
    assert.equal(error.kind, 'retryable');
  });

  it('a 200 without the documented fields is InvalidResponse carrying the RequestId', async () => {
    const peer = await server(answerJson(200, { RequestId: 'R-shape', Data: { CustomizedVoiceJob: { JobId: 'j' } } }));
    const error = await iceErrorOf(createIceClient(configFor(peer.url)).getCustomizedVoiceJob({ jobId: 'j' }));
    assert.equal(error.code, 'InvalidResponse');
    assert.equal(error.requestId, 'R-shape');
    assert.match(error.message, /VoiceId/);
  });
});

describe('what goes on the wire (the official SDK Params)', () => {
  it('POSTs "/" with an empty body, business parameters in the query and a V3 Authorization', async () => {
    const peer = await server(answerJson(200, { RequestId: 'R-ok', Success: true }));
    const client = createIceClient(configFor(peer.url));
    const result = await client.setEventCallback({
      callbackType: 'HTTP',
      callbackUrl: 'https://cb.example.com/ice callback?a=1&b=中文#frag',
      eventTypeList: ['CustomizedVoiceJobComplete', 'ProduceMediaComplete'],
      authSwitch: 'on',
      authKey: AUTH_KEY,
    });
    assert.deepEqual(result, { requestId: 'R-ok', success: true });
    const request = peer.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(new URL(request.path, 'http://peer').pathname, '/');
    assert.equal(request.body.toString('utf8'), '');
    assert.deepEqual(queryOf(request), {
      AuthKey: AUTH_KEY,
      AuthSwitch: 'on',
      CallbackType: 'HTTP',
      CallbackURL: 'https://cb.example.com/ice callback?a=1&b=中文#frag',
      EventTypeList: 'CustomizedVoiceJobComplete,ProduceMediaComplete',
    });
    assert.equal(request.headers['x-acs-action'], 'SetEventCallback');
    assert.equal(request.headers['x-acs-version'], '2020-11-09');
    assert.equal(request.headers.host, new URL(peer.url).host);
    assert.match(
      String(request.headers.authorization),
      /^ACS3-HMAC-SHA256 Credential=LTAITestKeyId,SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]*,Signature=[0-9a-f]{64}$/,
    );
  });

  it('spells DemoAudioMediaURL as ICE does and leaves out parameters not given', async () => {
    const peer = await server(answerJson(200, { RequestId: 'R-s', Data: { JobId: 'j1', VoiceId: 'v1' } }));
    const client = createIceClient(configFor(peer.url));
    await client.submitCustomizedVoiceJob({ voiceId: 'v1', demoAudioMediaUrl: 'https://b.oss.example.com/d.mp3' });
    await client.submitCustomizedVoiceJob({ voiceId: 'v1' });
    const [withDemo, withoutDemo] = peer.requests.slice(-2).map(queryOf);
    assert.deepEqual(withDemo, { DemoAudioMediaURL: 'https://b.oss.example.com/d.mp3', VoiceId: 'v1' });
    assert.deepEqual(withoutDemo, { VoiceId: 'v1' });
  });

  it('signs with the default credential chain (environment variables) when no key pair is configured', async () => {
    const peer = await server(answerJson(200, { RequestId: 'R-env', CallbackType: 'HTTP', EventTypeList: 'A, B' }));
    await withEnv(
      { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIFromEnvironment', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'EnvironmentSecret' },
      async () => {
        const client = createIceClient(configFor(peer.url, { credentials: undefined }));
        const result = await client.getEventCallback();
        assert.deepEqual(result.eventTypeList, ['A', 'B']);
        assert.equal(result.authSwitch, 'off');
        assert.match(String(peer.requests.at(-1)!.headers.authorization), /Credential=LTAIFromEnvironment,/);
      },
    );
  });

  it('fails with a final InvalidCredentials when the default chain finds nothing', async () => {
    const peer = await server(answerJson(200, { RequestId: 'R-none' }));
    const unset = Object.fromEntries(
      Object.keys(process.env)
        .filter((name) => name.startsWith('ALIBABA_CLOUD_'))
        .map((name) => [name, undefined]),
    );
    const vars = {
      ...unset,
      HOME: mkdtempSync(join(tmpdir(), 'ice-no-creds-')),
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
      ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
    };
    await withEnv(vars, async () => {
      const client = createIceClient(configFor(peer.url, { credentials: undefined }));
      const error = await iceErrorOf(client.getEventCallback());
      assert.equal(error.code, 'InvalidCredentials');
      assert.equal(error.kind, 'final');
      assert.equal(peer.requests.length, 0, 'nothing may be sent unsigned');
    });
  });
});

describe('endpoint', () => {
  it('takes protocol and host[:port] from the URL and refuses a path, which RPC calls would drop', () => {
    assert.deepEqual(parseIceEndpoint('https://ice.cn-shanghai.aliyuncs.com'), {
      protocol: 'https',
      host: 'ice.cn-shanghai.aliyuncs.com',
    });
    assert.deepEqual(parseIceEndpoint('http://127.0.0.1:8788/'), { protocol: 'http', host: '127.0.0.1:8788' });
    assert.throws(() => createIceClient(configFor('http://127.0.0.1:8788/ice')), ConfigError);
  });
});
