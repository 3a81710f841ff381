import type { Locator, Page } from '@playwright/test';
import { AREAS_BY_ROLE } from './support/areas.js';
import { expect, signIn, test } from './support/fixtures.js';

/**
 * The console without a mouse: on each admin page the primary action is reached with Tab from the
 * nav, Enter opens it, and Escape closes what it opened and gives focus back to the action.
 */
interface PrimaryAction {
  /** What the page's main button (or field) is for. */
  name: string;
  action: (page: Page) => Locator;
  /** What Enter opens. */
  opened: (page: Page) => Locator;
  /** Whether Escape closes it (an overlay: dialog, menu, list of options, inline editor). */
  escapes: boolean;
  /** Whether focus moves into what opened (a select keeps it and points at the active option instead). */
  focusMovesIn?: boolean;
}

const PRIMARY_ACTIONS: Record<string, PrimaryAction> = {
  providers: {
    name: 'add a provider',
    action: (page) => page.getByTestId('add-provider-button'),
    opened: (page) => page.getByTestId('provider-modal'),
    escapes: true,
  },
  models: {
    name: 'add a model',
    action: (page) => page.getByTestId('add-model-button'),
    opened: (page) => page.getByTestId('add-model-modal'),
    escapes: true,
  },
  'knowledge-bases': {
    name: 'create a knowledge base',
    action: (page) => page.getByTestId('add-kb-button'),
    opened: (page) => page.getByTestId('knowledge-base-modal'),
    escapes: true,
  },
  playground: {
    name: 'start a new conversation',
    action: (page) => page.getByTestId('new-conversation-button'),
    opened: (page) => page.getByTestId('chat-empty'),
    escapes: false,
  },
  usage: {
    name: 'pick the period',
    action: (page) => page.getByTestId('usage-range-select'),
    opened: (page) => page.getByRole('listbox'),
    escapes: true,
    focusMovesIn: false,
  },
  audit: {
    name: 'export the filtered events',
    action: (page) => page.getByTestId('audit-export-button'),
    opened: (page) => page.getByRole('menu'),
    escapes: true,
  },
  access: {
    name: 'add a user',
    action: (page) => page.getByTestId('add-user-button'),
    opened: (page) => page.getByTestId('add-user-modal'),
    escapes: true,
  },
  settings: {
    name: 'edit a setting',
    action: (page) => page.locator('[data-testid^="edit-setting-"]').first(),
    opened: (page) => page.locator('[data-testid^="setting-editor-"]'),
    escapes: true,
  },
};

/** Presses Tab until `target` (an element with a data-testid) has the focus, within `max` presses. */
async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  const testId = await target.getAttribute('data-testid');
  // (A string: specs are type-checked without the DOM library.)
  const focused = () => page.evaluate(`document.activeElement?.getAttribute('data-testid') ?? null`);
  for (let presses = 0; presses < max; presses++) {
    await page.keyboard.press('Tab');
    if ((await focused()) === testId) return;
  }
  throw new Error(`${testId} was not reached with ${max} presses of Tab`);
}

test('every admin page: Tab reaches the primary action, Enter opens it, Escape closes it and focus returns', async ({ page }) => {
  await signIn(page, 'admin');
  for (const area of AREAS_BY_ROLE.admin) {
    const primary = PRIMARY_ACTIONS[area.id];
    expect(primary, `a primary action for ${area.id}`).toBeDefined();
    await test.step(`${area.heading}: ${primary.name}`, async () => {
      // Focus the nav link and follow it with the keyboard, then tab on from there.
      await page.getByTestId(`nav-${area.id}`).focus();
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`${area.path}$`));
      await expect(page.getByTestId(area.content)).toBeVisible();
      await expect(page.getByTestId('loading-bar')).toHaveCount(0);

      const action = primary.action(page);
      await expect(action).toBeVisible();
      await tabTo(page, action);
      await page.keyboard.press('Enter');
      const opened = primary.opened(page);
      await expect(opened).toBeVisible();
      if (!primary.escapes) return;

      if (primary.focusMovesIn !== false) await expect(opened.locator(':focus')).toHaveCount(1);
      await page.keyboard.press('Escape');
      await expect(opened).toBeHidden();
      await expect(primary.action(page)).toBeFocused();
    });
  }
});
