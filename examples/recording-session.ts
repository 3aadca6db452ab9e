/**
 * An app's backend for a recording session in the browser (README "A recording session"), as a small node:http
 * service in front of the clone workflow: it starts the clone, returns the sentences to read, forwards each
 * recording (already uploaded to OSS by the browser) and answers with ICE's detection, then submits. Every answer
 * comes from a Workflow Update, so the backend holds no state of its own. Compiled by `npm run typecheck` and run
 * by test/workflow/recording-session.test.ts. In an installed package, import from 'ice-voice-clone' instead of
 * '../src'.
 *
 *   POST /voices/:voiceId            { gender, scenario, voiceName? } → { sentences: [{ audioId, text, demoAudio }] }
 *   GET  /voices/:voiceId/sentences  → the sentences again (fresh DemoAudio links)
 *   POST /voices/:voiceId/recordings { audioRecordId, recordUrl }    → { audioRecordId, pass, reason }
 *   POST /voices/:voiceId/training   → { jobId } (422 with every failing sentence when detection failed)
 *   GET  /voices/:voiceId            → the clone's status (stage, recordings table, job)
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  addRecordingUpdate,
  demonstrationsUpdate,
  loadTaskQueue,
  loadTemporalConnectConfig,
  RecordingUpdateRejections,
  startRecordingSession,
  statusQuery,
  submitTrainingUpdate,
  VoiceCloneFailureTypes,
  voiceCloneWorkflowId,
  InvalidVoiceCloneInputError,
  type VoiceGender,
  type VoiceScenario,
} from '../src';

export interface RecordingBackendOptions {
  client: Client;
  taskQueue: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An update refused by the workflow, as the HTTP status the browser understands. */
function statusOfRefusal(type: string | undefined | null): number {
  switch (type) {
    case RecordingUpdateRejections.InvalidInput:
      return 400;
    case RecordingUpdateRejections.NoRecordingSession:
    case RecordingUpdateRejections.RecordingsClosed:
      return 409;
    case VoiceCloneFailureTypes.AudioDetectionFailed:
    case VoiceCloneFailureTypes.VoiceNotReady:
      return 422;
    default:
      return 502;
  }
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'the body must be a JSON object');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The backend's routes as a request listener (to mount in an app, or serve in a test). */
export function recordingBackendListener({ client, taskQueue }: RecordingBackendOptions): RequestListener {
  const clone = (voiceId: string) => client.workflow.getHandle(voiceCloneWorkflowId(voiceId));

  async function route(request: IncomingMessage): Promise<[number, unknown]> {
    const url = new URL(request.url ?? '/', 'http://backend');
    const [, voices, voiceId, part] = url.pathname.split('/');
    if (voices !== 'voices' || !voiceId) throw new HttpError(404, 'no such route');
    const key = `${request.method} ${part ?? ''}`;
    if (key === 'POST ') {
      const body = await readJson(request);
      // One call: the workflow creates the voice in ICE (unless it exists) and answers its sentences.
      const { demonstrations } = await startRecordingSession(
        client,
        {
          voiceId,
          voice: {
            gender: body.gender as VoiceGender,
            scenario: body.scenario as VoiceScenario,
            ...(typeof body.voiceName === 'string' && { voiceName: body.voiceName }),
          },
        },
        { taskQueue },
      );
      return [200, { sentences: demonstrations }];
    }
    if (key === 'GET sentences') return [200, { sentences: await clone(voiceId).executeUpdate(demonstrationsUpdate) }];
    if (key === 'POST recordings') {
      const body = await readJson(request);
      // The workflow validates the fields (400 naming the field and rule) before any ICE call.
      const recording = { audioRecordId: body.audioRecordId as number, recordUrl: body.recordUrl as string };
      return [200, await clone(voiceId).executeUpdate(addRecordingUpdate, { args: [recording] })];
    }
    if (key === 'POST training') return [200, await clone(voiceId).executeUpdate(submitTrainingUpdate)];
    if (key === 'GET ') return [200, await clone(voiceId).query(statusQuery)];
    throw new HttpError(404, 'no such route');
  }

  return (request, response) => {
    route(request).then(
      ([status, body]) => send(response, status, body),
      (error: unknown) => {
        if (error instanceof HttpError) return send(response, error.status, { error: error.message });
        if (error instanceof InvalidVoiceCloneInputError) {
          return send(response, 400, { error: error.message, field: error.field, rule: error.rule });
        }
        if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
          const { type, message, details } = error.cause;
          return send(response, statusOfRefusal(type), { error: message, type, details });
        }
        send(response, 500, { error: error instanceof Error ? error.message : String(error) });
      },
    );
  };
}

export function createRecordingBackend(options: RecordingBackendOptions): Server {
  return createServer(recordingBackendListener(options));
}

/** The service's entry point, with the package's settings (TEMPORAL_*, VOICE_CLONE_TASK_QUEUE). */
export async function main(port = 8080): Promise<void> {
  const temporal = loadTemporalConnectConfig();
  const connection = await Connection.connect(temporal.connectionOptions);
  const client = new Client({ connection, namespace: temporal.namespace ?? 'default' });
  const server = createRecordingBackend({ client, taskQueue: loadTaskQueue() }).listen(port);
  process.once('SIGTERM', () => server.close(() => void connection.close()));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
