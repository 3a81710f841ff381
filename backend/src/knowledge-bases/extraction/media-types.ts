import { extname } from 'node:path';

export const SUPPORTED_MEDIA_TYPES = ['text/plain', 'text/markdown', 'text/html', 'application/pdf'] as const;
export type SupportedMediaType = (typeof SUPPORTED_MEDIA_TYPES)[number];

const BY_EXTENSION: Record<string, SupportedMediaType> = {
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.pdf': 'application/pdf',
};

const ALIASES: Record<string, SupportedMediaType> = {
  'text/plain': 'text/plain',
  'text/markdown': 'text/markdown',
  'text/x-markdown': 'text/markdown',
  'text/html': 'text/html',
  'application/xhtml+xml': 'text/html',
  'application/pdf': 'application/pdf',
};

export const SUPPORTED_LIST = `${SUPPORTED_MEDIA_TYPES.join(', ')} (${Object.keys(BY_EXTENSION).join(' ')})`;

/**
 * What a file is: PDF by its magic bytes, then the file name's extension (browsers send .md as
 * text/plain or octet-stream), then the declared type. Null when none is supported.
 */
export function detectMediaType(declared: string | undefined, filename: string | undefined, head: Buffer): SupportedMediaType | null {
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  const byName = filename ? BY_EXTENSION[extname(filename).toLowerCase()] : undefined;
  if (byName && byName !== 'application/pdf') return byName;
  const base = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  const byType = ALIASES[base];
  if (byType && byType !== 'application/pdf') return byType;
  return null;
}
