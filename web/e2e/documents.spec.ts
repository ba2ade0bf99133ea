import { expect, test, type APIRequestContext } from '@playwright/test';
import { Api, DESKTOP, PHONE, expectAccessible, isoDate, shot, uniqueEmail } from './support';

// A 1x1 PNG, for the logo.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAQCAIAAADfzGvmAAAAMUlEQVR4nGOU9bvBMJgA00A7AB2MOogQGHUQITDqIEJg1EGEwKiDCIFRBxECow4iBAAGswFjL30mngAAAABJRU5ErkJggg==',
  'base64',
);

async function pdfOf(request: APIRequestContext, token: string, invoiceId: number): Promise<Buffer> {
  const response = await request.get(`/api/documents/invoices/${invoiceId}/pdf`, { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  return Buffer.from(await response.body());
}

test('documents: upload an invoice PDF by drop zone, bulk upload by number, and the profile on generated PDFs', async ({ page }) => {
  test.slow();
  const email = uniqueEmail('docs');
  const api = await Api.signUp(page.request, { email, name: 'Dora Docs', company_name: 'Müller & Söhne GmbH' });
  const token = ((await (await page.request.post('/api/auth/login', { data: { email, password: 'correct-horse-battery' } })).json()) as { access_token: string }).access_token;
  const client = await api.post('/api/clients', { name: 'Globex', email: 'ap@globex.example.com' });
  const first = await api.post('/api/invoices', { client_id: client.id, number: 'RE-2026-001', amount: '1234.56', issue_date: isoDate(-20), due_date: isoDate(-5), description: 'Beratung November' });
  const second = await api.post('/api/invoices', { client_id: client.id, number: 'RE-2026-002', amount: '80.00', issue_date: isoDate(-10), due_date: isoDate(10) });
  const pdf = await pdfOf(page.request, token, first.id);

  // The invoice page: no upload yet, so reminders attach a generated PDF.
  await page.setViewportSize(DESKTOP);
  await page.goto(`/invoices/${first.id}`);
  const card = page.getByRole('region', { name: 'Invoice PDF' }).or(page.locator('[aria-labelledby="documents-heading"]'));
  // The route's code loads on first visit: slow on a busy machine.
  await expect(card.getByText('No PDF uploaded: reminders attach one generated from this invoice.')).toBeVisible({ timeout: 60_000 });
  await card.locator('input[type="file"]').setInputFiles({ name: 'RE-2026-001 signed.pdf', mimeType: 'application/pdf', buffer: pdf });
  await expect(card.getByText('RE-2026-001 signed.pdf')).toBeVisible();
  await expect(card.getByText(/sent with reminders/)).toBeVisible();
  await shot(page, 'desktop-documents-invoice');
  await expectAccessible(page, 'invoice page with documents');

  // A page of HTML named .pdf is refused with the reason.
  await card.locator('input[type="file"]').setInputFiles({ name: 'fake.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html>not a pdf</html>') });
  await expect(page.getByText('fake.pdf was not added')).toBeVisible();

  await page.setViewportSize(PHONE);
  await page.reload();
  await expect(card.getByText('RE-2026-001 signed.pdf')).toBeVisible();
  await card.scrollIntoViewIfNeeded();
  await shot(page, 'phone-documents-invoice');

  // Bulk: one file per invoice number, and one that matches nothing.
  await page.setViewportSize(DESKTOP);
  await page.goto('/invoices');
  await expect(page.getByRole('button', { name: 'Upload PDFs' })).toBeVisible({ timeout: 60_000 });
  await page.locator('input[type="file"][multiple]').setInputFiles([
    { name: 'Rechnung_RE-2026-002.pdf', mimeType: 'application/pdf', buffer: pdf },
    { name: 'holiday-photos.pdf', mimeType: 'application/pdf', buffer: pdf },
  ]);
  const report = page.getByRole('dialog', { name: 'PDFs uploaded' });
  await expect(report.getByText('Rechnung_RE-2026-002.pdf →')).toBeVisible({ timeout: 30_000 });
  await expect(report.getByText('holiday-photos.pdf: No invoice number of this account is in the file name')).toBeVisible();
  await shot(page, 'desktop-documents-bulk-report');
  await page.setViewportSize(PHONE);
  await shot(page, 'phone-documents-bulk-report');
  await report.getByRole('button', { name: 'Done' }).click();
  const listed = await api.get<{ items: unknown[] }>(`/api/documents/invoices/${second.id}`);
  expect(listed.items).toHaveLength(1);

  // Settings: address, tax id and logo for generated PDFs.
  await page.setViewportSize(DESKTOP);
  await page.goto('/settings');
  await page.getByRole('tab', { name: 'Company' }).click();
  await expect(page.getByLabel('Address')).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('Address').fill('Hauptstraße 5\n80331 München');
  await page.getByLabel('VAT or tax ID').fill('DE123456789');
  await page.getByRole('button', { name: 'Save company' }).click();
  await expect(page.getByRole('button', { name: 'Save company' })).toBeDisabled();
  await page.locator('input[type="file"][accept="image/png,image/jpeg"]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await expect(page.getByRole('img', { name: 'Your logo' })).toBeVisible();
  await page.getByLabel('VAT or tax ID').scrollIntoViewIfNeeded();
  await shot(page, 'desktop-documents-settings');
  await page.setViewportSize(PHONE);
  await shot(page, 'phone-documents-settings');
  const account = await api.get<{ address: string; tax_id: string; has_logo: boolean }>('/api/account');
  expect(account).toMatchObject({ address: 'Hauptstraße 5\n80331 München', tax_id: 'DE123456789', has_logo: true });
});
