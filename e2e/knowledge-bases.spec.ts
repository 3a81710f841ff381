import { type BrowserContext, type Page } from '@playwright/test';
import { fakes } from './support/fakes.js';
import { choose, dismissToast, exportAudit } from './support/console.js';
import { expect, expectNoSeriousA11yViolations, openDialog, saveScreenshot, signIn, test } from './support/fixtures.js';
import { adminApi } from './support/admin-api.js';

/**
 * A knowledge base end to end, as one admin session against the fake OpenAI: create it from the
 * registry's models; upload a Markdown document and watch it index; search it; chat on it in the
 * playground and follow a source back to its document; see the dimension lock and re-embed
 * (with Cancel); see the model delete refused with the knowledge base named; a failed document
 * with Retry; then all of it in the audit log, exported. Members search and read.
 */
test.describe.configure({ mode: 'serial' });

const run = Date.now().toString(36).slice(-5);
const names = {
  provider: `KB upstream ${run}`,
  brokenProvider: `KB broken upstream ${run}`,
  chat: `KB chat ${run}`,
  embedding: `KB embed ${run}`,
  large: `KB large embed ${run}`,
  broken: `KB broken embed ${run}`,
  kb: `Staff handbook ${run}`,
  failing: `Broken index ${run}`,
};

// One section per chunk at a chunk size of 64 tokens: about a dozen chunks, embedded one at a
// time by a fake that takes 700 ms per call, so indexing lasts long enough to be watched.
const HANDBOOK = `# Staff handbook

## Vacation

Everyone gets 30 vacation days a year. Unused vacation days carry over until the end of March.

## Travel

Book trains for trips under 600 km. Flights need the approval of your manager before booking.

## Expenses

Submit receipts within 30 days. Meals on business trips are covered up to 60 euros a day.

## Remote work

You may work remotely three days a week. Tell your team which days in the shared calendar.

## Equipment

Every new hire gets a laptop and a monitor. Ask the service desk for a headset or a keyboard.

## Parental leave

Parents get 16 weeks of paid leave. Plan it with your manager at least two months ahead.

## Sick leave

Report sick before 10 am. From the fourth day on a doctor's note is needed.

## Training

Each employee has a training budget of 1500 euros a year for courses and conferences.

## Office hours

The office is open from 7 am to 8 pm on weekdays. Badges work at the side entrance on weekends.

## Security

Lock your screen when you leave your desk. Report lost badges to security at once.
`;

let context: BrowserContext;
let page: Page;
let ids: { chat: string; embedding: string; large: string; broken: string };
/** The knowledge base the flow creates. */
let kbIdentifier = '';

test.beforeAll(async ({ browser, baseURL }) => {
  const api = await adminApi(baseURL!);
  const openai = fakes();
  const provider = async (name: string) =>
    (
      await api<{ id: string }>('POST', '/api/v1/providers', {
        name,
        kind: 'openai',
        api_base: `${openai.urls.openai}/v1`,
        api_key: openai.keys.openai ?? 'sk-fake-openai',
      })
    ).id;
  const model = async (providerId: string, display_name: string, model_id: string, type: string, params: object = {}) =>
    (await api<{ id: string }>('POST', '/api/v1/models', { provider_id: providerId, display_name, model_id, type, params })).id;
  const upstream = await provider(names.provider);
  // A provider of its own for the failing model, so its errors do not trip the breaker of the others.
  const brokenUpstream = await provider(names.brokenProvider);
  ids = {
    // Magic model names of the fake: a reply streamed a word every 150 ms; embeddings that take their time.
    chat: await model(upstream, names.chat, 'gpt-4o-mini-chunk-delay-150', 'generation'),
    embedding: await model(upstream, names.embedding, 'text-embedding-3-small-slow-700', 'embedding', { dimensions: 1536, batch_size: 1 }),
    large: await model(upstream, names.large, 'text-embedding-3-large-slow-1500', 'embedding', { dimensions: 3072, batch_size: 1 }),
    broken: await model(brokenUpstream, names.broken, 'text-embedding-3-small-fail-401', 'embedding', { dimensions: 1536 }),
  };

  context = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 } });
  page = await context.newPage();
  await signIn(page, 'admin');
});

