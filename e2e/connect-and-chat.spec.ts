import { type BrowserContext, type Page } from '@playwright/test';
import { fakes } from './support/fakes.js';
import { choose, dismissToast, exportAudit, idOfRow, tableRow } from './support/console.js';
import { expect, expectNoSeriousA11yViolations, openDialog, saveScreenshot, signIn, test } from './support/fixtures.js';
import { adminApi } from './support/admin-api.js';

/**
 * From an upstream to a chat, as one admin session against the fake OpenAI: a provider whose
 * connection test fails on a bad key and passes on the right one; its models discovered and
 * imported; a default set; a streamed chat, and a stopped one, in the playground; a title model
 * naming a new conversation; then the usage this produced. Auditors read usage; members chat.
 * Last, all of it in the audit log and its exports.
 */
test.describe.configure({ mode: 'serial' });

const startedAt = Date.now();
const run = startedAt.toString(36).slice(-5);
const names = {
  provider: `OpenAI fake ${run}`,
  chat: `GPT-4o mini ${run}`,
  embedding: `Small embeddings ${run}`,
  slow: `Slow stream ${run}`,
};

let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser, baseURL }) => {
  context = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 } });
  page = await context.newPage();
  await signIn(page, 'admin');
});

test.afterAll(async () => {
  await context.close();
});

/** Scrolls the dialog so this element is at its top. (A string: specs are type-checked without the DOM library.) */
async function scrollToTop(selector: string): Promise<void> {
  await page.evaluate(`document.querySelector('${selector}').scrollIntoView({ block: 'start' })`);
}

const lastReply = () => page.getByTestId('chat-log').getByTestId('assistant-message').last();

test('providers: a bad key fails the connection test at the auth stage, the right one passes, then it saves', async () => {
  const openai = fakes();
  await page.getByTestId('nav-providers').click();
  await openDialog(page.getByTestId('add-provider-button'));
  const dialog = page.getByTestId('provider-modal');
  await choose(page.getByTestId('provider-kind-select'), 'OpenAI');
  await page.getByTestId('provider-name-input').fill(names.provider);
  await page.getByTestId('provider-api-base-input').fill(`${openai.urls.openai}/v1`);
  await page.getByTestId('api-key-input').fill('sk-not-the-right-key');
  await expect(page.getByTestId('save-provider-button')).toBeDisabled();
  await expect(page.getByTestId('connection-status-indicator')).toHaveText(/Not tested yet/);

  await page.getByTestId('test-connection-button').click();
  const indicator = page.getByTestId('connection-status-indicator');
  await expect(indicator).toHaveAttribute('data-state', 'failed');
  await expect(indicator).toContainText('Failed at authentication');
  await expect(dialog.getByTestId('test-stage-dns')).toHaveAttribute('data-status', 'ok');
  await expect(dialog.getByTestId('test-stage-connect')).toHaveAttribute('data-status', 'ok');
  await expect(dialog.getByTestId('test-stage-auth')).toHaveAttribute('data-status', 'failed');
  await expect(dialog.getByTestId('test-stage-model')).toHaveAttribute('data-status', 'skipped');
  await expect(dialog.getByTestId('test-message')).toContainText('the key was rejected by 127.0.0.1');
  await expect(dialog.getByTestId('test-message')).toContainText('(401): check the key');
  await expect(dialog.getByTestId('test-error-class')).toHaveText('authentication_error');
  await expect(dialog.getByTestId('test-upstream-status')).toHaveText('401');
  await expect(page.getByTestId('save-provider-button')).toBeDisabled();
  await expectNoSeriousA11yViolations(page);
  await scrollToTop('sb-connection-test');
  await saveScreenshot(page, 'admin-provider-test-failed');

  const key = openai.keys.openai ?? 'sk-fake-openai';
  await page.getByTestId('api-key-input').fill(key);
  await expect(indicator).toHaveAttribute('data-state', 'stale');
  await page.getByTestId('probe-model-input').fill('gpt-4o-mini');
  await page.getByTestId('test-connection-button').click();
  await expect(indicator).toHaveAttribute('data-state', 'passed');
  await expect(indicator).toContainText('OK: gpt-4o-mini answered');
  await expect(dialog.getByTestId('test-stage-probe')).toHaveAttribute('data-status', 'ok');
  await expect(page.getByTestId('save-provider-button')).toBeEnabled();
  await expectNoSeriousA11yViolations(page);
  await scrollToTop('sb-connection-test');
  await saveScreenshot(page, 'admin-provider-test-passed');

  await page.getByTestId('save-provider-button').click();
  await expect(dialog).toBeHidden();
  await expect(tableRow(page, 'provider-list-table', names.provider)).toContainText(`****${key.slice(-4)}`);
});

