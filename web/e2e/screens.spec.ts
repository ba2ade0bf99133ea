import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { Api, DESKTOP, PHONE, expectAccessible, isoDate, shot, uniqueEmail } from './support';

/**
 * Every main screen with realistic data, at desktop and phone width, against the real backend;
 * axe checks each one (at desktop width: the rules it applies don't depend on the layout).
 * The account is made through the API; the browser picks the session up from the refresh cookie.
 */

interface Seeded {
  acmeId: number;
  partlyPaidId: number;
}

async function seed(api: Api): Promise<Seeded> {
  const acme = await api.post('/api/clients', { name: 'Acme GmbH', email: 'billing@acme.example', company: 'Acme GmbH' });
  const fern = await api.post('/api/clients', { name: 'Blue Fern Studio', email: 'hello@bluefern.example' });
  const jo = await api.post('/api/clients', { name: 'Jo Rivera', email: 'jo@rivera.example', client_type: 'individual' });
  const north = await api.post('/api/clients', {
    name: 'Northwind Traders',
    email: 'ap@northwind.example',
    company: 'Northwind Traders Ltd',
    reminders_paused: true,
  });
  const invoice = (client: number, number: string, amount: string, issue: number, due: number, extra: object = {}) =>
    api.post('/api/invoices', {
      client_id: client,
      number,
      amount,
      issue_date: isoDate(issue),
      due_date: isoDate(due),
      description: 'Design and development work',
      ...extra,
    });
  await invoice(acme.id, 'INV-2001', '1250.00', -50, -20);
  await invoice(acme.id, 'INV-2002', '480.00', -4, 3);
  const partlyPaid = await invoice(fern.id, 'INV-2003', '3200.00', -35, -5);
  await api.post(`/api/invoices/${partlyPaid.id}/payments`, { amount: '1200.00', reference: 'Wire 5521' });
  const small = await invoice(jo.id, 'INV-2004', '150.00', 0, 14);
  const timeline = await api.get<{ items: { id: number }[] }>(`/api/invoices/${small.id}/reminders`);
  await api.post(`/api/reminders/${timeline.items[0]!.id}/cancel`, {});
  const paid = await invoice(north.id, 'INV-2005', '900.00', -60, -40);
  await api.post(`/api/invoices/${paid.id}/payments`, { amount: '900.00', reference: 'SEPA 0042' });
  await invoice(jo.id, 'INV-2006', '75.00', 0, 30, { status: 'draft' });
  return { acmeId: acme.id, partlyPaidId: partlyPaid.id };
}

const BAD_CSV = [
  'number,client_name,client_email,amount,due_date',
  'IMP-1,Acme GmbH,billing@acme.example,99.00,2026-03-01',
  'IMP-2,New Client Co,new@client.example,12.5x,2026-03-01',
  'IMP-3,Another One,,40.00,31/03/2026',
  'INV-2001,Acme GmbH,billing@acme.example,10.00,2026-03-01',
].join('\n');

