import { type BrowserContext, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { choose, dismissToast, idOfRow, tableRow } from './support/console.js';
import { expect, expectNoSeriousA11yViolations, openDialog, saveScreenshot, signIn, test } from './support/fixtures.js';

/**
 * The registry, access and audit pages end to end, as one admin session: add and edit a provider,
 * add models of each type, set a default, bulk changes, a refused delete, a deprecation with a
 * successor, a user and an API key, a setting — then find all of it in the audit log and export it.
 */
test.describe.configure({ mode: 'serial' });

// Names unique to this run, so the flow does not depend on what other tests left behind.
const run = Date.now().toString(36).slice(-5);
const names = {
  provider: `Ollama GPU ${run}`,
  throwaway: `Throwaway ${run}`,
  generation: `qwen-chat-${run}`,
  embedding: `bge-embed-${run}`,
  ner: `gliner-${run}`,
  extra: `phi-mini-${run}`,
  user: `dana.${run}@example.com`,
  key: `billing-${run}`,
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

test('providers: the seeded Local Ollama is listed; add an Ollama provider with a header and a limit', async () => {
  await page.getByTestId('nav-providers').click();
  await expect(tableRow(page, 'provider-list-table', 'Local Ollama')).toContainText('http://localhost:11434');
  await expect(tableRow(page, 'provider-list-table', 'Local Ollama')).toContainText('No key');

  await openDialog(page.getByTestId('add-provider-button'));
  const dialog = page.getByTestId('provider-modal');
  await expect(dialog).toBeVisible();
  await choose(page.getByTestId('provider-kind-select'), 'Ollama');
  // The kind decides the fields: an endpoint is needed, the key is optional, no API version.
  await expect(dialog.getByTestId('provider-api-version-input')).toHaveCount(0);
  await expect(dialog.getByText('API key (optional)')).toBeVisible();
  // Nothing listens there: saving takes the explicit "without testing" (the test flow is in flows.spec).
  await expect(page.getByTestId('save-provider-button')).toBeDisabled();
  await page.getByTestId('save-untested-provider-button').click();
  await expect(dialog).toContainText('Give the provider a name');
  await expect(dialog).toContainText('Ollama providers need an endpoint');

  await page.getByTestId('provider-name-input').fill(names.provider);
  await page.getByTestId('provider-api-base-input').fill('http://127.0.0.1:11434');
  await page.getByTestId('add-header-button').click();
  await page.getByTestId('header-name-input-0').fill('X-Team');
  await page.getByTestId('header-value-input-0').fill('search');
  await page.getByTestId('provider-rpm-input').fill('600');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-provider-dialog');
  await page.getByTestId('save-untested-provider-button').click();

  await expect(dialog).toBeHidden();
  const added = tableRow(page, 'provider-list-table', names.provider);
  await expect(added).toContainText('http://127.0.0.1:11434');
  await expect(added).toContainText('Ollama');
  await expect(added).toContainText('Never tested');
});

test('providers: edit it — a key is stored masked; a new endpoint asks for the key again or to keep it', async () => {
  const id = await idOfRow(page, 'provider-list-table', names.provider, 'provider-row-');
  await openDialog(page.getByTestId(`edit-provider-button-${id}`));
  const dialog = page.getByTestId('provider-modal');
  await expect(page.getByTestId('header-name-input-0')).toHaveValue('X-Team');
  await page.getByTestId('api-key-input').fill('ollama-e2e-secret-7890');
  await page.getByTestId('provider-max-concurrency-input').fill('4');
  await page.getByTestId('save-untested-provider-button').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`provider-key-${id}`)).toHaveText('****7890');

  await openDialog(page.getByTestId(`edit-provider-button-${id}`));
  await expect(dialog).toContainText('Stored key ends in 7890. Leave empty to keep it.');
  await page.getByTestId('provider-api-base-input').fill('http://127.0.0.2:11434');
  await expect(page.getByTestId('keep-api-key-checkbox')).toBeVisible();
  await page.getByTestId('save-untested-provider-button').click();
  // The API refuses (422 key_reentry_required on api_key): the message is on the key field.
  await expect(page.getByTestId('api-key-error')).toContainText('The endpoint changed: enter the key again');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-provider-key-reentry');
  await page.getByTestId('keep-api-key-checkbox').click();
  await page.getByTestId('save-untested-provider-button').click();
  await expect(dialog).toBeHidden();
  await expect(tableRow(page, 'provider-list-table', names.provider)).toContainText('http://127.0.0.2:11434');
  await expect(page.getByTestId(`provider-key-${id}`)).toHaveText('****7890');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-providers-list');
});