test.afterAll(async () => {
  await context.close();
});

async function kbId(): Promise<string> {
  return new URL(page.url()).searchParams.get('kb')!;
}

const documentRow = (title: string) => page.getByTestId('document-list-table').locator('tr', { hasText: title });

test('create a knowledge base: pick the models, dimensions follow the embedding model, chunking is checked', async () => {
  await page.getByTestId('nav-knowledge-bases').click();
  await expect(page.getByTestId('knowledge-base-list')).toBeVisible();
  await openDialog(page.getByTestId('add-kb-button'));
  const dialog = page.getByTestId('knowledge-base-modal');
  await expect(dialog).toBeVisible();
  await page.getByTestId('save-kb-button').click();
  await expect(page.getByTestId('kb-name-error')).toHaveText('Give the knowledge base a name');

  await page.getByTestId('kb-name-input').fill(names.kb);
  await page.getByTestId('kb-description-input').fill('HR policies for everyone, as Markdown.');
  await choose(page.getByTestId('kb-embedding-select'), new RegExp(`^${names.embedding}`));
  await expect(page.getByTestId('kb-dimensions')).toHaveValue('1536');
  await expect(page.getByTestId('kb-dimensions-hint')).toHaveText('Fixed once created');
  await choose(page.getByTestId('kb-embedding-select'), new RegExp(`^${names.large}`));
  await expect(page.getByTestId('kb-dimensions')).toHaveValue('3072');
  await choose(page.getByTestId('kb-embedding-select'), new RegExp(`^${names.embedding}`));
  await choose(page.getByTestId('kb-generation-select'), new RegExp(`^${names.chat}`));
  await page.getByTestId('kb-chunk-size-input').fill('64');
  await page.getByTestId('kb-chunk-overlap-input').fill('40');
  await page.getByTestId('save-kb-button').click();
  await expect(page.getByTestId('kb-chunk-overlap-error')).toHaveText('At most half a chunk: 32');
  await page.getByTestId('kb-chunk-overlap-input').fill('8');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-create');

  await page.getByTestId('save-kb-button').click();
  await expect(dialog).toBeHidden();
  await dismissToast(page);
  await expect(page).toHaveURL(/\/knowledge-bases\?kb=/);
  kbIdentifier = await kbId();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(names.kb);
  await expect(page.getByTestId('kb-embedding-model')).toHaveText(names.embedding);
  await expect(page.getByTestId('kb-facts')).toContainText('1536 dimensions');
  await expect(page.getByTestId('kb-indexing-state')).toContainText('No documents');
  await expect(page.getByTestId('documents-empty')).toContainText('No documents yet');
});

test('upload: a Markdown document indexes with progress; a duplicate and an unsupported file are explained', async () => {
  await page.getByTestId('upload-input').setInputFiles({ name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) });
  const upload = page.getByTestId('upload-list').getByTestId('upload-item').first();
  await expect(upload).toHaveAttribute('data-status', 'done');
  await expect(upload.getByTestId('upload-message')).toContainText(/Indexing \d+ chunks in the background/);

  // Indexing: the status moves to `indexing` with a progress bar, then to `indexed`, without a reload.
  const row = documentRow('Staff handbook');
  const status = row.locator('sb-document-status');
  await expect(status).toHaveAttribute('data-status', 'indexing', { timeout: 15_000 });
  await expect(row.getByRole('progressbar')).toBeVisible();
  await expect(row.locator('[data-testid^="document-progress-text-"]')).toContainText(/\d+ \/ \d+ chunks · \d+%/);
  await expect(page.getByTestId('kb-following')).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-indexing');
  await expect(status).toHaveAttribute('data-status', 'indexed', { timeout: 30_000 });
  await expect(status).toContainText(/Indexed\s*\d+ chunks/);
  await expect(page.getByTestId('kb-indexing-state')).toContainText('Ready');

  // The same bytes again: recognised, nothing changes.
  await page
    .getByTestId('upload-input')
    .setInputFiles({ name: 'handbook-copy.md', mimeType: 'text/markdown', buffer: Buffer.from(HANDBOOK) });
  const duplicate = page.getByTestId('upload-list').getByTestId('upload-item').first();
  await expect(duplicate).toHaveAttribute('data-status', 'duplicate');
  await expect(duplicate).toContainText('already in the knowledge base as “Staff handbook”');
  // Not something text can be read from: 415, in plain words.
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  await page.getByTestId('upload-input').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
  const refused = page.getByTestId('upload-list').getByTestId('upload-item').first();
  await expect(refused).toHaveAttribute('data-status', 'failed');
  await expect(refused).toContainText('logo.png is not a supported file type. Upload plain text, Markdown, HTML or PDF');
  await expect(page.getByTestId('document-list-table').locator('tbody tr')).toHaveCount(1);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-uploads');
});