test('providers: "Test" on a saved provider shows its stages and refreshes the last-test column', async () => {
  const id = await idOfRow(page, 'provider-list-table', names.provider, 'provider-row-');
  await expect(page.getByTestId(`provider-last-test-${id}`)).toContainText('Never tested');
  await page.getByTestId(`provider-menu-${id}`).click();
  await page.getByTestId(`test-provider-button-${id}`).click();
  const modal = page.getByTestId('test-result-modal');
  await expect(modal.getByTestId('test-verdict')).toHaveText('Connection OK');
  await expect(modal.getByTestId('test-stage-auth')).toHaveAttribute('data-status', 'ok');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-provider-row-test');
  await modal.getByRole('button', { name: 'Close' }).click();
  await expect(modal).toBeHidden();
  await expect(page.getByTestId(`provider-last-test-${id}`)).toContainText('OK');
});

test('discover: pick models from what the upstream serves, rename them, import them', async () => {
  const id = await idOfRow(page, 'provider-list-table', names.provider, 'provider-row-');
  await page.getByTestId(`provider-menu-${id}`).click();
  await page.getByTestId(`discover-provider-button-${id}`).click();
  const modal = page.getByTestId('discover-models-modal');
  await expect(modal.getByTestId('discover-row-gpt-4o-mini')).toContainText('128K context');
  await expect(modal.getByTestId('discover-row-text-embedding-3-small')).toContainText('1536 dims');
  await expect(page.getByTestId('import-models-button')).toBeDisabled();

  await modal.getByTestId('discover-select-gpt-4o-mini').click();
  await modal.getByTestId('discover-select-text-embedding-3-small').click();
  await modal.getByTestId('discover-name-gpt-4o-mini').fill(names.chat);
  await modal.getByTestId('discover-name-text-embedding-3-small').fill(names.embedding);
  await expect(modal.getByTestId('discover-type-text-embedding-3-small')).toContainText('Embedding');
  await expect(page.getByTestId('import-models-button')).toHaveText('Import 2 models');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-discover-models');

  await page.getByTestId('import-models-button').click();
  await expect(modal).toBeHidden();
  const toast = page.locator('mat-snack-bar-container');
  await expect(toast).toContainText(`Imported 2 models from ${names.provider}`);
  await toast.getByRole('button', { name: 'View models' }).click();
  await expect(page).toHaveURL(/\/models/);
  await page.getByTestId('model-search-input').fill(run);
  await expect(tableRow(page, 'model-list-table', names.chat)).toContainText('gpt-4o-mini');
  await expect(tableRow(page, 'model-list-table', names.embedding)).toContainText('1536 dims');

  // Discovering again marks them as registered.
  await page.getByTestId('nav-providers').click();
  await page.getByTestId(`provider-menu-${id}`).click();
  await page.getByTestId(`discover-provider-button-${id}`).click();
  await expect(modal.getByTestId('discover-registered-gpt-4o-mini')).toContainText(`Registered as ${names.chat}`);
  await expect(modal.getByTestId('discover-select-gpt-4o-mini').locator('input')).toBeDisabled();
  await modal.getByRole('button', { name: 'Cancel' }).click();
});

