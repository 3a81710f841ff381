import { type Locator, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { expect } from './fixtures.js';

/** Steps the specs take through the console's Material widgets, tables and downloads. */

/** Picks an option of a Material select (a string names it exactly) and waits for its panel to close. */
export async function choose(select: Locator, option: string | RegExp): Promise<void> {
  const page = select.page();
  await select.click();
  await page.getByRole('option', { name: option, exact: typeof option === 'string' }).click();
  // Until the panel has closed, its backdrop would swallow the next click on a select.
  await expect(page.getByRole('listbox')).toHaveCount(0);
}

/** Closes the confirmation toast (an entering toast is half transparent, which axe reads as low contrast). */
export async function dismissToast(page: Page): Promise<void> {
  const toast = page.locator('mat-snack-bar-container');
  await expect(toast).toBeVisible();
  await toast.getByRole('button', { name: 'Dismiss' }).click();
  await expect(toast).toHaveCount(0);
}

/** The row of a table (by its test id) that shows this text. */
export function tableRow(page: Page, table: string, text: string): Locator {
  return page.getByTestId(table).locator('tr', { hasText: text });
}

/** The id of the entity in that row, read from its `data-testid` (`prefix` + id). */
export async function idOfRow(page: Page, table: string, text: string, prefix: string): Promise<string> {
  const testId = await tableRow(page, table, text).getAttribute('data-testid');
  if (!testId) throw new Error(`no row with ${text}`);
  return testId.slice(prefix.length);
}

/** Exports what the audit log's filters select, through the console's download, and reads the file. */
export async function exportAudit(page: Page, format: 'csv' | 'ndjson'): Promise<string> {
  await page.getByTestId('audit-export-button').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`audit-export-${format}`).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-events-.+\\.${format}$`));
  return readFile(await download.path(), 'utf8');
}
