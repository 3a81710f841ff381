/** A stretch of a document under one heading, before it is cut to size. */
export interface Section {
  /** The heading path, e.g. "Install › Linux"; null before the first heading or where there are none. */
  heading: string | null;
  /** Where the section starts in the original (Markdown slug, HTML id, `page-3`). */
  anchor: string | null;
  text: string;
}

export interface ExtractedDocument {
  title: string | null;
  sections: Section[];
}

/** Keeps the path of open headings: a level-2 heading closes every open heading of level 2 and below. */
export class HeadingPath {
  private readonly open: { depth: number; text: string }[] = [];

  enter(depth: number, text: string): string {
    while (this.open.length && this.open.at(-1)!.depth >= depth) this.open.pop();
    this.open.push({ depth, text });
    return this.open.map((h) => h.text).join(' › ');
  }
}

export const normaliseSpace = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