test('upload: the bytes going up show as a progress bar (a slow link)', async () => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // About 64 KB/s up: a 240 KB page takes a few seconds.
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
  const padding = `<!-- ${'layout padding '.repeat(16_000)} -->`;
  const html = `<html><head><title>Travel FAQ</title></head><body><h1>Travel FAQ</h1><p>Trains are booked in second class.</p>${padding}</body></html>`;
  await page.getByTestId('upload-input').setInputFiles({ name: 'travel-faq.html', mimeType: 'text/html', buffer: Buffer.from(html) });
  const upload = page.getByTestId('upload-list').getByTestId('upload-item').first();
  await expect(upload).toHaveAttribute('data-status', 'uploading');
  await expect(upload.getByTestId('upload-progress')).toBeVisible();
  await expect(upload.getByTestId('upload-percent')).toHaveText(/Uploading · [1-9]\d?%/);
  await saveScreenshot(page, 'admin-kb-upload-progress');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await expect(upload).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await cdp.detach();
  await expect(documentRow('Travel FAQ').locator('sb-document-status')).toHaveAttribute('data-status', 'indexed', { timeout: 30_000 });
  await page.getByTestId('clear-uploads-button').click();
  await expect(page.getByTestId('upload-list')).toHaveCount(0);
});

test('upload: a file dropped on the zone is added; a document is deleted after a confirmation', async () => {
  // A drop as the browser makes it, with a file in its DataTransfer. (A string: specs are type-checked without the DOM library.)
  const dataTransfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['Visitors park in the north garage; ask reception for a ticket.'], 'parking.txt', { type: 'text/plain' }));
    return transfer;
  })()`);
  await page.getByTestId('upload-dropzone').dispatchEvent('drop', { dataTransfer });
  const upload = page.getByTestId('upload-list').getByTestId('upload-item').first();
  await expect(upload).toHaveAttribute('data-status', 'done');
  await expect(upload).toContainText('parking.txt');
  const row = documentRow('parking');
  await expect(row).toContainText('parking.txt · Text');

  await row.locator('[data-testid^="delete-document-button-"]').click();
  const confirm = page.getByTestId('delete-document-modal');
  await expect(confirm).toContainText('Delete parking?');
  await expect(confirm).toContainText('searches stop finding it');
  await confirm.getByTestId('confirm-button').click();
  await expect(confirm).toBeHidden();
  await dismissToast(page);
  await expect(row).toHaveCount(0);
  await page.getByTestId('clear-uploads-button').click();
});

// Queries name words of one section only: the fake's vectors are hashes, so the full-text side decides.
test('search: the question finds the vacation chunk first, with its document, anchor and score', async () => {
  await page.getByTestId('kb-query-input').fill('When does unused vacation carry over?');
  await page.getByTestId('kb-search-button').click();
  const first = page.getByTestId('search-hit-0');
  await expect(first.getByTestId('search-hit-title')).toHaveText('Staff handbook');
  await expect(first.getByTestId('search-hit-anchor')).toContainText('#vacation');
  await expect(first.getByTestId('search-hit-content')).toContainText('Everyone gets 30 vacation days a year');
  await expect(first.getByTestId('search-hit-score')).toHaveText(/0\.\d{4}/);
  await expect(page.getByTestId('search-summary')).toContainText(/\d+ chunks? in \d+ ms/);
  await page.getByTestId('search-results').scrollIntoViewIfNeeded();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-search');
});

test('edit: the dimensions are locked; a model of other dimensions is refused and a re-embed offered, which can be cancelled', async () => {
  await page.getByTestId('edit-kb-button').click();
  const dialog = page.getByTestId('knowledge-base-modal');
  await expect(page.getByTestId('kb-dimensions')).toHaveValue('1536');
  await expect(page.getByTestId('kb-dimensions-hint')).toHaveText('Fixed since creation');
  await choose(page.getByTestId('kb-embedding-select'), new RegExp(`^${names.large}`));
  const warning = page.getByTestId('dimension-lock-warning');
  await expect(warning).toContainText(`${names.large} makes 3072-dimension vectors and this knowledge base holds 1536-dimension ones`);
  await expect(warning).toContainText('searches keep using the current index until the cut-over');
  await page.getByTestId('save-kb-button').click();
  await expect(page.getByTestId('kb-embedding-error')).toHaveText('3072 dimensions; this knowledge base keeps 1536');
  await expect(dialog).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-dimension-lock');

  await page.getByTestId('offer-reembed-button').click();
  const reembed = page.getByTestId('reembed-modal');
  await expect(reembed.getByTestId('reembed-model-select')).toContainText(names.large);
  await expect(reembed.getByTestId('reembed-comparison')).toContainText('3072 dimensions');
  await expect(reembed.getByTestId('reembed-explanation')).toContainText(`keep using the current index (${names.embedding})`);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-reembed-dialog');
  await page.getByTestId('start-reembed-button').click();
  await expect(reembed).toBeHidden();
  await dismissToast(page);

  const progress = page.getByTestId('reembed-progress');
  await expect(progress).toHaveAttribute('data-status', 'building');
  await expect(progress).toContainText(`Re-embedding onto ${names.large} · 3072 dimensions`);
  await expect(progress.getByTestId('reembed-progress-text')).toContainText(/\d+ \/ \d+ chunks/);
  await expect(progress.getByTestId('reembed-cutover-note')).toContainText(`keep using ${names.embedding} (1536 dimensions)`);
  await expect(page.getByTestId('kb-indexing-state')).toContainText('Re-embedding');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-reembedding');

  await page.getByTestId('cancel-reembed-button').click();
  await page.getByTestId('cancel-reembed-modal').getByTestId('confirm-button').click();
  await expect(progress).toHaveCount(0);
  await dismissToast(page);
  await expect(page.getByTestId('kb-embedding-model')).toHaveText(names.embedding);
  await expect(page.getByTestId('kb-facts')).toContainText('1536 dimensions');
});

test('playground: a streamed reply on the knowledge base with its sources as links back to the chunk', async () => {
  const kb = await kbId();
  await page.getByTestId('nav-playground').click();
  await page.getByTestId('new-conversation-button').click();
  await choose(page.getByTestId('chat-target-select'), names.kb);
  await page.getByTestId('chat-input').fill('When does unused vacation carry over?');
  await page.getByTestId('chat-input').press('Enter');
  const reply = page.getByTestId('chat-log').getByTestId('assistant-message').last();
  await expect(reply).toHaveAttribute('data-status', 'streaming');
  await expect(reply.getByTestId('message-content')).toContainText('This is a fake');
  await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 15_000 });
  await expect(reply.getByTestId('message-content')).toHaveText('This is a fake reply to: When does unused vacation carry over?');
  const source = reply.getByTestId('message-sources').getByRole('link', { name: /Staff handbook § vacation/ });
  await expect(source).toHaveAttribute('href', new RegExp(`/knowledge-bases\\?kb=${kb}&document=[0-9a-f-]+#vacation$`));
  await expect(page.getByTestId('chat-subtitle')).toContainText(names.kb);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-playground-sources');

  // The link opens the knowledge base with the document highlighted and the passage shown.
  await source.click();
  await expect(page).toHaveURL(new RegExp(`kb=${kb}&document=.+#vacation$`));
  const linked = page.getByTestId('linked-source');
  await expect(linked.getByTestId('linked-document-title')).toHaveText('Staff handbook');
  await expect(linked.getByTestId('linked-anchor')).toHaveText('#vacation');
  await expect(linked.getByTestId('linked-passage')).toContainText('Everyone gets 30 vacation days a year');
  await expect(documentRow('Staff handbook')).toHaveAttribute('aria-current', 'location');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-linked-source');
  await page.getByTestId('clear-linked-source').click();
  await expect(linked).toHaveCount(0);
});

