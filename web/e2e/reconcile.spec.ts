import { expect, test } from '@playwright/test';
import { Api, DESKTOP, PHONE, expectAccessible, isoDate, shot, uniqueEmail } from './support';

// A German bank's CSV export: preamble, `;`, decimal comma, Windows-1252 is not needed for these names.
function germanCsv(booked: string): string {
  const [y, m, d] = booked.split('-');
  const day = `${d}.${m}.${y}`;
  return [
    'Kontoumsätze Girokonto;DE89370400440532013000',
    '',
    'Buchungstag;Valuta;Auftraggeber / Begünstigter;Verwendungszweck;Betrag (EUR)',
    `${day};${day};ACME GMBH;Rechnung RC-1042 vielen Dank;1.250,00`,
    `${day};${day};Globex Corp;RC-1043 Teilzahlung;100,00`,
    `${day};${day};"=cmd|' /C calc'!A0";Bonus;5,00`,
    `${day};${day};Stadtwerke;Abschlag Strom;-120,50`,
  ].join('\n');
}

test('reconcile: drop a bank CSV, read why each payment matches, confirm one, confirm all strong ones', async ({ page }) => {
  test.slow();
  const api = await Api.signUp(page.request, { email: uniqueEmail('recon'), name: 'Rita Recon' });
  const acme = await api.post('/api/clients', { name: 'Anna', company: 'Acme GmbH', email: 'ap@acme.example.com' });
  const globex = await api.post('/api/clients', { name: 'Gail', company: 'Globex Corp', email: 'ap@globex.example.com' });
  await api.post('/api/invoices', { client_id: acme.id, number: 'RC-1042', amount: '1250.00', issue_date: isoDate(-20), due_date: isoDate(-5) });
  await api.post('/api/invoices', { client_id: globex.id, number: 'RC-1043', amount: '400.00', issue_date: isoDate(-20), due_date: isoDate(5) });

  await page.setViewportSize(DESKTOP);
  await page.goto('/reconcile');
  await expect(page.getByText('No bank statement yet')).toBeVisible({ timeout: 60_000 });
  await page.locator('input[type="file"]').setInputFiles({ name: 'umsaetze.csv', mimeType: 'text/csv', buffer: Buffer.from(germanCsv(isoDate(-1))) });
  await expect(page.getByText('4 new entries from umsaetze.csv')).toBeVisible();
  await expect(page.getByTestId('statement-summary')).toHaveText(
    '4 entries in the file: 3 to decide, 0 confirmed, 0 rejected, 1 skipped (debits, reversals).',
  );
  const table = page.getByTestId('reconcile-table');
  await expect(
    table.getByText("reference RC-1042 in the remittance text; amount equals the balance; payer 'ACME GMBH' matches client 'Acme GmbH'"),
  ).toBeVisible();
  await expect(
    table.getByText("reference RC-1043 in the remittance text; partial payment: 100.00 of the balance 400.00 EUR; payer 'Globex Corp' matches client 'Globex Corp'"),
  ).toBeVisible();
  // A formula in the payer's name is shown as the text it is.
  await expect(table.getByText("=cmd|' /C calc'!A0")).toBeVisible();
  await shot(page, 'desktop-reconcile');
  await expectAccessible(page, 'reconcile');

  // The part payment, confirmed on its own row.
  await table.getByRole('row', { name: /Globex Corp/ }).getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('Recorded 100.00 EUR on RC-1043.')).toBeVisible();

  await page.setViewportSize(PHONE);
  await expect(page.getByTestId('reconcile-cards').getByText('ACME GMBH', { exact: true })).toBeVisible();
  await shot(page, 'phone-reconcile');
  await page.getByRole('button', { name: 'Confirm all strong matches (1)' }).click();
  await expect(page.getByText('1 payments recorded.')).toBeVisible();
  await expect(page.getByTestId('statement-summary')).toHaveText(
    '4 entries in the file: 1 to decide, 2 confirmed, 0 rejected, 1 skipped (debits, reversals).',
  );
  const invoices = await api.get<{ items: { number: string; status: string; balance: string }[] }>('/api/invoices?sort=number');
  expect(invoices.items.map((i) => [i.number, i.status, i.balance])).toEqual([
    ['RC-1042', 'paid', '0.00'],
    ['RC-1043', 'partially_paid', '300.00'],
  ]);
});
