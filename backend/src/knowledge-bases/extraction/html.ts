import GithubSlugger from 'github-slugger';
import { DomUtils, parseDocument } from 'htmlparser2';
import { HeadingPath, normaliseSpace, type ExtractedDocument, type Section } from './sections.js';

type Node = ReturnType<typeof parseDocument>['children'][number];
type ElementNode = Node & { name: string; attribs: Record<string, string>; children: Node[] };

const isText = (node: Node): node is Node & { data: string } => node.type === 'text';
const isElement = (node: Node): node is ElementNode => 'name' in node && 'children' in node;

const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'head', 'canvas']);
const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'aside',
  'nav',
  'blockquote',
  'pre',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'table',
  'tr',
  'figure',
  'figcaption',
  'form',
  'fieldset',
  'address',
  'hr',
  'details',
  'summary',
]);
const HEADING = /^h([1-6])$/;

/** HTML as text, split at h1–h6; a heading's anchor is its id (or a slug of its text). */
export function extractHtml(source: string): ExtractedDocument {
  const document = parseDocument(source, { decodeEntities: true, lowerCaseTags: true });
  const slugger = new GithubSlugger();
  const path = new HeadingPath();
  const sections: Section[] = [];
  let current: Section = { heading: null, anchor: null, text: '' };
  let firstH1: string | null = null;

  const walk = (nodes: Node[], pre: boolean) => {
    for (const node of nodes) {
      if (isText(node)) {
        current.text += pre ? node.data : node.data.replace(/\s+/g, ' ');
      } else if (isElement(node)) {
        const name = node.name;
        if (SKIPPED.has(name)) continue;
        const heading = HEADING.exec(name);
        if (heading) {
          const text = DomUtils.textContent(node).replace(/\s+/g, ' ').trim();
          if (!text) continue;
          sections.push(current);
          const id = node.attribs['id']?.trim();
          current = { heading: path.enter(Number(heading[1]), text), anchor: id || slugger.slug(text), text: '' };
          if (heading[1] === '1') firstH1 ??= text;
          continue;
        }
        if (name === 'br') current.text += '\n';
        else if (name === 'li') current.text += '\n- ';
        else if (BLOCKS.has(name) || name === 'td' || name === 'th') current.text += name === 'td' || name === 'th' ? ' ' : '\n\n';
        walk(node.children, pre || name === 'pre');
        if (BLOCKS.has(name)) current.text += '\n\n';
      }
    }
  };
  walk(document.children, false);
  sections.push(current);
  const titleTag = DomUtils.findOne((e) => e.name === 'title', document.children, true);
  const title = (titleTag ? DomUtils.textContent(titleTag).replace(/\s+/g, ' ').trim() : '') || firstH1;
  return { title, sections: sections.map((s) => ({ ...s, text: normaliseSpace(s.text) })).filter((s) => s.text) };
}
