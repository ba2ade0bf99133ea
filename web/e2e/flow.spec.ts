import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The core loop against a real backend (E2E_BASE_URL):
 * sign up -> create client -> create invoice due in 3 days -> open it -> record a payment -> paid.
 */
const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'screenshots');
mkdirSync(screenshotDir, { recursive: true });

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

function isoDate(daysFromToday: number): string {
  const d = new Date();
  d.setDate(d.getDate() + daysFromToday);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Mantine DateInput: type the date in its display format ("MMM D, YYYY") and leave the field (Enter would submit). */
async function fillDate(page: Page, label: string, iso: string) {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const text = new Date(y, m - 1, d).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
  const input = page.getByRole('textbox', { name: label });
  await input.fill(text);
  await input.blur();
  await expect(input).toHaveValue(text);
}

test('sign up, bill a client and get paid', async ({ page }) => {
  const stamp = Date.now();
  const email = `e2e-${stamp}@example.com`;
  const clientName = `Acme ${stamp}`;
  const invoiceNumber = `E2E-${stamp}`;

  // Sign up
  await page.goto('/signup');
  await page.getByLabel('Your name').fill('Erin Example');
  await page.getByLabel('Work email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill('correct-horse-battery');
  await page.getByLabel('Business name').fill('Example Studio');
  await shot(page, '01-signup');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/Good (morning|afternoon|evening)/);
  await shot(page, '02-dashboard');

  // Create a client
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'New client' }).first().click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(clientName);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`billing+${stamp}@acme.example`);
  await page.getByRole('textbox', { name: 'Company', exact: true }).fill('Acme Corp');
  await shot(page, '03-client-form');
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page.getByRole('heading', { name: clientName, level: 1 })).toBeVisible();
  await shot(page, '04-client-page');

  // Create an invoice for that client, due in 3 days
  await page.getByRole('link', { name: 'New invoice' }).first().click();
  await expect(page.getByRole('heading', { name: 'New invoice', level: 1 })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Client' })).toHaveValue(new RegExp(clientName));
  await page.getByLabel('Invoice number').fill(invoiceNumber);
  await page.getByRole('textbox', { name: 'Amount' }).fill('1250.00');
  await fillDate(page, 'Issue date', isoDate(0));
  await fillDate(page, 'Due date', isoDate(3));
  await page.getByLabel('Description').fill('Website redesign');
  await shot(page, '05-invoice-form');
  await page.getByRole('button', { name: 'Create invoice' }).click();

  // The invoice page
  await expect(page.getByRole('heading', { name: `Invoice ${invoiceNumber}`, level: 1 })).toBeVisible();
  await expect(page.getByText('Due in 3 days').first()).toBeVisible();
  await expect(page.locator('[data-status]').first()).toHaveAttribute('data-status', 'open');
  await shot(page, '06-invoice-open');

  // Record the full payment
  await page.getByRole('button', { name: 'Record payment' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Record a payment' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel(/Amount/)).toHaveValue('1250.00');
  await dialog.getByLabel('Reference').fill('Bank transfer 42');
  await shot(page, '07-record-payment');
  await dialog.getByRole('button', { name: 'Record payment' }).click();
  await expect(dialog).toBeHidden();

  // Paid
  await expect(page.locator('[data-status]').first()).toHaveAttribute('data-status', 'paid');
  await expect(page.getByText('Paid', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Record payment' })).toHaveCount(0);
  await shot(page, '08-invoice-paid');
});