test('models: add a slow model, price and test the chat model, make it the default', async () => {
  await page.getByTestId('nav-models').click();
  await openDialog(page.getByTestId('add-model-button'));
  await choose(page.getByTestId('model-provider-select'), names.provider);
  await choose(page.getByTestId('model-type-select'), 'Generation');
  await page.getByTestId('model-name-input').fill(names.slow);
  // A magic name of the fake: gpt-4o-mini streaming one word every 200 ms.
  await page.getByTestId('model-id-input').fill('gpt-4o-mini-chunk-delay-200');
  await page.getByTestId('save-model-button').click();
  await expect(page.getByTestId('add-model-modal')).toBeHidden();
  await dismissToast(page);

  await page.getByTestId('model-search-input').fill(run);
  const chat = await idOfRow(page, 'model-list-table', names.chat, 'model-row-');
  await openDialog(page.getByTestId(`edit-model-button-${chat}`));
  await page.getByTestId('price-input-input').fill('0.15');
  await page.getByTestId('price-output-input').fill('0.60');
  await page.getByTestId('save-model-button').click();
  await expect(page.getByTestId('add-model-modal')).toBeHidden();
  await dismissToast(page);

  await expect(page.getByTestId(`model-last-test-${chat}`)).toContainText('Never');
  await page.getByTestId(`model-status-menu-${chat}`).click();
  await page.getByTestId(`test-model-button-${chat}`).click();
  const modal = page.getByTestId('test-result-modal');
  await expect(modal.getByTestId('test-verdict')).toHaveText('OK: gpt-4o-mini answered');
  await expect(modal.getByTestId('test-stage-probe')).toHaveAttribute('data-status', 'ok');
  await modal.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId(`model-last-test-${chat}`)).toContainText('OK');

  await page.getByTestId(`set-default-button-${chat}`).click();
  await expect(page.getByTestId(`default-marker-${chat}`)).toContainText('Default generation');
  await dismissToast(page);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-models-tested');
});

test('playground: the default model is picked; the reply streams in with its tokens, cost and timings', async () => {
  await page.getByTestId('nav-playground').click();
  await expect(page.getByTestId('chat-target-select')).toContainText(`${names.chat} (default)`);
  await expect(page.getByTestId('chat-empty')).toBeVisible();

  // Shift+Enter is a new line, Enter sends.
  const input = page.getByTestId('chat-input');
  await input.fill('Hello from the end-to-end test,');
  await input.press('Shift+Enter');
  await input.pressSequentially('over two lines');
  await expect(input).toHaveValue('Hello from the end-to-end test,\nover two lines');
  await expect(page.getByTestId('user-message')).toHaveCount(0);
  await input.press('Enter');

  await expect(page.getByTestId('user-message')).toHaveText(/Hello from the end-to-end test,\s+over two lines/);
  const reply = lastReply();
  await expect(reply).toHaveAttribute('data-status', 'complete');
  await expect(reply.getByTestId('message-content')).toHaveText('This is a fake reply to: Hello from the end-to-end test, over two lines');
  await expect(reply.getByTestId('message-tokens')).toContainText(/\d+ in · \d+ out tokens/);
  await expect(reply.getByTestId('message-cost')).toHaveText(/^\$0\.0000\d+$/);
  await expect(reply.getByTestId('message-latency')).toBeVisible();
  await expect(reply.getByTestId('message-ttft')).toContainText('first token');
  await expect(reply.getByTestId('message-meta')).toContainText(names.chat);
  await expect(input).toHaveValue('');
  await expect(page.getByTestId('chat-title')).toHaveText('Hello from the end-to-end test,');
  await expect(page.getByTestId('conversation-list').locator('li').first()).toContainText('Hello from the end-to-end test,');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-playground-chat');
});

test('playground: deltas arrive before the final message; Stop keeps the partial reply as cancelled', async () => {
  await page.getByTestId('new-conversation-button').click();
  await choose(page.getByTestId('chat-target-select'), names.slow);
  const input = page.getByTestId('chat-input');
  await input.fill('Count to five slowly please');
  await input.press('Enter');
  const reply = lastReply();
  // Streamed: part of the reply is on screen while it is still being written.
  await expect(reply).toHaveAttribute('data-status', 'streaming');
  await expect(reply.getByTestId('message-content')).toContainText('This is a fake');
  await expect(reply).toHaveAttribute('data-status', 'streaming');
  await expect(page.getByTestId('stop-stream-button')).toBeVisible();
  await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 15_000 });
  await expect(reply.getByTestId('message-content')).toHaveText('This is a fake reply to: Count to five slowly please');

  const long = Array.from({ length: 40 }, (_, i) => `word${i + 1}`).join(' ');
  await input.fill(`Please repeat ${long}`);
  await page.getByTestId('send-message-button').click();
  // Part of this reply, not the previous one (which the last reply is until this one is on screen).
  await expect(lastReply().getByTestId('message-content')).toContainText('This is a fake reply to: Please');
  await page.getByTestId('stop-stream-button').click();
  const stopped = lastReply();
  await expect(stopped).toHaveAttribute('data-status', 'cancelled');
  await expect(stopped.getByTestId('message-error')).toContainText('cancelled');
  const partial = (await stopped.getByTestId('message-content').textContent())!;
  expect(partial.length).toBeGreaterThan(0);
  expect(partial).not.toContain('word40');
  await expect(page.getByTestId('send-message-button')).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-playground-stopped');

  // The server kept the partial reply as cancelled.
  await page.reload();
  await page.getByTestId('conversation-list').getByText('Count to five slowly please').click();
  await expect(lastReply()).toHaveAttribute('data-status', 'cancelled');
  await expect(lastReply().getByTestId('message-content')).toContainText('This is a fake reply');
  await expect(lastReply().getByTestId('message-content')).not.toContainText('word40');
});

