import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page, test as base } from '@playwright/test';
import { join } from 'node:path';
import { ACCOUNTS, type AccountRole, BASE_URL_VARIABLE } from './accounts.js';

export { expect };

/** Tests get the server global-setup started as their baseURL. */
export const test = base.extend({
  // Playwright reads a fixture's dependencies from this destructuring: this one has none.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    const baseUrl = process.env[BASE_URL_VARIABLE];
    if (!baseUrl) throw new Error(`${BASE_URL_VARIABLE} is not set: run through e2e/playwright.config.ts`);
    await use(baseUrl);
  },
});

/**
 * Opens a dialog and waits until Material has moved focus into it, which it does when the open
 * animation ends: text typed before that can land in whichever field the focus then jumps to.
 */
export async function openDialog(trigger: Locator): Promise<void> {
  await trigger.click();
  await trigger.page().waitForFunction("Boolean(document.activeElement?.closest('mat-dialog-container'))");
}

export async function signIn(page: Page, role: AccountRole): Promise<void> {
  const account = ACCOUNTS[role];
  await page.goto('/sign-in');
  await page.getByTestId('login-email').fill(account.email);
  await page.getByTestId('login-password').fill(account.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
}

/** Fails on any serious or critical WCAG 2.x A/AA violation on the page as it is now. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  await animationsSettled(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(serious, 'serious or critical accessibility violations').toEqual([]);
}

/**
 * Waits for running finite CSS animations and transitions (a field error fading in, a toast
 * entering): axe reads a half-transparent element as low contrast. Endless ones (progress bars)
 * are ignored. (A string: this file is type-checked without the DOM library.)
 */
async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(`Promise.race([
    Promise.all(document.getAnimations()
      .filter((animation) => animation.effect && animation.effect.getComputedTiming().endTime !== Infinity)
      .map((animation) => animation.finished.catch(() => undefined))),
    new Promise((done) => setTimeout(done, 2000)),
  ]).then(() => true)`);
}

export async function saveScreenshot(page: Page, name: string): Promise<void> {
  // Let web fonts and Material's entry animations settle so screenshots are stable.
  // (A string: this file is type-checked without the DOM library.)
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.screenshot({ path: join(import.meta.dirname, '..', 'screenshots', `${name}.png`), fullPage: true });
}
