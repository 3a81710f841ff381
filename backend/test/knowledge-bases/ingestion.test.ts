import { OllamaFake } from '../fakes/index.js';
import { ownerClient } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  aKnowledgeBase,
  embeddedInputs,
  expectedVectorSearch,
  ollamaModels,
  pdfWith,
  upload,
  waitFor,
  waitForDocument,
  type KnowledgeSetup,
} from './support.js';

const HANDBOOK = `# Employee handbook

Welcome to the company. This handbook explains how we work.

## Vacation

New hires get twenty-five vacation days per year, accrued monthly. Unused vacation days carry over until March.

## Expenses

Submit travel expenses within thirty days with receipts. Meals abroad are reimbursed up to a daily allowance.

## Security

Laptops must use full-disk encryption. Report a lost badge to the security desk immediately.
`;

describe('knowledge bases: upload, ingestion and search', () => {
  let t: TestApp;
  let fake: OllamaFake;
  let setup: KnowledgeSetup;
  let member: { token: string };

  beforeAll(async () => {
    fake = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    setup = await ollamaModels(t, fake);
    member = await t.userWithRole('member');
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('indexes an uploaded Markdown file and the search finds the right chunk with its heading anchor', async () => {
    const kb = await aKnowledgeBase(t, setup);
    expect(kb).toMatchObject({ dimensions: 768, distance_metric: 'cosine', embedding_model: { id: setup.embedding.id }, reembed: null });
    const res = await upload(t, kb.id, HANDBOOK, 'handbook.md', 'text/markdown');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      duplicate: false,
      document: { title: 'Employee handbook', media_type: 'text/markdown', status: 'pending' },
    });
    const total = res.body.document.progress.total;
    expect(total).toBe(4);
    const done = await waitForDocument(t, kb.id, res.body.document.id);
    expect(done).toMatchObject({ status: 'indexed', progress: { done: total, total }, error: null });
    expect(done.indexed_at).not.toBeNull();

    const search = await t
      .req('post', `/api/v1/knowledge-bases/${kb.id}/search`, member.token)
      .send({ query: 'how many vacation days do new hires get?', top_k: 3 });
    expect(search.status).toBe(200);
    expect(search.body.vector_search).toBe(await expectedVectorSearch(t));
    expect(search.body.items).toHaveLength(3);
    expect(search.body.items[0]).toMatchObject({
      title: 'Employee handbook',
      heading: 'Employee handbook › Vacation',
      anchor: 'vacation',
      document_id: done.id,
    });
    expect(search.body.items[0].content).toContain('twenty-five vacation days');
    expect(search.body.items[0].text_rank).toBe(1);
    expect(search.body.items[0].similarity).toEqual(expect.any(Number));
    // The query itself went to the same embedding model.
    expect(embeddedInputs(fake).at(-1)).toBe('how many vacation days do new hires get?');
  });

  it('ranks by vector similarity too: the exact text of a chunk comes first even with no shared words in others', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const res = await upload(t, kb.id, HANDBOOK, 'handbook.md', 'text/markdown');
    await waitForDocument(t, kb.id, res.body.document.id);
    // fakeEmbedding is a hash of the text: only the identical input has similarity 1.
    const input =
      'Employee handbook › Security\n\nLaptops must use full-disk encryption. Report a lost badge to the security desk immediately.';
    expect(embeddedInputs(fake)).toContain(input);
    const search = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query: input, top_k: 4 });
    expect(search.body.items[0]).toMatchObject({ anchor: 'security', vector_rank: 1 });
    expect(search.body.items[0].similarity).toBeCloseTo(1, 5);
  });

  it('treats the same file uploaded again as a no-op that says so', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const first = await upload(t, kb.id, HANDBOOK, 'handbook.md', 'text/markdown');
    await waitForDocument(t, kb.id, first.body.document.id);
    const calls = fake.requests.length;
    const again = await upload(t, kb.id, HANDBOOK, 'renamed.md', 'text/markdown');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, document: { id: first.body.document.id, status: 'indexed' } });
    expect(again.body.detail).toMatch(/already in the knowledge base as “Employee handbook”; nothing was changed/);
    const list = await t.req('get', `/api/v1/knowledge-bases/${kb.id}/documents`);
    expect(list.body.total).toBe(1);
    expect(fake.requests.length).toBe(calls);
    const audit = await t.req('get', `/api/v1/audit-events?action=document.uploaded&entity_id=${first.body.document.id}`);
    expect(audit.body.items).toHaveLength(1);
  });

  it('refuses a file above knowledge.max_upload_bytes with 413', async () => {
    const kb = await aKnowledgeBase(t, setup);
    await t.req('put', '/api/v1/settings/knowledge.max_upload_bytes').send({ value: 2048 });
    try {
      const res = await upload(t, kb.id, 'x '.repeat(2000), 'big.txt', 'text/plain');
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'document.too_large', max_bytes: 2048 });
      expect(res.body.detail).toContain('knowledge.max_upload_bytes');
      expect((await upload(t, kb.id, 'small enough', 'small.txt', 'text/plain')).status).toBe(202);
    } finally {
      await t.req('put', '/api/v1/settings/knowledge.max_upload_bytes').send({ value: 20 * 1024 * 1024 });
    }
    expect((await t.req('get', `/api/v1/knowledge-bases/${kb.id}/documents`)).body.total).toBe(1);
  });

  it('accepts a document above the 1 MiB request body limit up to the default setting, and refuses one above the setting', async () => {
    const limit = await t.req('get', '/api/v1/settings/knowledge.max_upload_bytes');
    expect(limit.body.value).toBe(20 * 1024 * 1024);
    // 3 MiB, nearly all of it a script the extraction drops, so there is little to embed.
    const big = (title: string) =>
      `<html><head><title>${title}</title><script>${'x'.repeat(3 * 1024 * 1024)}</script></head><body><p>Badge office hours.</p></body></html>`;
    const kb = await aKnowledgeBase(t, setup);
    const accepted = await upload(t, kb.id, big('Large page'), 'large.html', 'text/html');
    expect(accepted.status).toBe(202);
    expect(accepted.body.document).toMatchObject({ title: 'Large page', size_bytes: expect.any(Number) });
    expect(accepted.body.document.size_bytes).toBeGreaterThan(3 * 1024 * 1024);
    expect((await waitForDocument(t, kb.id, accepted.body.document.id)).status).toBe('indexed');

    await t.req('put', '/api/v1/settings/knowledge.max_upload_bytes').send({ value: 2 * 1024 * 1024 });
    try {
      const refused = await upload(t, kb.id, big('Too large'), 'too-large.html', 'text/html');
      expect(refused.status).toBe(413);
      expect(refused.body).toMatchObject({ code: 'document.too_large', max_bytes: 2 * 1024 * 1024 });
    } finally {
      await t.req('put', '/api/v1/settings/knowledge.max_upload_bytes').send({ value: 20 * 1024 * 1024 });
    }
    expect((await t.req('get', `/api/v1/knowledge-bases/${kb.id}/documents`)).body.total).toBe(1);
  });

  it('refuses an unsupported type with 415 naming the supported ones', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const res = await upload(t, kb.id, png, 'logo.png', 'image/png');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('document.unsupported_type');
    for (const type of ['text/plain', 'text/markdown', 'text/html', 'application/pdf']) expect(res.body.detail).toContain(type);
    const json = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/documents`).send({ file: 'nope' });
    expect(json.status).toBe(415);
    expect(json.body.detail).toContain('multipart/form-data');
    const binary = await upload(t, kb.id, Buffer.from([0x68, 0x69, 0, 0x01]), 'notes.txt', 'text/plain');
    expect(binary.status).toBe(415);
    expect(binary.body.code).toBe('document.binary');
    expect(binary.body.detail).toContain('application/pdf');
  });

  it('extracts HTML (ids as anchors) and PDF (pages as anchors)', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const html = `<!doctype html><html><head><title>Ops guide</title><style>.x{color:red}</style><script>var secret = 1;</script></head>
      <body><h1>Operations</h1><p>Intro text.</p><h2 id="on-call">On call</h2><p>The pager rotates every Monday at nine.</p>
      <h2>Backups</h2><ul><li>Nightly snapshots</li><li>Kept for &amp; thirty days</li></ul></body></html>`;
    const page = await upload(t, kb.id, html, 'ops.html', 'text/html');
    expect(page.status).toBe(202);
    expect(page.body.document.title).toBe('Ops guide');
    const pdf = await upload(
      t,
      kb.id,
      pdfWith(['First page about invoices.', 'Second page about the quarterly audit.'], 'Finance notes'),
      'finance.pdf',
      'application/pdf',
    );
    expect(pdf.status).toBe(202);
    expect(pdf.body.document).toMatchObject({ title: 'Finance notes', media_type: 'application/pdf' });
    await waitForDocument(t, kb.id, page.body.document.id);
    await waitForDocument(t, kb.id, pdf.body.document.id);
    const pager = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query: 'when does the pager rotate', top_k: 1 });
    expect(pager.body.items[0]).toMatchObject({ anchor: 'on-call', heading: 'Operations › On call' });
    const audit = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query: 'quarterly audit', top_k: 1 });
    expect(audit.body.items[0]).toMatchObject({ anchor: 'page-2', title: 'Finance notes' });
    const backups = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query: 'snapshots kept thirty days', top_k: 1 });
    expect(backups.body.items[0].content).toContain('Kept for & thirty days');
    expect(embeddedInputs(fake).join('\n')).not.toContain('secret');
  });

  it('shows a failed embedding with its error, and a retry indexes the document', async () => {
    const kb = await aKnowledgeBase(t, setup);
    fake.setBehaviour({ status: 401 });
    let res;
    try {
      res = await upload(t, kb.id, 'A short note about parking permits.', 'parking.txt', 'text/plain');
      const failed = await waitForDocument(t, kb.id, res.body.document.id);
      expect(failed).toMatchObject({ status: 'failed', progress: { done: 0, total: 1 }, error: { class: 'authentication_error' } });
      expect(failed.error.message).toEqual(expect.any(String));
    } finally {
      fake.reset();
    }
    const member403 = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/documents/${res.body.document.id}/retry`, member.token);
    expect(member403.status).toBe(403);
    const retried = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/documents/${res.body.document.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('pending');
    expect((await waitForDocument(t, kb.id, res.body.document.id)).status).toBe('indexed');
    const again = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/documents/${res.body.document.id}/retry`);
    expect(again.status).toBe(409);
  });

  it('retries transient upstream failures (503, then 429) with growing backoff, counting attempts, and ends indexed', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const text = 'The cafeteria serves breakfast from seven to ten on weekdays.';
    const sent = () => embeddedInputs(fake).filter((input) => input === text).length;
    fake.enqueue({ status: 503 });
    fake.enqueue({ status: 429, retryAfter: 1 });
    const res = await upload(t, kb.id, text, 'cafeteria.txt', 'text/plain');
    expect(res.status).toBe(202);
    const docId = res.body.document.id;
    const db = await ownerClient(t.databaseUrl);
    const job = async (attempts: number) =>
      waitFor(`attempt ${attempts}`, async () => {
        const { rows } = await db.query(
          `SELECT attempts, last_error, extract(epoch FROM run_after - now())::float8 AS wait_s FROM embedding_jobs WHERE document_id = $1`,
          [docId],
        );
        return rows[0]?.attempts === attempts ? (rows[0] as { attempts: number; last_error: string; wait_s: number }) : null;
      });
    // Skips the rest of a backoff instead of sleeping through it.
    const fastForward = () => db.query(`UPDATE embedding_jobs SET run_after = now() WHERE document_id = $1`, [docId]);
    try {
      const first = await job(1);
      expect(first.last_error).toEqual(expect.any(String));
      expect(first.wait_s).toBeGreaterThan(0.5);
      expect(first.wait_s).toBeLessThanOrEqual(2);
      const waiting = (await t.req('get', `/api/v1/knowledge-bases/${kb.id}/documents/${docId}`)).body;
      expect(waiting).toMatchObject({ status: 'indexing', progress: { done: 0, total: 1 }, error: null });
      await fastForward();
      const second = await job(2);
      // The backoff grows (8 s), and is never shorter than the upstream's Retry-After.
      expect(second.wait_s).toBeGreaterThan(5);
      expect(second.wait_s).toBeLessThanOrEqual(8);
      expect(second.last_error).not.toBe(first.last_error);
      await fastForward();
      const done = await waitForDocument(t, kb.id, docId);
      expect(done).toMatchObject({ status: 'indexed', progress: { done: 1, total: 1 }, error: null });
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM embedding_jobs WHERE document_id = $1`, [docId]);
      expect(rows[0].n).toBe(0);
      expect(sent()).toBe(3);
    } finally {
      await db.end();
      fake.reset();
    }
  });

  it('lets members read and search but not upload or delete', async () => {
    const kb = await aKnowledgeBase(t, setup);
    expect((await upload(t, kb.id, 'text', 'a.txt', 'text/plain', member.token)).status).toBe(403);
    expect((await t.req('get', `/api/v1/knowledge-bases/${kb.id}`, member.token)).status).toBe(200);
    expect((await t.req('get', `/api/v1/knowledge-bases/${kb.id}/documents`, member.token)).status).toBe(200);
    expect((await t.req('delete', `/api/v1/knowledge-bases/${kb.id}`, member.token)).status).toBe(403);
    const auditor = await t.userWithRole('auditor');
    expect((await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`, auditor.token).send({ query: 'x' })).status).toBe(403);
  });
});
