import GithubSlugger from 'github-slugger';
import { Lexer, type Token } from 'marked';
import { HeadingPath, normaliseSpace, type ExtractedDocument, type Section } from './sections.js';

/** Markdown split at its headings; each section's anchor is the heading's GitHub-style slug. */
export function extractMarkdown(source: string): ExtractedDocument {
  const tokens = Lexer.lex(source.replace(/^\uFEFF/, ''), { gfm: true });
  const slugger = new GithubSlugger();
  const path = new HeadingPath();
  const sections: Section[] = [];
  let current: Section = { heading: null, anchor: null, text: '' };
  let title: string | null = null;
  for (const token of tokens) {
    if (token.type === 'heading') {
      const text = plain(token);
      sections.push(current);
      current = { heading: path.enter(token.depth as number, text), anchor: slugger.slug(text), text: '' };
      if (token.depth === 1 && title === null) title = text;
    } else {
      current.text += token.raw;
    }
  }
  sections.push(current);
  return { title, sections: sections.map((s) => ({ ...s, text: normaliseSpace(s.text) })).filter((s) => s.text) };
}

/** A heading's text without its inline Markdown (emphasis, links, code). */
function plain(token: Token): string {
  const inline = (token as { tokens?: Token[] }).tokens;
  if (!inline) return (token as { text?: string }).text ?? '';
  return inline
    .map((t) => ((t as { tokens?: Token[] }).tokens ? plain(t) : ((t as { text?: string }).text ?? t.raw)))
    .join('')
    .trim();
}