test('models: the embedding model cannot be deleted or deprecated while the knowledge base uses it, which is named', async () => {
  await page.getByTestId('nav-models').click();
  await page.getByTestId('model-search-input').fill(names.embedding);
  await expect(page.getByTestId(`model-row-${ids.embedding}`)).toBeVisible();
  await page.getByTestId(`delete-model-button-${ids.embedding}`).click();
  const modal = page.getByTestId('delete-model-modal');
  await expect(modal.getByTestId('kb-dependency-warning')).toBeVisible();
  await expect(modal.getByTestId('dependent-kb-list')).toContainText(names.kb);
  await expect(modal.getByTestId('confirm-delete-button')).toBeDisabled();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-model-delete-blocked');
  await modal.getByRole('button', { name: 'Close' }).click();
  await expect(modal).toBeHidden();

  await page.getByTestId(`model-status-menu-${ids.embedding}`).click();
  await page.getByTestId(`deprecate-model-button-${ids.embedding}`).click();
  const deprecate = page.getByTestId('deprecate-model-modal');
  await expect(deprecate.getByTestId('deprecate-blocked-by-kb')).toContainText(names.kb);
  await expect(deprecate.getByTestId('confirm-deprecate-button')).toBeDisabled();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-model-deprecate-blocked');
  await deprecate.getByRole('button', { name: 'Cancel' }).click();
  await expect(deprecate).toBeHidden();
});

