import { countTokens } from 'gpt-tokenizer';
import type { Section } from '../extraction/sections.js';

export interface ChunkDraft {
  heading: string | null;
  anchor: string | null;
  content: string;
  tokenCount: number;
}

export interface ChunkOptions {
  /** Largest chunk, in tokens (counted with the o200k tokenizer: close enough for a budget). */
  maxTokens: number;
  /** Tokens of the previous chunk's end repeated at the start of the next one in the same section. */
  overlapTokens: number;
}

/**
 * Headings first, then size: each section becomes one chunk when it fits, otherwise it is packed
 * from paragraphs (then sentences, then words for anything still too long) into chunks of at most
 * `maxTokens`, each starting with the last `overlapTokens` of the one before.
 */
export function chunkSections(sections: Section[], options: ChunkOptions): ChunkDraft[] {
  const chunks: ChunkDraft[] = [];
  for (const section of sections) {
    for (const content of splitText(section.text, options)) {
      chunks.push({ heading: section.heading, anchor: section.anchor, content, tokenCount: countTokens(content) });
    }
  }
  return chunks;
}

export function splitText(text: string, { maxTokens, overlapTokens }: ChunkOptions): string[] {
  if (countTokens(text) <= maxTokens) return [text];
  const units = unitsOf(text, maxTokens);
  const pieces: string[] = [];
  let current: { text: string; tokens: number }[] = [];
  let used = 0;
  const emit = () => {
    const piece = current.map((u) => u.text).join('');
    pieces.push(piece.trim());
    const tail = overlapTokens > 0 ? tailOf(piece, overlapTokens) : '';
    current = tail ? [{ text: `${tail} `, tokens: countTokens(tail) }] : [];
    used = current[0]?.tokens ?? 0;
  };
  for (const unit of units) {
    if (used + unit.tokens > maxTokens && current.length > 0) {
      emit();
      // An overlap that leaves no room for the next unit is dropped rather than overflowing.
      if (used + unit.tokens > maxTokens) {
        current = [];
        used = 0;
      }
    }
    current.push(unit);
    used += unit.tokens;
  }
  if (current.length)
    pieces.push(
      current
        .map((u) => u.text)
        .join('')
        .trim(),
    );
  return pieces.filter(Boolean);
}

/** Paragraphs, then sentences, then runs of words, each no larger than `max` tokens. */
function unitsOf(text: string, max: number): { text: string; tokens: number }[] {
  const out: { text: string; tokens: number }[] = [];
  for (const paragraph of text.split(/(?<=\n\n)/)) {
    const tokens = countTokens(paragraph);
    if (tokens <= max) {
      out.push({ text: paragraph, tokens });
      continue;
    }
    for (const sentence of paragraph.split(/(?<=[.!?。！？]\s+)/)) {
      const n = countTokens(sentence);
      if (n <= max) out.push({ text: sentence, tokens: n });
      else out.push(...wordRuns(sentence, max));
    }
  }
  return out;
}

function wordRuns(text: string, max: number): { text: string; tokens: number }[] {
  const out: { text: string; tokens: number }[] = [];
  let run = '';
  const flush = () => {
    if (run) out.push({ text: run, tokens: countTokens(run) });
    run = '';
  };
  for (const word of text.split(/(?<=\s)/)) {
    if (countTokens(word) > max) {
      // A single "word" longer than the limit (a base64 blob) is cut by characters.
      flush();
      for (let at = 0; at < word.length; at += max)
        out.push({ text: word.slice(at, at + max), tokens: countTokens(word.slice(at, at + max)) });
      continue;
    }
    if (run && countTokens(run + word) > max) flush();
    run += word;
  }
  flush();
  return out;
}

/** The longest end of `text`, starting at a word, of at most `tokens` tokens. */
function tailOf(text: string, tokens: number): string {
  const words = text.trim().split(/\s+/);
  let lo = 0;
  let hi = words.length;
  // Binary search for the most trailing words that fit.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (countTokens(words.slice(-mid).join(' ')) <= tokens) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? words.slice(-lo).join(' ') : '';
}
