import { expect, test } from '@playwright/test';
import { Api, DESKTOP, expectAccessible, uniqueEmail } from './support';

/**
 * Settings › Integrations against the real backend (web/scripts/e2e.sh sets a Xero app id, no QuickBooks one).
 * Xero's sign-in page is stood in for by Playwright; the token exchange cannot reach Xero from here, so the
 * callback shows the error a user would see, and the state, once spent, is refused.
 */
test('integrations: connect Xero with PKCE, a failed exchange is explained, the state is single use', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize(DESKTOP);
  await Api.signUp(page.request, { email: uniqueEmail('books'), name: 'Ada Lovelace', company_name: 'Ada Design' });
  await page.route('https://login.xero.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Xero</h1>' }));

  await page.goto('/settings?tab=integrations');
  await expect(page.getByTestId('integration-xero-status')).toHaveText('Not connected');
  await expect(page.getByTestId('integration-quickbooks')).toContainText('Not available on this server');
  await expectAccessible(page, 'settings-integrations');

  await page.getByRole('button', { name: 'Connect Xero' }).click();
  await page.waitForURL(/login\.xero\.com/);
  const authorize = new URL(page.url());
  expect(authorize.searchParams.get('client_id')).toBe('e2e-xero-app');
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const state = authorize.searchParams.get('state') ?? '';
  expect(state).not.toBe('');

  await page.goto(`/settings/integrations/callback/xero?code=not-a-real-code&state=${encodeURIComponent(state)}`);
  await expect(page.getByRole('alert')).toContainText('Xero did not complete the connection', { timeout: 30_000 });

  await page.goto(`/settings/integrations/callback/xero?code=not-a-real-code&state=${encodeURIComponent(state)}`);
  await expect(page.getByRole('alert')).toContainText('not valid any more');
  await page.getByRole('link', { name: 'Back to the integration settings' }).click();
  await expect(page.getByTestId('integration-xero-status')).toHaveText('Not connected');
});
