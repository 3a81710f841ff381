import type { OllamaFake } from '../fakes/index.js';
import { ownerClient } from '../support/database.js';
import { aModel, aProvider } from '../support/registry.js';
import type { TestApp } from '../support/test-app.js';

let counter = 0;

export interface KnowledgeSetup {
  provider: Record<string, any>;
  embedding: Record<string, any>;
  generation: Record<string, any>;
}

/** An Ollama provider on the fake with nomic-embed-text (768 dimensions) and llama3.2. */
export async function ollamaModels(t: TestApp, fake: OllamaFake, embeddingParams: Record<string, unknown> = {}): Promise<KnowledgeSetup> {
  const provider = await aProvider(t, { kind: 'ollama', api_base: fake.url });
  const embedding = await aModel(t, provider.id, {
    type: 'embedding',
    model_id: 'nomic-embed-text',
    params: { dimensions: 768, batch_size: 8, ...embeddingParams },
  });
  const generation = await aModel(t, provider.id, {
    type: 'generation',
    model_id: 'llama3.2',
    params: { context_window: 8192, max_output_tokens: 512 },
  });
  return { provider, embedding, generation };
}

export async function aKnowledgeBase(
  t: TestApp,
  setup: KnowledgeSetup,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await t.req('post', '/api/v1/knowledge-bases').send({
    name: `KB ${++counter}-${Math.random().toString(36).slice(2, 6)}`,
    embedding_model_id: setup.embedding.id,
    generation_model_id: setup.generation.id,
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`create knowledge base: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function upload(t: TestApp, kbId: string, content: string | Buffer, filename: string, contentType: string, token?: string) {
  return t
    .req('post', `/api/v1/knowledge-bases/${kbId}/documents`, token)
    .attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content), { filename, contentType });
}

/**
 * The vector search the app should pick on the server the suite runs on: pgvector where the
 * server offers the extension (CI's second pass on the machine's PostgreSQL, when it has it),
 * the exact scan otherwise (the embedded PostgreSQL never has it).
 */
export async function expectedVectorSearch(t: TestApp): Promise<'pgvector' | 'exact'> {
  const db = await ownerClient(t.databaseUrl);
  try {
    const { rows } = await db.query(`SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available`);
    return rows[0].available ? 'pgvector' : 'exact';
  } finally {
    await db.end();
  }
}

/** Polls a document until it reaches one of `statuses` (or fails the test after `ms`). */
export async function waitForDocument(t: TestApp, kbId: string, docId: string, statuses: string[] = ['indexed', 'failed'], ms = 20_000) {
  const started = Date.now();
  for (;;) {
    const res = await t.req('get', `/api/v1/knowledge-bases/${kbId}/documents/${docId}`);
    if (statuses.includes(res.body.status)) return res.body as Record<string, any>;
    if (Date.now() - started > ms) throw new Error(`document still ${res.body.status} after ${ms} ms: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The inputs the fake was asked to embed, in order. */
export function embeddedInputs(fake: OllamaFake): string[] {
  return fake.requests
    .filter((r) => r.path === '/api/embed')
    .flatMap((r) => {
      const input = (r.body as { input: string | string[] }).input;
      return Array.isArray(input) ? input : [input];
    });
}

/** A small valid PDF with one text line per page (Helvetica), built by hand with a correct xref table. */
export function pdfWith(pages: string[], title?: string): Buffer {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 4 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  pages.forEach((text, i) => {
    const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET`;
    objects[pageIds[i]!] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  });
  const infoId = objects.length;
  if (title) objects[infoId] = `<< /Title (${title}) >>`;
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = body.length;
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = body.length;
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R${title ? ` /Info ${infoId} 0 R` : ''} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
