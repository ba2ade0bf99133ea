import { expect, test } from '@playwright/test';
import { Api, DESKTOP, PHONE, expectAccessible, isoDate, shot, uniqueEmail } from './support';

/**
 * The worklists: clients by what they owe, the invoice list with balances and the "Partially paid" tab,
 * as a table at desktop width and as card rows at phone width, with axe at both widths.
 */

async function seed(api: Api) {
  const sam = await api.post('/api/clients', { name: 'Sam Lee', email: 'sam@lee.example' });
  const ada = await api.post('/api/clients', { name: 'Ada Corp', email: 'ap@ada.example' });
  await api.post('/api/clients', { name: 'Zed Ltd', email: 'zed@zed.example' });
  const invoice = (client: number, number: string, amount: string, issue: number, due: number) =>
    api.post('/api/invoices', { client_id: client, number, amount, issue_date: isoDate(issue), due_date: isoDate(due) });
  const late = await invoice(sam.id, 'INV-3001', '5927.99', -40, -12);
  await api.post(`/api/invoices/${late.id}/payments`, { amount: '2000.00' });
  await invoice(sam.id, 'INV-3002', '100.00', -2, 10);
  await invoice(ada.id, 'INV-3003', '9000.00', -1, 20);
  return { lateId: late.id };
}

test('clients list: who owes me most, desktop and phone', async ({ page }) => {
  const api = await Api.signUp(page.request, { email: uniqueEmail('worklists'), name: 'Wanda Work', company_name: 'Work Lists' });
  await seed(api);
  await page.setViewportSize(DESKTOP);
  await page.goto('/clients');
  await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible();
  await page.getByText('Who owes most').click();
  await expect(page).toHaveURL(/sort=-outstanding/);
  const table = page.getByRole('table', { name: 'Clients' });
  const rows = table.getByRole('row');
  await expect(rows.nth(1)).toContainText('Ada Corp');
  await expect(rows.nth(2)).toContainText('Sam Lee');
  await expect(rows.nth(2)).toContainText('12 days overdue');
  await expect(rows.nth(2)).toContainText('3,927.99');
  await expect(rows.nth(3)).toContainText('Zed Ltd');
  await expectAccessible(page, 'clients desktop');
  await shot(page, 'worklists-clients-desktop');

  await page.setViewportSize(PHONE);
  await expect(table).toBeHidden();
  const cards = page.getByTestId('client-card');
  await expect(cards).toHaveCount(3);
  await expect(cards.first()).toContainText('Ada Corp');
  await expect(cards.nth(1)).toContainText('oldest 12 days overdue');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
  await expectAccessible(page, 'clients phone');
  await shot(page, 'worklists-clients-phone');
});

test('invoice list: balance column, partially paid tab, phone cards with actions', async ({ page }) => {
  const api = await Api.signUp(page.request, { email: uniqueEmail('worklists'), name: 'Wanda Work', company_name: 'Work Lists' });
  await seed(api);
  await page.setViewportSize(DESKTOP);
  await page.goto('/invoices?tab=partially_paid');
  const table = page.getByRole('table', { name: 'Invoices' });
  // Overdue and partly paid: listed under "Partially paid".
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table.getByRole('row').nth(1)).toContainText('INV-3001');
  await expect(table.getByRole('row').nth(1)).toContainText('Paid €2,000.00 of €5,927.99');
  await expectAccessible(page, 'invoices partially paid desktop');
  await page.goto('/invoices');
  await expect(table.getByRole('row')).toHaveCount(4);
  await expectAccessible(page, 'invoices desktop');
  await shot(page, 'worklists-invoices-desktop');

  await page.setViewportSize(PHONE);
  await expect(table).toBeHidden();
  const cards = page.getByTestId('invoice-card');
  await expect(cards).toHaveCount(3);
  const late = cards.filter({ hasText: 'INV-3001' });
  await expect(late).toContainText('Sam Lee');
  await expect(late).toContainText('12 days overdue');
  await expect(late).toContainText('Paid €2,000.00 of €5,927.99');
  await expect(late.getByRole('button', { name: 'Record payment' })).toBeVisible();
  await expect(late.getByRole('link', { name: 'Send a reminder for INV-3001' })).toBeVisible();
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
  await expectAccessible(page, 'invoices phone');
  await shot(page, 'worklists-invoices-phone');
  await late.getByRole('button', { name: 'Record payment' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expectAccessible(page, 'record payment from a card');
});

test('preview email shows the next reminder that will go', async ({ page }) => {
  const api = await Api.signUp(page.request, { email: uniqueEmail('worklists'), name: 'Wanda Work', company_name: 'Work Lists' });
  const { lateId } = await seed(api);
  await page.setViewportSize(DESKTOP);
  const timeline = await api.get<{ items: { template_key: string; state: string; scheduled_for: string }[] }>(
    `/api/invoices/${lateId}/reminders`,
  );
  const pending = timeline.items
    .filter((r) => r.state === 'pending')
    .sort((a, b) => Date.parse(a.scheduled_for) - Date.parse(b.scheduled_for));
  await page.goto(`/invoices/${lateId}`);
  await page.getByRole('button', { name: 'Preview email' }).click();
  const dialog = page.getByRole('dialog', { name: 'The next email to go' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('preview-subject')).not.toBeEmpty();
  expect(pending.length).toBeGreaterThan(0);
  {
    await expect(dialog.getByTestId('next-email-tone')).toContainText(pending[0]!.template_key === 'due_today' ? 'due-today' : pending[0]!.template_key);
    await expect(dialog.getByRole('link', { name: 'Edit template' })).toHaveAttribute('href', new RegExp(`key=${pending[0]!.template_key}`));
    await expect(dialog.getByRole('button', { name: 'Send now' })).toBeVisible();
  }
  await expectAccessible(page, 'next email dialog');
  await shot(page, 'worklists-next-email');
});
