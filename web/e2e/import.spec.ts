import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { Api, DESKTOP, expectAccessible, shot, uniqueEmail } from './support';

// An accounting tool's export: its own headers (one DueSpark can't guess), dates that read two ways, a bad amount.
const FOREIGN_CSV = [
  'Invoice #,Kunde,Total,Due Date,Notes',
  'F-1,Globex,120.00,03/04/2026,Design',
  'F-2,Initech,80.50,05/06/2026,',
  'F-3,Umbrella,12.5x,07/08/2026,',
].join('\n');

test('import: a file with its own headers and DD/MM/YYYY dates is mapped, and its bad row skipped', async ({ page }) => {
  test.slow(); // dry runs, a real import, a second file
  const api = await Api.signUp(page.request, { email: uniqueEmail('mapping'), name: 'Mia Mapping' });
  await page.setViewportSize(DESKTOP);
  await page.goto('/invoices/import');
  await expect(page.getByRole('heading', { level: 1, name: 'Import invoices' })).toBeVisible();
  await page.locator('input[type="file"]').setInputFiles({ name: 'export.csv', mimeType: 'text/csv', buffer: Buffer.from(FOREIGN_CSV) });
  await page.getByRole('button', { name: 'Check file' }).click();

  // The columns step: guesses filled in, the unknown "Kunde" and the date format left to the person.
  await expect(page.getByRole('heading', { name: 'Match your columns' })).toBeVisible();
  await expect(page.getByLabel('Column for Invoice number')).toHaveValue('Invoice #');
  await expect(page.getByLabel('Column for Amount')).toHaveValue('Total');
  await expect(page.getByLabel('Column for Due date')).toHaveValue('Due Date');
  await expect(page.getByLabel('Column for Description')).toHaveValue('Notes');
  await expect(page.getByLabel('Column for Client name')).toHaveValue('');
  await expect(page.getByText('03/04/2026 could be 3 April 2026 (DD/MM/YYYY) or 4 March 2026 (MM/DD/YYYY)')).toBeVisible();
  const checkRows = page.getByRole('button', { name: 'Check 3 rows' });
  await expect(checkRows).toBeDisabled();
  await page.getByLabel('Column for Client name').selectOption('Kunde');
  await page.getByLabel('How your dates are written').selectOption('DD/MM/YYYY');
  await expect(page.getByTestId('date-example')).toContainText('The first due date, 03/04/2026, is read as 3 April 2026.');
  await shot(page, 'desktop-14-import-mapping');
  await expectAccessible(page, 'import column mapping');
  await checkRows.click();

  // The review: the rows to create, the bad row, and the choice to skip it.
  const toCreate = page.getByRole('table', { name: 'Invoices to create' });
  await expect(toCreate.getByRole('row')).toHaveCount(3);
  await expect(toCreate.getByRole('row', { name: /F-1/ })).toContainText(/F-1Globex120\.00 [A-Z]{3}2026-04-03/);
  await expect(toCreate.getByRole('row', { name: /F-2/ })).toContainText(/F-2Initech80\.50 [A-Z]{3}2026-06-05/);
  await expect(page.getByRole('table', { name: 'Rows with problems' }).getByRole('row', { name: /Total/ })).toContainText('4');
  await expect(page.getByRole('button', { name: 'Fix and re-upload' })).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the 1 skipped row' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('export-skipped-rows.csv');
  const skipped = (await readFile(await download.path(), 'utf-8')).replace(/^\uFEFF/, '').split('\r\n');
  expect(skipped[0]).toBe('Invoice #,Kunde,Total,Due Date,Notes,problem');
  expect(skipped[1]).toMatch(/^F-3,Umbrella,12\.5x,07\/08\/2026,,Total: '12\.5x' is not a number$/);
  await shot(page, 'desktop-15-import-review-skip');
  await expectAccessible(page, 'import review with a row to skip');
  await page.getByRole('button', { name: 'Import the 2 good rows and skip 1' }).click();
  await expect(page.getByRole('heading', { name: '2 invoices imported' })).toBeVisible();

  const invoices = await api.get<{ items: { number: string; due_date: string; amount: string; client_name: string }[] }>(
    '/api/invoices?sort=number',
  );
  expect(invoices.items.map((i) => [i.number, i.client_name, i.amount, i.due_date])).toEqual([
    ['F-1', 'Globex', '120.00', '2026-04-03'],
    ['F-2', 'Initech', '80.50', '2026-06-05'],
  ]);

  // The next file with those headers: the columns chosen last time are remembered.
  await page.getByRole('button', { name: 'Import another file' }).click();
  await page.locator('input[type="file"]').setInputFiles({ name: 'export2.csv', mimeType: 'text/csv', buffer: Buffer.from(FOREIGN_CSV) });
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByLabel('Column for Client name')).toHaveValue('Kunde');
});