async function addModel(type: 'Generation' | 'Embedding' | 'NER', name: string, fill: () => Promise<void>): Promise<void> {
  await openDialog(page.getByTestId('add-model-button'));
  const dialog = page.getByTestId('add-model-modal');
  await expect(dialog).toBeVisible();
  await choose(page.getByTestId('model-provider-select'), names.provider);
  await choose(page.getByTestId('model-type-select'), type);
  await expect(page.getByTestId('model-params-title')).toHaveText(`${type} parameters`);
  await page.getByTestId('model-name-input').fill(name);
  await page.getByTestId('model-id-input').fill(name);
  await fill();
  await page.getByTestId('save-model-button').click();
  await expect(dialog).toBeHidden();
  await expect(tableRow(page, 'model-list-table', name)).toBeVisible();
  await dismissToast(page);
}

test('models: add a model of each type, with the parameters of its type', async () => {
  await page.getByTestId('nav-models').click();
  await expect(tableRow(page, 'model-list-table', 'llama3.2')).toBeVisible();

  await addModel('Generation', names.generation, async () => {
    await page.getByTestId('param-context_window-input').fill('32768');
    await page.getByTestId('param-max_output_tokens-input').fill('65536');
    await page.getByTestId('param-temperature-input').fill('2.5');
    await page.getByTestId('save-model-button').click();
    // Ranges are checked before anything is sent.
    await expect(page.getByTestId('param-max_output_tokens-error')).toHaveText('Exceeds the context window');
    await expect(page.getByTestId('param-temperature-error')).toHaveText('At most 2');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, 'admin-model-dialog-validation');
    await page.getByTestId('param-max_output_tokens-input').fill('8192');
    await page.getByTestId('param-temperature-input').fill('0.7');
    await page.getByTestId('param-top_p-input').fill('0.9');
    await page.getByTestId('price-input-input').fill('0.15');
    await page.getByTestId('price-output-input').fill('0.60');
    await page.getByTestId('capabilities-input').fill('streaming');
    await page.getByTestId('capabilities-input').press('Enter');
  });
  await expect(tableRow(page, 'model-list-table', names.generation)).toContainText('$0.15 in');
  await expect(tableRow(page, 'model-list-table', names.generation)).toContainText('$0.60 out');
  await expect(tableRow(page, 'model-list-table', names.generation)).toContainText('32K ctx');

  await addModel('Embedding', names.embedding, async () => {
    await page.getByTestId('save-model-button').click();
    await expect(page.getByTestId('param-dimensions-error')).toHaveText('Enter the dimensions');
    await page.getByTestId('param-dimensions-input').fill('1024');
    await page.getByTestId('param-batch_size-input').fill('64');
    await choose(page.getByTestId('param-distance_metric-select'), 'cosine');
  });
  await expect(tableRow(page, 'model-list-table', names.embedding)).toContainText('1024 dims');

  await addModel('NER', names.ner, async () => {
    await page.getByTestId('param-context_window-input').fill('4096');
    await page.getByTestId('param-entity_types-input').fill('PERSON');
    await page.getByTestId('param-entity_types-input').press('Enter');
  });
  await addModel('Generation', names.extra, async () => undefined);

  // The tabs filter by type.
  await page.getByTestId('model-type-tab-embedding').click();
  await expect(page).toHaveURL(/type=embedding/);
  await expect(tableRow(page, 'model-list-table', names.embedding)).toBeVisible();
  await expect(tableRow(page, 'model-list-table', names.generation)).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-models-embedding');
  await page.getByTestId('model-type-tab-all').click();
});

test('models: set a default, and see a default refuse deactivation and deletion', async () => {
  await page.getByTestId('model-search-input').fill(run);
  await expect(page.getByTestId('model-list-table').locator('tbody tr')).toHaveCount(4);
  const generation = await idOfRow(page, 'model-list-table', names.generation, 'model-row-');
  await page.getByTestId(`set-default-button-${generation}`).click();
  await expect(page.getByTestId(`default-marker-${generation}`)).toContainText('Default generation');
  await dismissToast(page);

  // A bulk change that includes the default is refused as a whole, with the reason per model.
  const extra = await idOfRow(page, 'model-list-table', names.extra, 'model-row-');
  await page.getByTestId(`model-select-${generation}`).click();
  await page.getByTestId(`model-select-${extra}`).click();
  await page.getByTestId('bulk-deactivate-button').click();
  await expect(page.getByTestId('bulk-error')).toContainText(
    `${names.generation} is the default generation model: set another default first`,
  );
  await expect(page.getByTestId(`model-status-badge-${extra}`)).toContainText('active');
  await saveScreenshot(page, 'admin-models-bulk-refused');

  await page.getByTestId(`delete-model-button-${generation}`).click();
  const modal = page.getByTestId('delete-model-modal');
  await expect(page.getByTestId('default-delete-refused')).toContainText(
    `${names.generation} is the default generation model. Set another default first`,
  );
  await expect(page.getByTestId('confirm-delete-button')).toBeDisabled();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-model-delete-refused');
  await modal.getByRole('button', { name: 'Close' }).click();
  await expect(modal).toBeHidden();
});