test('a document that fails to embed shows the error and Retry; a knowledge base is deleted after a confirmation', async ({ baseURL }) => {
  const api = await adminApi(baseURL!);
  const kb = await api<{ id: string }>('POST', '/api/v1/knowledge-bases', {
    name: names.failing,
    embedding_model_id: ids.broken,
    generation_model_id: ids.chat,
  });
  const form = new FormData();
  form.append('file', new Blob(['# Notes\n\nA short note that will not be embedded.\n'], { type: 'text/markdown' }), 'notes.md');
  await api('POST', `/api/v1/knowledge-bases/${kb.id}/documents`, form);

  await page.goto(`/knowledge-bases?kb=${kb.id}`);
  const status = documentRow('Notes').locator('sb-document-status');
  await expect(status).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
  await expect(status.locator('[data-testid^="document-error-"]')).toContainText('authentication_error');
  await expect(page.getByTestId('kb-indexing-state')).toContainText('1 failed');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-document-failed');
  await status.locator('[data-testid^="retry-document-"]').click();
  await dismissToast(page);
  // The key is still wrong: it fails again, and says so.
  await expect(status).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });

  await page.getByTestId('back-to-knowledge-bases').click();
  await page.getByTestId('kb-search-input').fill(run);
  await expect(page.getByTestId(`kb-row-${kb.id}`)).toContainText(names.broken);
  await expect(page.getByTestId(`kb-state-${kb.id}`)).toContainText('1 failed');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-list');
  await page.getByTestId(`delete-kb-button-${kb.id}`).click();
  const confirm = page.getByTestId('delete-kb-modal');
  await expect(confirm).toContainText('Its 1 document and their vectors are deleted');
  await confirm.getByTestId('confirm-button').click();
  await expect(page.getByTestId(`kb-row-${kb.id}`)).toHaveCount(0);
  await dismissToast(page);
});

