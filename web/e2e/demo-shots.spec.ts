import { expect, test } from '@playwright/test';
import { DESKTOP, PHONE, expectAccessible, shot } from './support';

/**
 * Screenshots of the worklists with the demo data (`duespark demo`): run against a server on that database with
 * E2E_DEMO_EMAIL / E2E_DEMO_PASSWORD set; skipped otherwise.
 */
const email = process.env.E2E_DEMO_EMAIL;
const password = process.env.E2E_DEMO_PASSWORD ?? 'duespark-demo-password';

test('demo data: clients and invoices worklists', async ({ page }) => {
  test.skip(!email, 'E2E_DEMO_EMAIL not set');
  test.setTimeout(240_000);
  const login = await page.request.post('/api/auth/login', { data: { email, password } });
  expect(login.status()).toBe(200);
  for (const [name, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.goto('/clients?sort=-outstanding');
    await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible({ timeout: 30_000 });
    await expectAccessible(page, `demo clients ${name}`);
    await shot(page, `demo-clients-${name}`);
    await page.goto('/invoices?tab=unpaid');
    await expect(page.getByRole('heading', { level: 1, name: 'Invoices' })).toBeVisible({ timeout: 30_000 });
    await expectAccessible(page, `demo invoices ${name}`);
    await shot(page, `demo-invoices-${name}`);
  }
});