async function mainHeading(page: Page, name: string | RegExp) {
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('main screens at desktop and phone width', async ({ page }) => {
  test.setTimeout(240_000);
  const api = await Api.signUp(page.request, { email: uniqueEmail('screens'), name: 'Nora Lind', company_name: 'Studio Nord' });
  const { partlyPaidId } = await seed(api);

  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);

    await page.goto('/');
    await mainHeading(page, /Good (morning|afternoon|evening), Nora/);
    await expect(page.getByText('INV-2001').first()).toBeVisible();
    // Due in 3 days: its due-date reminder goes out within the week.
    // Grouped per client: Acme's due-date reminder for INV-2002 (and the overdue INV-2001's next step).
    await expect(page.getByRole('list', { name: 'Next reminders per client' }).getByRole('link', { name: 'Acme GmbH' })).toBeVisible();
    await shot(page, `${device}-01-dashboard`);
    if (device === 'desktop') await expectAccessible(page, `${device}-01-dashboard`);

    await page.goto('/clients');
    await mainHeading(page, 'Clients');
    await expect(page.getByRole('link', { name: 'Northwind Traders' })).toBeVisible();
    await shot(page, `${device}-02-clients`);
    if (device === 'desktop') await expectAccessible(page, `${device}-02-clients`);

    await page.getByRole('link', { name: 'Acme GmbH' }).first().click();
    await mainHeading(page, 'Acme GmbH');
    // A table on a desk, cards on a phone.
    await expect(page.getByRole('main').getByRole('link', { name: 'INV-2001' }).first()).toBeVisible();
    await expect(page.getByTestId('client-insights')).toContainText('Likely paid');
    await expect(page.getByRole('button', { name: 'Copy portal link' })).toBeEnabled();
    await shot(page, `${device}-03-client-page`);
    if (device === 'desktop') await expectAccessible(page, `${device}-03-client-page`);

    await page.goto('/invoices');
    await mainHeading(page, 'Invoices');
    await expect(page.getByRole('link', { name: 'INV-2006' })).toBeVisible();
    await shot(page, `${device}-04-invoices`);
    if (device === 'desktop') await expectAccessible(page, `${device}-04-invoices`);

    await page.goto('/reminders');
    await mainHeading(page, 'Reminders');
    await expect(page.getByRole('table', { name: 'Upcoming reminders' }).getByRole('link', { name: 'INV-2002' }).first()).toBeVisible();
    await page.getByRole('tab', { name: 'Canceled or skipped' }).click();
    const stopped = page.getByRole('table', { name: 'Canceled or skipped reminders' });
    await expect(stopped.getByRole('row', { name: /INV-2004/ })).toContainText(device === 'desktop' ? 'Canceled by you.' : 'Friendly reminder');
    await shot(page, `${device}-12-reminders`);
    if (device === 'desktop') await expectAccessible(page, `${device}-12-reminders`);

    await page.goto(`/invoices/${partlyPaidId}`);
    await mainHeading(page, 'Invoice INV-2003');
    await expect(page.getByRole('row', { name: /Wire 5521/ })).toBeVisible();
    await shot(page, `${device}-05-invoice-page`);
    if (device === 'desktop') await expectAccessible(page, `${device}-05-invoice-page`);

    await page.goto('/invoices/import');
    await mainHeading(page, 'Import invoices');
    await page.locator('input[type="file"]').setInputFiles({ name: 'invoices.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect(page.getByRole('table', { name: 'Rows with problems' })).toBeVisible();
    await shot(page, `${device}-06-import-preview`);
    if (device === 'desktop') await expectAccessible(page, `${device}-06-import-preview`);

    await page.goto(`/templates?key=friendly&invoice=${partlyPaidId}`);
    await mainHeading(page, 'Email templates');
    await expect(page.getByTestId('preview-subject')).toContainText('INV-2003');
    await shot(page, `${device}-10-template-editor`);
    if (device === 'desktop') await expectAccessible(page, `${device}-10-template-editor`);

    await page.goto('/settings?tab=reminders');
    await mainHeading(page, 'Settings');
    await expect(page.getByRole('form', { name: 'Reminder policy' })).toBeVisible();
    await shot(page, `${device}-11-settings-reminders`);
    if (device === 'desktop') await expectAccessible(page, `${device}-11-settings-reminders`);

    await page.goto('/settings');
    await mainHeading(page, 'Settings');
    await expect(page.getByRole('textbox', { name: 'Your name' })).toHaveValue('Nora Lind');
    await shot(page, `${device}-07-settings`);
    if (device === 'desktop') await expectAccessible(page, `${device}-07-settings`);
  }
});

test('a new account sees where to start', async ({ page }) => {
  await Api.signUp(page.request, { email: uniqueEmail('empty'), name: 'Sam Empty' });
  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.goto('/');
    await expect(page.getByText('Get your invoices paid on time')).toBeVisible();
    await shot(page, `${device}-08-dashboard-empty`);
    if (device === 'desktop') await expectAccessible(page, 'dashboard, new account');
    await page.goto('/invoices');
    await expect(page.getByText('Create your first invoice')).toBeVisible();
    await shot(page, `${device}-09-invoices-empty`);
  }
});

test('import: the downloadable template imports as it is', async ({ page }) => {
  await Api.signUp(page.request, { email: uniqueEmail('import'), name: 'Ida Import' });
  await page.goto('/invoices/import');
  await mainHeading(page, 'Import invoices');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download template' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('duespark-import-template.csv');
  const template = await readFile(await download.path());
  await page.locator('input[type="file"]').setInputFiles({ name: download.suggestedFilename(), mimeType: 'text/csv', buffer: template });
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByText('Every row looks good.')).toBeVisible();
  await page.getByRole('button', { name: 'Import 2 invoices' }).click();
  await expect(page.getByRole('heading', { name: '2 invoices imported' })).toBeVisible();
  await page.getByRole('link', { name: 'View invoices' }).click();
  await expect(page.getByRole('link', { name: 'INV-1001' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'INV-1002' })).toBeVisible();
});

