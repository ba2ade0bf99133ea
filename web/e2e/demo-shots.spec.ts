import { expect, test } from '@playwright/test';
import { DESKTOP, PHONE, expectAccessible, shot } from './support';

/**
 * The worklists, a client's page and the template editor with the demo data (`duespark demo`, which
 * scripts/e2e.sh runs; E2E_DEMO_EMAIL / E2E_DEMO_PASSWORD point at another demo account), with axe and
 * screenshots at desktop and phone width.
 */
const email = process.env.E2E_DEMO_EMAIL ?? 'demo@example.com';
const password = process.env.E2E_DEMO_PASSWORD ?? 'duespark-demo-password';

test('demo data: clients and invoices worklists, a client page, the template editor', async ({ page }) => {
  test.setTimeout(300_000);
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

    // The client who owes most: their page's invoices tab fits the screen (cards on a phone).
    await page.goto('/clients?sort=-outstanding');
    const first = viewport === PHONE ? page.getByTestId('client-card').first().getByRole('link').first() : page.getByRole('table', { name: 'Clients' }).getByRole('row').nth(1).getByRole('link').first();
    await first.click();
    await expect(page).toHaveURL(/\/clients\/\d+/);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(/INV-/).filter({ visible: true }).first()).toBeVisible({ timeout: 30_000 });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name}: the client page scrolls sideways`).toBeLessThanOrEqual(viewport.width);
    await expectAccessible(page, `demo client page ${name}`);
    await shot(page, `demo-client-${name}`);

    await page.goto('/templates?key=friendly&locale=en');
    await expect(page.getByTestId('simple-editor')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('preview-subject')).toBeVisible({ timeout: 30_000 });
    await expectAccessible(page, `demo templates ${name}`);
    await shot(page, `demo-templates-${name}`);
  }
});