test('a member opens the knowledge base and searches it, without any control that changes it', async ({ browser, baseURL }) => {
  const memberContext = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 } });
  const member = await memberContext.newPage();
  await signIn(member, 'member');
  await member.getByTestId('nav-knowledge-bases').click();
  await member.getByTestId('kb-search-input').fill(names.kb);
  await expect(member.locator('[data-testid^="edit-kb-button-"]')).toHaveCount(0);
  await expect(member.getByTestId('add-kb-button')).toHaveCount(0);
  await member.getByRole('link', { name: names.kb }).click();
  await expect(member.getByRole('heading', { level: 1 })).toHaveText(names.kb);
  await expect(member.getByTestId('document-list-table')).toContainText('Staff handbook');
  for (const absent of ['upload-dropzone', 'edit-kb-button', 'reembed-kb-button', 'delete-kb-button']) {
    await expect(member.getByTestId(absent)).toHaveCount(0);
  }
  await expect(member.locator('[data-testid^="delete-document-button-"]')).toHaveCount(0);
  await member.getByTestId('kb-query-input').fill('Which flights are approved?');
  await member.getByTestId('kb-search-button').click();
  await expect(member.getByTestId('search-hit-0').getByTestId('search-hit-anchor')).toContainText('#travel');
  await expectNoSeriousA11yViolations(member);
  await saveScreenshot(member, 'member-kb-detail');
  // On a phone the facts, documents and results stack.
  await member.setViewportSize({ width: 390, height: 844 });
  await expect(member.getByTestId('search-hit-0')).toBeVisible();
  await expectNoSeriousA11yViolations(member);
  await saveScreenshot(member, 'mobile-kb-detail');
  await memberContext.close();
});

test('audit log: the knowledge base, its document and the conversation are recorded, and export', async () => {
  await page.getByTestId('nav-audit').click();
  const list = page.getByTestId('audit-event-list');
  for (const action of ['knowledge_base.created', 'document.uploaded', 'document.indexed', 'conversation.message_sent']) {
    await page.getByTestId('audit-action-input').fill(action);
    await page.getByTestId('audit-apply-filters').click();
    await expect(list.locator('mat-expansion-panel').first()).toContainText(action);
  }

  // Everything that happened to this knowledge base, with the values it was created with.
  await page.getByTestId('audit-action-input').fill('');
  await page.getByTestId('audit-entity-id-input').fill(kbIdentifier);
  await page.getByTestId('audit-apply-filters').click();
  for (const action of ['knowledge_base.created', 'knowledge_base.reembed_started', 'knowledge_base.reembed_cancelled']) {
    await expect(list).toContainText(action);
  }
  const created = list.locator('mat-expansion-panel', { hasText: 'knowledge_base.created' });
  await created.locator('mat-expansion-panel-header').click();
  await expect(created.locator('table.diff')).toContainText(names.kb);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-kb-audit');

  for (const format of ['csv', 'ndjson'] as const) {
    const content = await exportAudit(page, format);
    expect(content).toContain('knowledge_base.created');
    expect(content).toContain('knowledge_base.reembed_cancelled');
    expect(content).toContain(names.kb);
    expect(content).not.toContain('conversation.message_sent');
  }

  // The whole log: the document and the conversation are there too.
  await page.getByTestId('audit-clear-filters').click();
  const everything = await exportAudit(page, 'ndjson');
  const actions = everything
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { action: string }).action);
  expect(actions).toEqual(
    expect.arrayContaining(['knowledge_base.created', 'document.uploaded', 'document.indexed', 'conversation.message_sent']),
  );
  expect(everything).toContain('handbook.md');
});
