import { ACCOUNTS } from './support/accounts.js';
import { expect, expectNoSeriousA11yViolations, saveScreenshot, signIn, test } from './support/fixtures.js';

test.describe('signing in and out', () => {
  test('an admin signs in, sees the console layout and signs out', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page).toHaveTitle('Sign in · Switchboard');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, 'sign-in');

    await signIn(page, 'admin');
    await expect(page).toHaveURL(/\/providers$/);
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Providers' })).toBeVisible();

    await page.getByTestId('user-menu').click();
    await expect(page.getByTestId('user-name')).toHaveText('Administrator');
    await expect(page.getByTestId('user-role')).toHaveText('Administrator');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, 'account-menu');
    await page.getByTestId('sign-out').click();

    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByTestId('login-email')).toBeVisible();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    // Signed out means the console is closed again.
    await page.goto('/models');
    await expect(page).toHaveURL(/\/sign-in\?returnUrl=%2Fmodels$/);
  });

  test('a wrong password shows the server’s message and keeps you on the sign-in page', async ({ page }) => {
    // Hold the answer back a moment so the progress indicator can be seen.
    let releaseLogin: () => void = () => undefined;
    const loginHeld = new Promise<void>((release) => (releaseLogin = release));
    await page.route('**/api/v1/auth/login', async (route) => {
      await loginHeld;
      await route.continue();
    });
    await page.goto('/sign-in');
    await page.getByTestId('login-email').fill(ACCOUNTS.admin.email);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();

    await expect(page.getByTestId('login-progress')).toBeVisible();
    await expect(page.getByTestId('login-submit')).toBeDisabled();
    await saveScreenshot(page, 'sign-in-progress');
    releaseLogin();

    await expect(page.getByTestId('login-error')).toHaveText('The email or password is incorrect');
    await expect(page.getByTestId('login-progress')).toBeHidden();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, 'sign-in-error');
  });

  test('the form explains what is missing before asking the server', async ({ page }) => {
    let loginCalls = 0;
    page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/auth/login')) loginCalls++;
    });
    await page.goto('/sign-in');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('login-email-error')).toHaveText('Enter your email address');
    await expect(page.getByTestId('login-password-error')).toHaveText('Enter your password');

    await page.getByTestId('login-email').fill('not-an-email');
    await expect(page.getByTestId('login-email-error')).toContainText('Enter a valid email address');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshot(page, 'sign-in-validation');
    expect(loginCalls).toBe(0);
  });

  test('a deep link survives the detour through sign-in', async ({ page }) => {
    await page.goto('/audit');
    await expect(page).toHaveURL(/\/sign-in\?returnUrl=%2Faudit$/);
    await page.getByTestId('login-email').fill(ACCOUNTS.auditor.email);
    await page.getByTestId('login-password').fill(ACCOUNTS.auditor.password);
    await page.getByTestId('login-submit').click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  });
});