test('playground: a reply grounded on a knowledge base lists its sources as links', async ({ baseURL }) => {
  const api = await adminApi(baseURL!);
  const { items } = await api<{ items: { id: string; display_name: string }[] }>('GET', `/api/v1/models?search=${run}&page_size=100`);
  const id = (name: string) => items.find((m) => m.display_name === name)!.id;
  const kb = await api<{ id: string }>('POST', '/api/v1/knowledge-bases', {
    name: `Handbook ${run}`,
    embedding_model_id: id(names.embedding),
    generation_model_id: id(names.chat),
  });
  const form = new FormData();
  const handbook =
    '# Staff handbook\n\n## Vacation\n\nEveryone gets 30 vacation days a year.\n\n## Travel\n\nBook trains for trips under 600 km.\n';
  form.append('file', new Blob([handbook], { type: 'text/markdown' }), 'handbook.md');
  const upload = await api<{ document: { id: string } }>('POST', `/api/v1/knowledge-bases/${kb.id}/documents`, form);
  await expect
    .poll(async () => (await api<{ status: string }>('GET', `/api/v1/knowledge-bases/${kb.id}/documents/${upload.document.id}`)).status, {
      timeout: 30_000,
    })
    .toBe('indexed');

  await page.reload();
  await page.getByTestId('new-conversation-button').click();
  await choose(page.getByTestId('chat-target-select'), `Handbook ${run}`);
  await page.getByTestId('chat-input').fill('How many vacation days do I get?');
  await page.getByTestId('chat-input').press('Enter');
  const reply = lastReply();
  await expect(reply).toHaveAttribute('data-status', 'complete');
  const sources = reply.getByTestId('message-sources');
  await expect(sources.getByRole('link').first()).toContainText('Staff handbook');
  await expect(sources.getByRole('link').first()).toHaveAttribute(
    'href',
    new RegExp(`/knowledge-bases\\?kb=${kb.id}&document=${upload.document.id}`),
  );
  await expect(page.getByTestId('chat-subtitle')).toContainText(`Handbook ${run}`);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-playground-sources');
});

test('playground: rename and delete conversations from the list', async () => {
  const item = page.getByTestId('conversation-list').locator('li', { hasText: 'Count to five slowly please' });
  const id = (await item.getAttribute('data-testid'))!.replace('conversation-item-', '');
  await page.getByTestId(`open-conversation-${id}`).click();
  await expect(page.getByTestId('chat-title')).toHaveText('Count to five slowly please');
  await page.getByTestId(`conversation-menu-${id}`).click();
  await page.getByTestId(`rename-conversation-${id}`).click();
  const title = page.getByTestId('conversation-title-input');
  await expect(title).toBeFocused();
  await title.fill(`Slow counting ${run}`);
  await title.press('Enter');
  await expect(page.getByTestId(`conversation-item-${id}`)).toContainText(`Slow counting ${run}`);
  await expect(page.getByTestId('chat-title')).toHaveText(`Slow counting ${run}`);

  await page.getByTestId(`conversation-menu-${id}`).click();
  await page.getByTestId(`delete-conversation-${id}`).click();
  await expect(page.getByTestId('delete-conversation-modal')).toContainText(`Slow counting ${run}`);
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId(`conversation-item-${id}`)).toHaveCount(0);
  await expect(page.getByTestId('chat-empty')).toBeVisible();
});