test('models: bulk deactivate, then deprecate with a successor and a sunset date', async () => {
  await page.reload();
  await page.getByTestId('model-search-input').fill(run);
  await expect(page.getByTestId('model-list-table').locator('tbody tr')).toHaveCount(4);
  const embedding = await idOfRow(page, 'model-list-table', names.embedding, 'model-row-');
  const ner = await idOfRow(page, 'model-list-table', names.ner, 'model-row-');
  await page.getByTestId(`model-select-${embedding}`).click();
  await page.getByTestId(`model-select-${ner}`).click();
  await expect(page.getByTestId('bulk-count')).toHaveText('2 selected');
  await page.getByTestId('bulk-deactivate-button').click();
  await expect(page.getByTestId(`model-status-badge-${embedding}`)).toContainText('inactive');
  await expect(page.getByTestId(`model-status-badge-${ner}`)).toContainText('inactive');
  await dismissToast(page);

  const extra = await idOfRow(page, 'model-list-table', names.extra, 'model-row-');
  await page.getByTestId(`model-status-menu-${extra}`).click();
  await page.getByTestId(`deprecate-model-button-${extra}`).click();
  const modal = page.getByTestId('deprecate-model-modal');
  await expect(modal).toBeVisible();
  await choose(page.getByTestId('successor-select'), names.generation);
  await page.getByTestId('sunset-date-input').fill('2027-06-30');
  await expect(page.getByTestId('deprecate-consequences')).toContainText(`${names.generation} is recorded as the replacement`);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-model-deprecate');
  await page.getByTestId('confirm-deprecate-button').click();
  await expect(modal).toBeHidden();
  await expect(page.getByTestId(`model-status-badge-${extra}`)).toContainText('deprecated');
  await dismissToast(page);
  await expect(tableRow(page, 'model-list-table', names.extra)).toContainText('Sunset 2027-06-30');
  await page.getByTestId('model-search-input').fill('');
  await expect(tableRow(page, 'model-list-table', 'llama3.2')).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-models-list');
});

test('providers: deleting one with models shows them and deletes them together', async () => {
  await page.getByTestId('nav-providers').click();
  await openDialog(page.getByTestId('add-provider-button'));
  await choose(page.getByTestId('provider-kind-select'), 'OpenAI-compatible server');
  await page.getByTestId('provider-name-input').fill(names.throwaway);
  await page.getByTestId('provider-api-base-input').fill('http://127.0.0.1:8000/v1');
  await page.getByTestId('save-untested-provider-button').click();
  await expect(tableRow(page, 'provider-list-table', names.throwaway)).toBeVisible();

  await page.getByTestId('nav-models').click();
  await openDialog(page.getByTestId('add-model-button'));
  await choose(page.getByTestId('model-provider-select'), names.throwaway);
  await page.getByTestId('model-name-input').fill(`vllm-${run}`);
  await page.getByTestId('model-id-input').fill('mistral-7b');
  await page.getByTestId('model-active-toggle').click();
  await page.getByTestId('save-model-button').click();
  await expect(page.getByTestId('add-model-modal')).toBeHidden();
  await dismissToast(page);

  await page.getByTestId('nav-providers').click();
  const id = await idOfRow(page, 'provider-list-table', names.throwaway, 'provider-row-');
  await page.getByTestId(`delete-provider-button-${id}`).click();
  const modal = page.getByTestId('delete-provider-modal');
  await expect(page.getByTestId('provider-dependent-models')).toContainText(`vllm-${run}`);
  await expect(page.getByTestId('confirm-delete-button')).toBeDisabled();
  await page.getByTestId('cascade-models-checkbox').click();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-provider-delete');
  await page.getByTestId('confirm-delete-button').click();
  await expect(modal).toBeHidden();
  await expect(tableRow(page, 'provider-list-table', names.throwaway)).toHaveCount(0);
});

