/**
 * The text of a workflow history as a reader of its payloads sees it, for the fault suite's secret search.
 * JSON.stringify of a History would run the message's own toJSON first, which turns every payload into base64: a
 * secret inside one would never be found. So the message tree is walked field by field and each Payload is decoded
 * as its `encoding` metadata says.
 */
import type { temporal } from '@temporalio/proto';

type Payload = temporal.api.common.v1.IPayload;

const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** A Payload: its metadata is a map of bytes that names an encoding (every payload converter writes one). */
function isPayload(value: object): value is Payload {
  const { metadata } = value as Payload;
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    metadata.encoding instanceof Uint8Array &&
    Object.values(metadata).every((entry) => entry instanceof Uint8Array)
  );
}

/** Every string leaf of a decoded JSON value (so that an escaped character cannot hide a match). */
function jsonStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) jsonStrings(item, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      jsonStrings(item, out);
    }
  }
}

/** A payload's data as text, per its encoding; an encoding this search cannot read fails it instead of passing. */
function decodePayload(payload: Payload, out: string[]): void {
  const metadata = payload.metadata ?? {};
  const encoding = metadata.encoding ? utf8(metadata.encoding) : '';
  for (const [key, value] of Object.entries(metadata)) out.push(key, value ? utf8(value) : '');
  const data = payload.data ?? new Uint8Array();
  switch (encoding) {
    case 'binary/null':
      return;
    case 'json/plain':
    case 'json/protobuf': {
      const text = utf8(data);
      out.push(text);
      jsonStrings(JSON.parse(text), out);
      return;
    }
    case 'binary/plain':
    case 'binary/protobuf':
      // Protobuf keeps string fields as UTF-8 bytes, so they read as text between the binary parts.
      out.push(utf8(data));
      return;
    default:
      throw new Error(`history search: cannot read a payload encoded as "${encoding}"`);
  }
}

function collect(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(utf8(value));
  else if (Array.isArray(value)) for (const item of value) collect(item, out);
  else if (typeof value === 'object' && value !== null) {
    if (isPayload(value)) {
      decodePayload(value, out);
      return;
    }
    // Own fields only: a decoded message keeps its defaults on the prototype, and its toJSON is what hid payloads.
    for (const item of Object.values(value)) collect(item, out);
  }
}

/** Every string in the history, payloads decoded (json/plain, json/protobuf, binary/plain, binary/protobuf). */
export function searchableHistoryText(history: temporal.api.history.v1.IHistory): string {
  const out: string[] = [];
  collect(history, out);
  return out.join('\n');
}
