import { DomainError } from '../../common/domain-error.js';
import { extractHtml } from './html.js';
import { extractMarkdown } from './markdown.js';
import { SUPPORTED_LIST, type SupportedMediaType } from './media-types.js';
import { extractPdf } from './pdf.js';
import { normaliseSpace, type ExtractedDocument } from './sections.js';

const unreadable = (message: string) => new DomainError('validation', 'document.unreadable', message);

/** The text of an upload, split at its headings (or pages). */
export async function extractDocument(bytes: Buffer, mediaType: SupportedMediaType): Promise<ExtractedDocument> {
  let extracted: ExtractedDocument;
  if (mediaType === 'application/pdf') {
    try {
      extracted = await extractPdf(bytes);
    } catch (error) {
      throw unreadable(`The PDF could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    const text = decodeText(bytes);
    if (mediaType === 'text/markdown') extracted = extractMarkdown(text);
    else if (mediaType === 'text/html') extracted = extractHtml(text);
    else extracted = { title: null, sections: [{ heading: null, anchor: null, text: normaliseSpace(text) }].filter((s) => s.text) };
  }
  if (extracted.sections.length === 0) {
    throw unreadable(
      mediaType === 'application/pdf'
        ? 'The PDF has no text layer (a scan?): run it through OCR first'
        : 'The document has no text to index',
    );
  }
  return extracted;
}

function decodeText(bytes: Buffer): string {
  if (bytes.includes(0))
    throw new DomainError(
      'unsupported_media_type',
      'document.binary',
      `The file holds binary data, not text; supported: ${SUPPORTED_LIST}`,
    );
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: most such files are Windows-1252, which also decodes every byte.
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