test('users and API keys: create a user; create a key and see its secret exactly once', async () => {
  await page.getByTestId('nav-access').click();
  await openDialog(page.getByTestId('add-user-button'));
  await page.getByTestId('user-email-input').fill(names.user);
  await page.getByTestId('user-name-input').fill('Dana Reviewer');
  await choose(page.getByTestId('user-role-select'), 'Auditor');
  await page.getByTestId('user-password-input').fill('short');
  await page.getByTestId('save-user-button').click();
  await expect(page.getByTestId('user-password-error')).toHaveText('Use at least 12 characters');
  await page.getByTestId('user-password-input').fill('a-long-enough-password');
  await page.getByTestId('save-user-button').click();
  await expect(page.getByTestId('add-user-modal')).toBeHidden();
  await expect(tableRow(page, 'user-list-table', names.user)).toContainText('Auditor');
  await dismissToast(page);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-access-users');

  await page.getByTestId('access-tab-keys').click();
  await openDialog(page.getByTestId('create-api-key-button'));
  await page.getByTestId('api-key-name-input').fill(names.key);
  await page.getByTestId('api-key-expires-input').fill('2030-12-31');
  await page.getByTestId('create-api-key-submit').click();
  const secret = page.getByTestId('api-key-secret');
  await expect(secret).toHaveText(/^sbk_/);
  const value = (await secret.textContent())!.trim();
  await expect(page.getByTestId('api-key-secret-warning')).toContainText('This is the only time the key is shown');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('copy-api-key-button').click();
  await expect(page.getByTestId('copy-api-key-button')).toContainText('Copied');
  // A first request to copy, against this very server, with the new key.
  const origin = new URL(page.url()).origin;
  await expect(page.getByTestId('gateway-snippet')).toContainText(`curl ${origin}/v1/chat/completions`);
  await expect(page.getByTestId('gateway-snippet')).toContainText(`Authorization: Bearer ${value}`);
  await page.getByTestId('snippet-language').getByText('JavaScript').click();
  await expect(page.getByTestId('gateway-snippet')).toContainText(`baseURL: '${origin}/v1'`);
  await page.getByTestId('copy-snippet-button').click();
  await expect(page.getByTestId('copy-snippet-button')).toContainText('Copied');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-api-key-secret');
  await page.getByTestId('api-key-done-button').click();
  await expect(page.getByTestId('api-key-modal')).toBeHidden();

  await expect(tableRow(page, 'api-key-list-table', names.key)).toContainText(value.slice(0, 12));
  // Once closed, the secret is gone from the page.
  expect(await page.content()).not.toContain(value);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-access-keys');
});

test('settings: a value out of range is explained under the field; a valid one is saved', async () => {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('edit-setting-upstream.max_retries').click();
  await page.getByTestId('setting-input-upstream.max_retries').fill('11');
  await page.getByTestId('save-setting-upstream.max_retries').click();
  await expect(page.getByTestId('setting-field-error-upstream.max_retries')).toContainText('10');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-setting-error');
  await page.getByTestId('setting-input-upstream.max_retries').fill('3');
  await page.getByTestId('save-setting-upstream.max_retries').click();
  await expect(page.getByTestId('setting-value-upstream.max_retries')).toHaveText('3');
  await expect(page.getByTestId('setting-upstream.max_retries')).toContainText('Changed');
});

