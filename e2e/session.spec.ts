import { ACCOUNTS } from './support/accounts.js';
import { expect, expectNoSeriousA11yViolations, saveScreenshot, signIn, test } from './support/fixtures.js';

const REFRESH_TOKEN_KEY = 'switchboard.refresh_token';

test.describe('the session', () => {
  test('a reload keeps you signed in (refresh token in this tab’s sessionStorage)', async ({ page }) => {
    await signIn(page, 'admin');
    await page.getByTestId('nav-settings').click();
    // The settings area loads lazily: reload only once the router has moved there.
    await expect(page).toHaveURL(/\/settings$/);
    const before = await page.evaluate((key) => sessionStorage.getItem(key), REFRESH_TOKEN_KEY);
    expect(before).toBeTruthy();
    expect(await page.evaluate((key) => localStorage.getItem(key), REFRESH_TOKEN_KEY)).toBeNull();

    await page.reload();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByTestId('user-menu')).toBeVisible();
    // Resuming rotated the refresh token.
    const after = await page.evaluate((key) => sessionStorage.getItem(key), REFRESH_TOKEN_KEY);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
  });

  test('the access token is renewed before it expires', async ({ page }) => {
    await page.clock.install();
    await signIn(page, 'member');
    const before = await page.evaluate((key) => sessionStorage.getItem(key), REFRESH_TOKEN_KEY);

    const renewal = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/refresh'));
    // Access tokens live 15 minutes; the console renews a minute early.
    await page.clock.fastForward('14:05');
    expect((await renewal).status()).toBe(200);
    await expect.poll(() => page.evaluate((key) => sessionStorage.getItem(key), REFRESH_TOKEN_KEY)).not.toBe(before);
    await expect(page.getByTestId('user-menu')).toBeVisible();
  });

  test('a session the server no longer accepts sends you back to sign in', async ({ page, request }) => {
    await page.clock.install();
    await signIn(page, 'admin');
    await page.getByTestId('nav-audit').click();
    // Someone else used this tab's refresh token: the server revokes the session when the tab tries it.
    const stolen = await page.evaluate((key) => sessionStorage.getItem(key), REFRESH_TOKEN_KEY);
    expect((await request.post('/api/v1/auth/refresh', { data: { refresh_token: stolen } })).status()).toBe(200);

    await page.clock.fastForward('14:05');
    await expect(page).toHaveURL(/\/sign-in\?reason=expired&returnUrl=%2Faudit$/);
    await expect(page.getByTestId('session-expired')).toContainText('Your session has ended');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, 'session-expired');

    await page.getByTestId('login-email').fill(ACCOUNTS.admin.email);
    await page.getByTestId('login-password').fill(ACCOUNTS.admin.password);
    await page.getByTestId('login-submit').click();
    await expect(page).toHaveURL(/\/audit$/);
  });
});