test('a duplicate invoice number is shown on its field', async ({ page }) => {
  const api = await Api.signUp(page.request, { email: uniqueEmail('dup'), name: 'Dana Dup' });
  const client = await api.post('/api/clients', { name: 'Acme GmbH', email: 'billing@acme.example' });
  await api.post('/api/invoices', { client_id: client.id, number: 'INV-1', amount: '10.00', issue_date: isoDate(0), due_date: isoDate(7) });
  await page.goto(`/invoices/new?client_id=${client.id}`);
  await expect(page.getByRole('textbox', { name: 'Client' })).toHaveValue(/Acme GmbH/);
  await page.getByLabel('Invoice number').fill('INV-1');
  await page.getByRole('textbox', { name: 'Amount' }).fill('20.00');
  await page.getByRole('button', { name: 'Create invoice' }).click();
  await expect(page.getByLabel('Invoice number')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText("Invoice number 'INV-1' is already used")).toBeVisible();
});

test('a step the API rejects is flagged on the step', async ({ page }) => {
  await Api.signUp(page.request, { email: uniqueEmail('policy'), name: 'Pia Policy' });
  await page.goto('/settings?tab=reminders');
  const form = page.getByRole('form', { name: 'Reminder policy' });
  await expect(form).toBeVisible();
  const first = form.getByLabel('Step 1 offset in days');
  const secondValue = await form.getByLabel('Step 2 offset in days').inputValue();
  await first.fill(secondValue.replace(/\s*d$/, ''));
  await form.getByRole('button', { name: 'Save schedule' }).click();
  await expect(form.getByText(/is already used by step/)).toBeVisible();
});

test('password reset and email verification pages', async ({ page }) => {
  await page.goto('/signin');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Email' }).fill(uniqueEmail('forgot'));
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.getByRole('status')).toContainText('a link to reset its password is on its way');
  await expectAccessible(page, 'reset password request');

  await page.goto('/reset-password?token=not-a-real-token');
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel('New password').fill('a-brand-new-password');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toContainText('Ask for a new link');

  await page.goto('/verify-email?token=not-a-real-token');
  await expect(page.getByRole('heading', { name: 'Confirm your email' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('expired or been used');
});

test('import and go-live show what goes out first, and the import options change it', async ({ page }) => {
  test.slow(); // two dry runs, a real import and a go-live preview
  const api = await Api.signUp(page.request, { email: uniqueEmail('wave'), name: 'Wes Wave' });
  // Going live needs a way for clients to pay (invariant 14).
  await api.patch('/api/account', { payment_instructions: 'IBAN DE02 1203 0000 0000 2020 51, BIC BYLADEM1001' });
  const csv = [
    'number,client_email,client_name,amount,due_date',
    `W-1,ap@globex.example,Globex,120.00,${isoDate(-10)}`,
    `W-2,ap@initech.example,Initech,80.00,${isoDate(-400)}`,
  ].join('\n');
  await page.goto('/invoices/import');
  await mainHeading(page, 'Import invoices');
  await page.locator('input[type="file"]').setInputFiles({ name: 'history.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Check file' }).click();
  const wave = page.getByTestId('first-wave');
  // The defaults: nothing at once, the 400-day-old debt not chased.
  await expect(wave).toContainText('Goes out after this import: No email goes out at once');
  await expect(page.getByTestId('option-effects')).toContainText('1 invoice more than 90 days overdue: not chased');
  await page.getByRole('checkbox', { name: 'Start chasing from today' }).uncheck();
  await expect(wave).toContainText(/1 email goes to 1 client/);
  await page.getByRole('button', { name: /Globex — W-1/ }).click();
  await expect(page.getByTestId('first-wave-text')).toContainText('W-1');
  await shot(page, 'desktop-13-import-first-wave');
  await expectAccessible(page, 'import review with what goes out first');
  await page.getByRole('button', { name: 'Import 2 invoices' }).click();
  await expect(page.getByRole('heading', { name: '2 invoices imported' })).toBeVisible();

  await page.goto('/settings?tab=sending');
  await page.getByRole('button', { name: 'Go live' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('first-wave')).toContainText(/Once you go live: 1 email goes to 1 client/);
  const goLive = dialog.getByRole('button', { name: 'Go live' });
  await expect(goLive).toBeDisabled();
  await dialog.getByRole('checkbox', { name: /send this email to my clients/ }).check();
  await goLive.click();
  await expect(page.getByText('You’re live: reminders now go to your clients.')).toBeVisible();
});
