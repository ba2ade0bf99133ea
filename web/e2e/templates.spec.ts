import { expect, test } from '@playwright/test';
import { Api, DESKTOP, PHONE, expectAccessible, isoDate, shot, uniqueEmail } from './support';

/**
 * The template editor as a non-technical user meets it: the email as text with detail chips, the
 * template's conditions as checkboxes, a live preview for a chosen invoice, and the Markdown + Jinja
 * editor behind "Advanced" (where a template the simple editor can't show opens, with a note).
 */

interface TemplateOut {
  subject: string;
  body: string;
  is_default: boolean;
}

test('simple template editor: chips, options, preview, advanced, desktop and phone', async ({ page }) => {
  test.setTimeout(120_000);
  const api = await Api.signUp(page.request, { email: uniqueEmail('templates'), name: 'Tess Plate', company_name: 'Plate Studio' });
  const client = await api.post('/api/clients', { name: 'Sam Lee', email: 'sam@lee.example' });
  const invoice = await api.post('/api/invoices', {
    client_id: client.id,
    number: 'INV-4001',
    amount: '1250.00',
    issue_date: isoDate(-30),
    due_date: isoDate(-9),
  });

  await page.setViewportSize(DESKTOP);
  await page.goto(`/templates?key=firm&locale=en&invoice=${invoice.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Email templates' })).toBeVisible();
  const editor = page.getByTestId('simple-editor');
  await expect(editor).toBeVisible();
  await expect(page.getByTestId('advanced-note')).toHaveCount(0);
  // No Jinja in sight: placeholders in words, conditions as options.
  await expect(editor.getByRole('textbox', { name: 'Subject' })).toHaveValue('Overdue: invoice {invoice number} ({amount due})');
  const text = editor.getByRole('textbox', { name: 'Email text', exact: true });
  await expect(text).toHaveValue(/^Hello \{client name\},/);
  await expect(editor).not.toContainText('{{');
  const otherWays = editor.getByRole('checkbox', { name: /other ways to pay/ });
  await expect(otherWays).toBeChecked();
  // The live preview is the chosen invoice's email.
  await expect(page.getByTestId('preview-subject')).toHaveText('Overdue: invoice INV-4001 (€1,250.00)');
  await expectAccessible(page, 'templates desktop');
  await shot(page, 'templates-simple-desktop');

  // Insert a chip where the cursor is, and untick an option.
  await text.click();
  await text.press('ControlOrMeta+Home');
  await text.pressSequentially('Dear ');
  await editor.getByRole('button', { name: 'client name' }).click();
  await text.pressSequentially(' team, ');
  await expect(text).toHaveValue(/^Dear \{client name\} team, Hello \{client name\},/);
  await otherWays.uncheck();
  await expect(page.getByTestId('preview-subject')).toHaveText('Overdue: invoice INV-4001 (€1,250.00)');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByText('Template saved.')).toBeVisible();

  // Saved as Jinja: the chip is a variable, the unticked paragraph is gone, the rest is as it was.
  const saved = await api.get<TemplateOut>('/api/templates/firm?locale=en');
  expect(saved.is_default).toBe(false);
  expect(saved.body.startsWith('Dear {{ client_name }} team, Hello {{ client_name }},')).toBe(true);
  expect(saved.body).not.toContain('payment_instructions');
  expect(saved.body).toContain('{{ "day" if days_overdue == 1 else "days" }}');
  expect(saved.body).toContain('{% if late_fee_notice %}');

  // Advanced shows the same template as Markdown + Jinja.
  await page.getByText('Advanced (Markdown + Jinja)').click();
  await expect(page.getByRole('textbox', { name: 'Body (Markdown)' })).toHaveValue(saved.body);

  // A template whose condition is more than an option can't be shown as plain text: it opens in Advanced,
  // with a note, and saving it there keeps it byte for byte.
  const custom = 'Hello {{ client_name }},\n\n{% if days_overdue > 30 %}\nThis is now very late.\n{% endif %}\nPay here: {{ payment_link }}\n';
  await api.put('/api/templates/urgent?locale=en', { subject: 'Invoice {{ invoice_number }}', body: custom });
  await page.goto('/templates?key=urgent&locale=en');
  await expect(page.getByTestId('advanced-note')).toContainText('Opened in the advanced editor');
  await expect(page.getByTestId('simple-editor')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Body (Markdown)' })).toHaveValue(custom);
  await page.getByText('Simple', { exact: true }).click();
  await expect(page.getByTestId('simple-editor')).toHaveCount(0);
  await expectAccessible(page, 'templates advanced desktop');
  await shot(page, 'templates-advanced-note-desktop');

  await page.setViewportSize(PHONE);
  await page.goto(`/templates?key=friendly&locale=en&invoice=${invoice.id}`);
  await expect(page.getByTestId('simple-editor')).toBeVisible();
  await expect(page.getByTestId('preview-subject')).toContainText('INV-4001');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
  await expectAccessible(page, 'templates phone');
  await shot(page, 'templates-simple-phone');
});