test('settings: a title model names a new conversation shortly after its first reply', async ({ baseURL }) => {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('edit-setting-conversations.title_model').click();
  await choose(page.getByTestId('setting-input-conversations.title_model'), names.chat);
  await page.getByTestId('save-setting-conversations.title_model').click();
  await expect(page.getByTestId('setting-value-conversations.title_model')).toHaveText(names.chat);

  await page.getByTestId('nav-playground').click();
  await page.getByTestId('new-conversation-button').click();
  await page.getByTestId('chat-input').fill('Suggest a name for a small sailing boat');
  await page.getByTestId('chat-input').press('Enter');
  await expect(lastReply()).toHaveAttribute('data-status', 'complete');
  // First the message cut short; then what the title model (the fake) answered, in the header and the list.
  const generated = 'This is a fake reply to: Suggest a name for a small sailing boat';
  await expect(page.getByTestId('chat-title')).toHaveText(generated, { timeout: 10_000 });
  await expect(page.getByTestId('conversation-list').locator('li').first()).toContainText(generated);

  // Off again for the rest of the run.
  const api = await adminApi(baseURL!);
  await api('PUT', '/api/v1/settings/conversations.title_model', { value: null });
});

test('usage: the playground traffic per model, with charts and totals', async () => {
  await page.getByTestId('nav-usage').click();
  await expect(page.getByTestId('usage-totals-table')).toContainText(names.chat);
  await expect(tableRow(page, 'usage-totals-table', names.slow)).toContainText('2');
  await expect(page.getByTestId('usage-charts').locator('canvas')).toHaveCount(5);
  expect(Number((await page.getByTestId('usage-total-requests').textContent())!.replace(/\D/g, ''))).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('usage-total-cost')).toHaveText(/^\$0\.\d+/);
  await choose(page.getByTestId('usage-range-select'), 'Last 7 days');
  const weekAgo = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
  await expect(page.getByRole('heading', { name: /^Totals by model/ })).toContainText(`${weekAgo} to`);
  await expect(page.getByTestId('usage-totals-table')).toContainText(names.chat);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-usage-data');
  await page.getByTestId('usage-totals-table').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'admin-usage-totals');

  await choose(page.getByTestId('usage-group-select'), 'Provider');
  await expect(page.getByTestId('usage-totals-table')).toContainText(names.provider);
  await expect(page.getByTestId('usage-totals-table').locator('th').first()).toHaveText('Provider');
});

test('an auditor reads usage without write buttons; a member chats in the playground', async ({ browser, baseURL }) => {
  const auditorContext = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 } });
  const auditor = await auditorContext.newPage();
  await signIn(auditor, 'auditor');
  await auditor.getByTestId('nav-usage').click();
  await expect(auditor.getByTestId('usage-totals-table')).toContainText(names.chat);
  await expect(auditor.getByTestId('read-only-badge')).toBeVisible();
  await auditor.getByTestId('nav-models').click();
  await expect(auditor.getByTestId('model-list-table')).toContainText(names.chat);
  await expect(auditor.locator('[data-testid^="test-model-button-"]')).toHaveCount(0);
  await auditor.getByTestId('nav-usage').click();
  await expect(auditor.getByTestId('usage-charts')).toBeVisible();
  await expectNoSeriousA11yViolations(auditor);
  await saveScreenshot(auditor, 'auditor-usage-data');
  await auditorContext.close();

  const memberContext = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 } });
  const member = await memberContext.newPage();
  await signIn(member, 'member');
  await member.getByTestId('nav-models').click();
  await expect(member.getByTestId('model-list-table')).toContainText(names.chat);
  await expect(member.locator('[data-testid^="test-model-button-"]')).toHaveCount(0);
  await member.getByTestId('nav-playground').click();
  await expect(member.getByTestId('conversation-list-empty')).toContainText('No conversations yet');
  await expect(member.getByTestId('chat-target-select')).toContainText(`${names.chat} (default)`);
  await member.getByTestId('chat-input').fill('What can a member do here?');
  await member.getByTestId('chat-input').press('Enter');
  await expect(member.getByTestId('assistant-message')).toHaveAttribute('data-status', 'complete');
  await expect(member.getByTestId('assistant-message').getByTestId('message-content')).toHaveText(
    'This is a fake reply to: What can a member do here?',
  );
  await expectNoSeriousA11yViolations(member);
  await saveScreenshot(member, 'member-playground-chat');
  await memberContext.close();
});

interface ExportedEvent {
  action: string;
  actor_type: string;
  entity_type: string | null;
  entity_id: string | null;
}

const ndjson = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ExportedEvent);

