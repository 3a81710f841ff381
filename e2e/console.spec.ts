import type { AccountRole } from './support/accounts.js';
import { AREAS_BY_ROLE } from './support/areas.js';
import { expect, expectNoSeriousA11yViolations, saveScreenshot, signIn, test } from './support/fixtures.js';

for (const role of ['admin', 'auditor', 'member'] as AccountRole[]) {
  test.describe(`the console as ${role}`, () => {
    const areas = AREAS_BY_ROLE[role];

    test('the side nav lists exactly the areas of the role', async ({ page }) => {
      await signIn(page, role);
      await expect(page).toHaveURL(new RegExp(`${areas[0].path}$`));
      const navItems = page.getByRole('navigation', { name: 'Console' }).locator('[data-testid^="nav-"]');
      await expect(navItems).toHaveCount(areas.length);
      for (const [index, area] of areas.entries()) {
        await expect(navItems.nth(index)).toHaveAttribute('data-testid', `nav-${area.id}`);
      }
    });

    test('every page opens from the nav, with a title, its content and no serious accessibility issue', async ({ page }) => {
      await signIn(page, role);
      for (const area of areas) {
        await page.getByTestId(`nav-${area.id}`).click();
        await expect(page).toHaveURL(new RegExp(`${area.path}$`));
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(area.heading);
        await expect(page).toHaveTitle(`${area.heading} · Switchboard`);
        await expect(page.getByTestId(`nav-${area.id}`)).toHaveAttribute('aria-current', 'page');
        await expect(page.getByTestId(area.content)).toBeVisible();
        await expect(page.getByTestId('loading-bar')).toHaveCount(0);
        await expect(page.getByTestId('read-only-badge')).toHaveCount(role === 'auditor' ? 1 : 0);
        await expectNoSeriousA11yViolations(page);
        await saveScreenshot(page, `${role}-${area.id}`);
      }
    });
  });
}

test('an area outside the role is not opened: the member lands on their first page', async ({ page }) => {
  await signIn(page, 'member');
  for (const forbidden of ['/providers', '/usage', '/audit', '/settings']) {
    await page.goto(forbidden);
    await expect(page).toHaveURL(/\/models$/);
  }
});

test('on a narrow screen the nav slides over the content', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'admin');
  const nav = page.getByRole('navigation', { name: 'Console' });
  await expect(nav).toBeHidden();
  await page.getByRole('button', { name: 'Show or hide navigation' }).click();
  await expect(nav).toBeVisible();
  await saveScreenshot(page, 'mobile-nav');
  await page.getByTestId('nav-models').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
  await expect(nav).toBeHidden();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, 'mobile-models');
});

test('on a narrow screen a page’s actions go below its title rather than squeezing it', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'admin');
  await page.goto('/audit');
  const heading = page.getByRole('heading', { level: 1 });
  const exportButton = page.getByTestId('audit-export-button');
  await expect(exportButton).toBeVisible();
  const headingBox = (await heading.boundingBox())!;
  const buttonBox = (await exportButton.boundingBox())!;
  // "Audit log" on one line: a second line would double the box's height.
  expect(headingBox.height).toBeLessThan(48);
  expect(buttonBox.y).toBeGreaterThan(headingBox.y + headingBox.height);
  await saveScreenshot(page, 'mobile-audit');
});
