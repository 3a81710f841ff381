import { countTokens } from 'gpt-tokenizer';
import { extractMarkdown } from '../extraction/markdown.js';
import { chunkSections, splitText } from './chunker.js';

describe('chunking', () => {
  it('splits Markdown by headings first, with heading paths and GitHub anchors', () => {
    const doc = extractMarkdown(
      '# Guide\n\nIntro.\n\n## Install\n\nRun it.\n\n### On Linux\n\n```sh\n# not a heading\n```\n\n## Install\n\nAgain.\n',
    );
    expect(doc.title).toBe('Guide');
    expect(chunkSections(doc.sections, { maxTokens: 100, overlapTokens: 10 }).map((c) => [c.heading, c.anchor])).toEqual([
      ['Guide', 'guide'],
      ['Guide › Install', 'install'],
      ['Guide › Install › On Linux', 'on-linux'],
      ['Guide › Install', 'install-1'],
    ]);
  });

  it('cuts long text into chunks of at most maxTokens, each starting with the end of the previous one', () => {
    const sentences = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} says something about topic ${i % 7}.`);
    const text = [sentences.slice(0, 30).join(' '), sentences.slice(30).join(' ')].join('\n\n');
    const pieces = splitText(text, { maxTokens: 80, overlapTokens: 15 });
    expect(pieces.length).toBeGreaterThan(5);
    for (const piece of pieces) expect(countTokens(piece)).toBeLessThanOrEqual(80);
    for (let i = 1; i < pieces.length; i++) {
      const tail = pieces[i - 1]!.split(/\s+/).slice(-3).join(' ');
      expect(pieces[i]!.startsWith(tail) || pieces[i]!.includes(tail)).toBe(true);
    }
    // Nothing is lost: every sentence is in some chunk.
    for (const s of sentences) expect(pieces.some((p) => p.includes(s))).toBe(true);
  });

  it('cuts a run of text without any break, even one endless word', () => {
    const pieces = splitText('x'.repeat(5_000), { maxTokens: 64, overlapTokens: 0 });
    expect(pieces.join('')).toBe('x'.repeat(5_000));
    for (const piece of pieces) expect(countTokens(piece)).toBeLessThanOrEqual(64);
  });
});