async function applyAuditFilters(filters: { action?: string; entityType?: string; entityId?: string; actorType?: string; from?: boolean }) {
  await page.getByTestId('audit-clear-filters').click();
  if (filters.action) {
    await page.getByTestId('audit-action-input').fill(filters.action);
    // A full action matches no other suggestion, so no list stays open over the fields below it.
    await expect(page.getByRole('listbox')).toBeHidden();
  }
  if (filters.entityType) await page.getByTestId('audit-entity-type-input').fill(filters.entityType);
  if (filters.entityId) await page.getByTestId('audit-entity-id-input').fill(filters.entityId);
  if (filters.actorType) await choose(page.getByTestId('audit-actor-type-select'), filters.actorType);
  // The minute this spec started, in the browser's time zone (what the datetime-local field takes).
  if (filters.from) {
    const local = await page.evaluate(
      `(() => { const d = new Date(${startedAt}); return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); })()`,
    );
    await page.getByTestId('audit-from-input').fill(local as string);
  }
  await page.getByTestId('audit-apply-filters').click();
}

test('audit: the provider, model and conversation events of this run are in the log and in its exports', async ({ baseURL }) => {
  const api = await adminApi(baseURL!);
  const providers = await api<{ id: string; name: string }[]>('GET', '/api/v1/providers');
  const providerId = providers.find((p) => p.name === names.provider)!.id;
  const { items: models } = await api<{ items: { id: string; display_name: string }[] }>(
    'GET',
    `/api/v1/models?search=${run}&page_size=100`,
  );
  const modelId = (name: string) => models.find((m) => m.display_name === name)!.id;
  const { items: conversations } = await api<{ items: { id: string; title: string | null }[] }>('GET', '/api/v1/conversations');
  expect(conversations.length).toBeGreaterThanOrEqual(2);

  await page.getByTestId('nav-audit').click();
  const actions = page.getByTestId('audit-event-list').getByTestId('audit-event-action');
  await expect(page.getByTestId('chain-integrity-badge')).toContainText('Chain intact');

  // The provider: created, then tested from its row (newest first).
  await applyAuditFilters({ entityType: 'provider', entityId: providerId });
  await expect(actions).toHaveText(['provider.tested', 'provider.created']);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-audit-provider');
  const csv = await exportAudit(page, 'csv');
  const [header, ...rows] = csv.trim().split('\n');
  expect(header).toMatch(/^seq,id,occurred_at,actor_type,actor_id,actor_email,actor_role,action,outcome,entity_type,entity_id,/);
  expect(rows).toHaveLength(2);
  expect(rows[0]).toContain(`,provider.created,success,provider,${providerId},`);
  expect(rows[1]).toContain(`,provider.tested,success,provider,${providerId},`);

  // The models: the two imported, the one added by hand, and the chat model made the default.
  await applyAuditFilters({ action: 'model.*', from: true });
  await expect(actions.filter({ hasText: 'model.default_changed' })).not.toHaveCount(0);
  await expect(actions.filter({ hasText: 'model.created' })).not.toHaveCount(0);
  const modelEvents = ndjson(await exportAudit(page, 'ndjson'));
  expect(modelEvents.every((event) => event.action.startsWith('model.'))).toBe(true);
  const created = modelEvents.filter((event) => event.action === 'model.created').map((event) => event.entity_id);
  expect(created).toEqual(expect.arrayContaining([modelId(names.chat), modelId(names.embedding), modelId(names.slow)]));
  expect(modelEvents).toContainEqual(
    expect.objectContaining({ action: 'model.default_changed', entity_type: 'model', entity_id: modelId(names.chat) }),
  );
  expect(modelEvents).toContainEqual(expect.objectContaining({ action: 'model.tested', entity_id: modelId(names.chat) }));

  // The chats: every message sent by a signed-in user since the run started.
  await applyAuditFilters({ action: 'conversation.message_sent', actorType: 'User', from: true });
  await expect(actions.first()).toHaveText('conversation.message_sent');
  await saveScreenshot(page, 'admin-audit-conversations');
  const chatEvents = ndjson(await exportAudit(page, 'ndjson'));
  expect(chatEvents.every((event) => event.action === 'conversation.message_sent' && event.actor_type === 'user')).toBe(true);
  const chatted = new Set(chatEvents.map((event) => event.entity_id));
  for (const conversation of conversations) expect(chatted, conversation.title ?? conversation.id).toContain(conversation.id);
});
