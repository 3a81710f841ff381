import { extractText, getDocumentProxy, getMeta } from 'unpdf';
import { normaliseSpace, type ExtractedDocument } from './sections.js';

/** The text of each page (PDF.js through unpdf); pages are the sections, anchored `page-N`. */
export async function extractPdf(bytes: Buffer): Promise<ExtractedDocument> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    const meta = await getMeta(pdf).catch(() => null);
    const info = (meta?.info ?? {}) as { Title?: unknown };
    const title = typeof info.Title === 'string' && info.Title.trim() ? info.Title.trim() : null;
    return {
      title,
      sections: text.map((page, i) => ({ heading: null, anchor: `page-${i + 1}`, text: normaliseSpace(page) })).filter((s) => s.text),
    };
  } finally {
    await pdf.loadingTask.destroy();
  }
}
