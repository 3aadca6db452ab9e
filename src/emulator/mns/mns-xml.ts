/**
 * The XML of MNS's queue API (namespace `http://mns.aliyuncs.com/doc/v1/`), both ways, for the few flat shapes the
 * emulator reads and writes (docs/ice-api.md#mns-queue-callbacks). Request bodies are read with a deliberately small
 * reader: elements by name, no attributes, no nesting beyond what the shapes have, entities decoded.
 */
import { MnsWireError } from './mns-error';

/** MNS's XML namespace. */
export const MNS_XML_NAMESPACE = 'http://mns.aliyuncs.com/doc/v1/';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A body the reader cannot read: MNS's MalformedXML (400). */
export function malformedXml(): MnsWireError {
  return new MnsWireError(400, 'MalformedXML', 'The XML you provided was not well-formed.');
}

/** Decodes the five named entities and numeric references; anything else (a DTD's entity) is MalformedXML. */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]{2,4});|&/g, (_whole, name: string | undefined) => {
    const code = name?.startsWith('#x')
      ? parseInt(name.slice(2), 16)
      : name?.startsWith('#')
        ? Number(name.slice(1))
        : -1;
    if (code > 0x10ffff) throw malformedXml();
    if (code >= 0) return String.fromCodePoint(code);
    const decoded = name === undefined ? undefined : ENTITIES[name];
    if (decoded === undefined) throw malformedXml();
    return decoded;
  });
}

/**
 * The inner XML of each `<tag>…</tag>` (or empty `<tag/>`), in document order. A scan with indexOf, not a regular
 * expression: a body of many unclosed tags must not cost quadratic time.
 */
export function elementsNamed(xml: string, tag: string): string[] {
  const found: string[] = [];
  const close = `</${tag}>`;
  let from = 0;
  for (;;) {
    const start = xml.indexOf(`<${tag}`, from);
    if (start < 0) return found;
    const after = xml[start + tag.length + 1];
    const end = xml.indexOf('>', start);
    if (end < 0) throw malformedXml();
    if (after !== '>' && after !== '/' && after !== ' ' && after !== '\n' && after !== '\t' && after !== '\r') {
      from = start + 1; // a longer name that starts with tag (ReceiptHandles for ReceiptHandle)
      continue;
    }
    if (xml[end - 1] === '/') {
      found.push('');
      from = end + 1;
      continue;
    }
    const closing = xml.indexOf(close, end + 1);
    if (closing < 0) throw malformedXml();
    found.push(xml.slice(end + 1, closing));
    from = closing + close.length;
  }
}

/** The text of the first `<tag>` in `xml`, entities decoded, or undefined when there is none. */
export function textOf(xml: string, tag: string): string | undefined {
  const [inner] = elementsNamed(xml, tag);
  if (inner === undefined) return undefined;
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(inner);
  return cdata ? cdata[1] : unescapeXml(inner);
}

/** The root element's name, or undefined when the body holds no element. */
export function rootName(xml: string): string | undefined {
  return /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z][\w.-]*)/.exec(xml)?.[1];
}

export type XmlFields = ReadonlyArray<readonly [string, string | number | undefined]>;

function fieldsXml(fields: XmlFields): string {
  return fields
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
}

/** `<Root xmlns=…><Field>value</Field>…</Root>` with the declaration. */
export function xmlDocument(root: string, fields: XmlFields): string {
  return `${XML_DECLARATION}<${root} xmlns="${MNS_XML_NAMESPACE}">${fieldsXml(fields)}</${root}>`;
}

/** `<Root xmlns=…><Item>fields</Item>…</Root>`: the batch shapes (Messages, Errors). */
export function xmlList(root: string, item: string, items: readonly XmlFields[]): string {
  const inner = items.map((fields) => `<${item}>${fieldsXml(fields)}</${item}>`).join('');
  return `${XML_DECLARATION}<${root} xmlns="${MNS_XML_NAMESPACE}">${inner}</${root}>`;
}
