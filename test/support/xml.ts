/**
 * A small strict XML reader for tests: elements, attributes, text and the five predefined
 * entities; it throws on anything malformed (unclosed or mismatched tags, bad attributes,
 * a raw `<` or `&` in text). Enough to check that a report is well-formed and to walk it.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  return raw.replace(/&([a-z]+);|&/g, (whole, name: string | undefined) => {
    const value = name ? ENTITIES[name] : undefined;
    if (value === undefined) throw new Error(`bad entity "${whole}" near offset ${where}`);
    return value;
  });
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ATTR = /^\s+([A-Za-z_][\w.-]*)="([^"<]*)"/;

export function parseXml(text: string): XmlElement {
  let at = 0;
  const skipProlog = /^<\?xml[^?]*\?>\s*/.exec(text);
  if (skipProlog) at = skipProlog[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < text.length) {
    if (text.startsWith('</', at)) {
      const end = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(text.slice(at));
      const open = stack.pop();
      if (!end || !open || end[1] !== open.name) throw new Error(`mismatched end tag at ${at}`);
      at += end[0].length;
      if (stack.length === 0) root = open;
    } else if (text[at] === '<') {
      const name = NAME.exec(text.slice(at + 1))?.[0];
      if (!name) throw new Error(`bad tag at ${at}`);
      at += 1 + name.length;
      const element: XmlElement = { name, attrs: {}, children: [], text: '' };
      for (let m = ATTR.exec(text.slice(at)); m; m = ATTR.exec(text.slice(at))) {
        if (m[1]! in element.attrs) throw new Error(`duplicate attribute ${m[1]} at ${at}`);
        element.attrs[m[1]!] = decode(m[2]!, at);
        at += m[0].length;
      }
      const close = /^\s*(\/?)>/.exec(text.slice(at));
      if (!close) throw new Error(`unterminated tag <${name}> at ${at}`);
      at += close[0].length;
      if (stack.length > 0) stack.at(-1)!.children.push(element);
      else if (root || stack.length > 0) throw new Error('more than one root element');
      if (close[1] === '/') {
        if (stack.length === 0) root = element;
      } else stack.push(element);
    } else {
      const next = text.indexOf('<', at);
      const raw = text.slice(at, next < 0 ? text.length : next);
      if (stack.length === 0) {
        if (raw.trim()) throw new Error(`text outside the root element at ${at}`);
      } else stack.at(-1)!.text += decode(raw, at);
      at += raw.length;
    }
  }
  if (stack.length > 0 || !root) throw new Error(`unclosed <${stack.at(-1)?.name ?? 'root'}>`);
  return root;
}
