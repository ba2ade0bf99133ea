import { expect, test } from '@playwright/test';
import { Api, DESKTOP, PHONE, expectAccessible, isoDate, shot, uniqueEmail } from './support';

/**
 * Bank transfer as a way to pay: the bank account is added in Settings > Payments (the API's field
 * error shown on its field first), then the invoice's pay page shows the details and the SEPA QR code.
 */
test('bank account in settings, transfer and QR code on the pay page', async ({ page }) => {
  test.setTimeout(180_000);
  const api = await Api.signUp(page.request, { email: uniqueEmail('bank'), name: 'Nora Lind', company_name: 'Studio Nord' });
  const client = await api.post('/api/clients', { name: 'Globex GmbH', email: 'ap@globex.example', company: 'Globex GmbH' });
  const invoice = await api.post('/api/invoices', {
    client_id: client.id,
    number: 'INV-2042',
    amount: '1250.00',
    currency: 'EUR',
    issue_date: isoDate(-20),
    due_date: isoDate(-6),
  });

  await page.setViewportSize(DESKTOP);
  await page.goto('/settings?tab=payments');
  await page.getByRole('button', { name: 'Add bank account' }).click();
  const form = page.getByRole('form', { name: 'Add a bank account' });
  await form.getByRole('textbox', { name: 'Payee name' }).fill('Studio Nord GmbH');
  await form.getByRole('textbox', { name: 'IBAN' }).fill('DE89 3704 0044 0532 0130 01');
  await form.getByRole('button', { name: 'Save bank account' }).click();
  await expect(form.getByText('Not a valid IBAN: Invalid checksum digits.')).toBeVisible();
  await shot(page, 'desktop-bank-01-invalid-iban');
  await form.getByRole('textbox', { name: 'IBAN' }).fill('DE89 3704 0044 0532 0130 00');
  await form.getByLabel(/BIC/).fill('COBADEFFXXX');
  await form.getByRole('button', { name: 'Save bank account' }).click();
  const card = page.getByTestId('bank-account-EUR');
  await expect(card.getByText('DE89 3704 0044 0532 0130 00')).toBeVisible();
  await expect(card.getByText('SEPA QR code')).toBeVisible();
  await shot(page, 'desktop-bank-02-settings');
  await expectAccessible(page, 'bank settings');
  await page.setViewportSize(PHONE);
  await shot(page, 'phone-bank-02-settings');

  const link = await api.get<{ payment_url: string }>(`/api/invoices/${invoice.id}/payment-link`);
  const path = new URL(link.payment_url).pathname;
  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.goto(path);
    const transfer = page.locator('[data-section="bank-transfer"]');
    await expect(transfer.getByRole('heading', { name: 'Pay by bank transfer' })).toBeVisible();
    await expect(transfer.getByText('DE89 3704 0044 0532 0130 00')).toBeVisible();
    await expect(transfer.locator('svg')).toBeVisible();
    await shot(page, `${device}-bank-03-pay-page`);
    if (device === 'desktop') await expectAccessible(page, 'pay page with bank transfer');
  }
});