test('audit log: the changes are there with their diffs, the chain verifies, and the filtered set exports', async () => {
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('chain-integrity-badge')).toContainText('Chain intact');

  await page.getByTestId('audit-action-input').fill('setting.updated');
  await page.getByTestId('audit-apply-filters').click();
  const event = page.getByTestId('audit-event-list').locator('mat-expansion-panel').first();
  await expect(event).toContainText('setting.updated');
  await event.locator('mat-expansion-panel-header').click();
  const diff = event.locator('table.diff');
  await expect(diff).toContainText('value');
  await expect(diff.locator('tbody tr').first()).toContainText('2');
  await expect(diff.locator('tbody tr').first()).toContainText('3');
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-audit-setting-diff');

  // Everything the flow did is in the log.
  await page.getByTestId('audit-action-input').fill('model.*');
  await page.getByTestId('audit-apply-filters').click();
  const list = page.getByTestId('audit-event-list');
  await expect(list).toContainText('model.default_changed');
  await expect(list).toContainText('model.created');
  await expect(list).toContainText('model.updated');
  for (const action of ['provider.created', 'provider.updated', 'provider.deleted', 'user.created', 'api_key.created']) {
    await page.getByTestId('audit-action-input').fill(action);
    await page.getByTestId('audit-apply-filters').click();
    await expect(list.locator('mat-expansion-panel').first()).toContainText(action);
  }
  // The provider's stored key never appears in clear, only masked.
  await page.getByTestId('audit-action-input').fill('provider.updated');
  await page.getByTestId('audit-apply-filters').click();
  await expect(list).not.toContainText('ollama-e2e-secret-7890');

  await page.getByTestId('audit-action-input').fill('model.*');
  await page.getByTestId('audit-apply-filters').click();
  await expect(list).toContainText('model.created');
  for (const format of ['csv', 'ndjson'] as const) {
    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export-button').click();
    await page.getByTestId(`audit-export-${format}`).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(new RegExp(`^audit-events-.*\\.${format}$`));
    const content = await readFile((await file.path())!, 'utf8');
    expect(content).toContain('model.created');
    expect(content).toContain(names.generation);
    expect(content).not.toContain('setting.updated');
    if (format === 'ndjson')
      expect(() =>
        content
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).not.toThrow();
  }
  await page.getByTestId('audit-action-input').fill('');
  await page.getByTestId('audit-apply-filters').click();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'admin-audit-log');
});

test('an auditor sees the registry and settings read-only', async ({ browser, baseURL }) => {
  const auditorContext = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 } });
  const auditor = await auditorContext.newPage();
  await signIn(auditor, 'auditor');
  await expect(auditor.getByTestId('provider-list-table')).toContainText(names.provider);
  await expect(auditor.getByTestId('add-provider-button')).toHaveCount(0);
  await expect(auditor.getByTestId('provider-list-table').getByRole('button')).toHaveCount(0);
  await auditor.getByTestId('nav-models').click();
  await expect(auditor.getByTestId('model-list-table')).toContainText(names.generation);
  await expect(auditor.getByTestId('add-model-button')).toHaveCount(0);
  await expect(auditor.locator('[data-testid^="set-default-button-"]')).toHaveCount(0);
  await expect(auditor.locator('[data-testid^="delete-model-button-"]')).toHaveCount(0);
  await auditor.getByTestId('nav-settings').click();
  await expect(auditor.getByTestId('setting-value-upstream.max_retries')).toHaveText('3');
  await expect(auditor.locator('[data-testid^="edit-setting-"]')).toHaveCount(0);
  await auditorContext.close();
});

test('a member manages their own API keys: create, see the secret once, revoke', async ({ browser, baseURL }) => {
  const memberContext = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 } });
  const member = await memberContext.newPage();
  await signIn(member, 'member');
  await member.getByTestId('nav-access').click();
  await expect(member.getByRole('heading', { level: 1 })).toHaveText('API keys');
  await expect(member.getByTestId('user-list-table')).toHaveCount(0);
  await expect(member.getByTestId('api-key-owner-select')).toHaveCount(0);

  await openDialog(member.getByTestId('create-api-key-button'));
  await member.getByTestId('api-key-name-input').fill(`notebook-${run}`);
  await member.getByTestId('create-api-key-submit').click();
  await expect(member.getByTestId('api-key-secret')).toHaveText(/^sbk_/);
  await member.getByTestId('api-key-done-button').click();
  const key = member.getByTestId('api-key-list-table').locator('tr', { hasText: `notebook-${run}` });
  await expect(key).toContainText('Member');
  await expect(key).toContainText('active');

  await key.getByRole('button', { name: `Revoke notebook-${run}` }).click();
  await expect(member.getByTestId('revoke-api-key-modal')).toContainText('refused from now on');
  await member.getByTestId('confirm-button').click();
  await expect(key).toContainText('revoked');
  await expect(key.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  await member.locator('mat-snack-bar-container').getByRole('button', { name: 'Dismiss' }).click();
  await expectNoSeriousA11yViolations(member);
  await saveScreenshot(member, 'member-api-keys');
  await memberContext.close();
});

test('the models page works from the keyboard', async () => {
  await page.getByTestId('nav-models').click();
  await page.getByTestId('model-type-tab-embedding').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/type=embedding/);
  await page.getByTestId('add-model-button').focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('add-model-modal');
  await expect(dialog).toBeVisible();
  // Focus starts inside the dialog, and Escape closes it.
  await expect(dialog.locator(':focus')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('add-model-button')).toBeFocused();
});
