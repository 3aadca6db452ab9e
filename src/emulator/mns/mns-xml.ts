/**
 * The XML of MNS's queue API (namespace `http://mns.aliyuncs.com/doc/v1/`), both ways, for the few flat shapes the
 * emulator reads and writes (docs/ice-api.md#mns-queue-callbacks). Request bodies are read with a deliberately small
 * reader: elements by name, no attributes, no nesting beyond what the shapes have, entities decoded.
 */

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

/** Decodes the five named entities and numeric references; throws on anything else (an unknown entity). */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&/g, (whole, name: string | undefined) => {
    if (name === undefined) throw new SyntaxError('a bare "&" in XML text');
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const decoded = ENTITIES[name];
    if (decoded === undefined) throw new SyntaxError(`unknown XML entity ${whole}`);
    return decoded;
  });
}

/** The inner XML of each `<tag>…</tag>` (or empty `<tag/>`) at any depth, in document order. */
export function elementsNamed(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, 'g');
  return [...xml.matchAll(pattern)].map((match) => match[1] ?? '');
}

/** The text of the first `<tag>` in `xml`, entities decoded, or undefined when there is none. */
export function textOf(xml: string, tag: string): string | undefined {
  const [inner] = elementsNamed(xml, tag);
  return inner === undefined ? undefined : unescapeXml(inner.replace(/^<!\[CDATA\[([\s\S]*)\]\]>$/, '$1'));
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
