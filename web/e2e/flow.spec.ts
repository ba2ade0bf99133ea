import { expect, test } from '@playwright/test';
import { expectAccessible, fillDate, isoDate, shot, uniqueEmail } from './support';

/**
 * The core loop against the real backend (E2E_BASE_URL):
 * sign up -> create client -> create invoice due in 3 days -> open it -> record a payment -> paid,
 * then the session survives a reload through the refresh cookie, ends with sign-out, and signing in
 * again (keyboard only) comes back to the invoice.
 */
test('sign up, bill a client and get paid', async ({ page }) => {
  test.setTimeout(120_000);
  const stamp = Date.now();
  const clientName = `Acme ${stamp}`;
  const invoiceNumber = `E2E-${stamp}`;

  // Sign up
  await page.goto('/signup');
  await page.getByLabel('Your name').fill('Erin Example');
  const email = uniqueEmail('e2e');
  await page.getByLabel('Work email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill('correct-horse-battery');
  await page.getByLabel('Business name').fill('Example Studio');
  await shot(page, 'flow-01-signup');
  await expectAccessible(page, 'sign-up form');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/Good (morning|afternoon|evening)/);

  // Create a client
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'New client' }).first().click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(clientName);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`billing+${stamp}@acme.example`);
  await page.getByRole('textbox', { name: 'Company', exact: true }).fill('Acme Corp');
  await shot(page, 'flow-02-client-form');
  await expectAccessible(page, 'client form');
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page.getByRole('heading', { name: clientName, level: 1 })).toBeVisible();

  // Create an invoice for that client, due in 3 days
  await page.getByRole('link', { name: 'New invoice' }).first().click();
  await expect(page.getByRole('heading', { name: 'New invoice', level: 1 })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Client' })).toHaveValue(new RegExp(clientName));
  await page.getByLabel('Invoice number').fill(invoiceNumber);
  await page.getByRole('textbox', { name: 'Amount' }).fill('1250.00');
  await fillDate(page, 'Issue date', isoDate(0));
  await fillDate(page, 'Due date', isoDate(3));
  await page.getByLabel('Description').fill('Website redesign');
  await shot(page, 'flow-03-invoice-form');
  await expectAccessible(page, 'invoice form');
  await page.getByRole('button', { name: 'Create invoice' }).click();

  // The invoice page
  await expect(page.getByRole('heading', { name: `Invoice ${invoiceNumber}`, level: 1 })).toBeVisible();
  await expect(page.getByText('Due in 3 days').first()).toBeVisible();
  await expect(page.locator('[data-status]').first()).toHaveAttribute('data-status', 'open');
  const invoiceUrl = page.url();

  // Its reminders are planned at once, at a local send time in the client's timezone.
  const planned = page.locator('[data-kind="reminder-planned"]');
  await expect(planned.first()).toBeVisible();
  const plannedCount = await planned.count();
  expect(plannedCount).toBeGreaterThan(0);
  await expect(planned.first()).toContainText('will send the');
  await expect(planned.first()).toContainText('client’s time');
  await expect(page.getByRole('button', { name: 'Copy payment link' })).toBeVisible();
  await shot(page, 'flow-04-invoice-reminders');
  await expectAccessible(page, 'invoice page with reminders');

  // Preview the email this invoice will get, then break the template: the error names its line.
  await page.getByRole('button', { name: 'Preview email' }).click();
  const nextEmail = page.getByRole('dialog');
  await expect(nextEmail).toContainText(invoiceNumber);
  await nextEmail.getByRole('link', { name: 'Edit template' }).click();
  await expect(page.getByRole('heading', { name: 'Email templates', level: 1 })).toBeVisible();
  await expect(page.getByTestId('preview-subject')).toContainText(invoiceNumber);
  await expect(page.frameLocator('iframe[title="HTML preview of the email"]').locator('body')).toContainText(invoiceNumber);
  await shot(page, 'flow-05-template-preview');
  // The simple editor opens first; the raw Markdown + Jinja is one click away.
  await expect(page.getByTestId('simple-editor')).toBeVisible();
  await page.getByText('Advanced (Markdown + Jinja)').click();
  const body = page.getByRole('textbox', { name: 'Body (Markdown)' });
  await body.fill('Hello {{ client_name }},\n\nplease pay {{ oops(');
  await expect(page.getByTestId('preview-errors')).toContainText(/line \d/);
  await page.goto(invoiceUrl);
  await expect(page.getByRole('heading', { name: `Invoice ${invoiceNumber}`, level: 1 })).toBeVisible();

  // Record the full payment
  await page.getByRole('button', { name: 'Record payment' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Record a payment' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel(/Amount/)).toHaveValue('1250.00');
  await dialog.getByLabel('Reference').fill('Bank transfer 42');
  await shot(page, 'flow-06-record-payment');
  await expectAccessible(page, 'record payment dialog');
  await dialog.getByRole('button', { name: 'Record payment' }).click();
  await expect(dialog).toBeHidden();

  // Paid
  await expect(page.locator('[data-status]').first()).toHaveAttribute('data-status', 'paid');
  await expect(page.getByText('Paid', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Record payment' })).toHaveCount(0);
  await expect(page.getByRole('row', { name: /Bank transfer 42/ })).toBeVisible();
  // The payment canceled every planned reminder: one row says so, with the reason.
  await expect(page.locator('[data-kind="reminder-planned"]')).toHaveCount(0);
  const stopped = page.locator('[data-kind="reminder-stopped"]');
  await expect(stopped).toHaveCount(1);
  await expect(stopped.first()).toContainText('canceled the');
  if (plannedCount > 1) await expect(stopped.first()).toContainText(`${plannedCount} remaining reminders`);
  await shot(page, 'flow-07-invoice-paid');

  // A reload restores the session from the HttpOnly cookie; no token is readable by scripts.
  await page.reload();
  await expect(page.getByRole('heading', { name: `Invoice ${invoiceNumber}`, level: 1 })).toBeVisible();
  await expect(page.locator('[data-status]').first()).toHaveAttribute('data-status', 'paid');
  const readable = await page.evaluate(() => ({
    local: JSON.stringify({ ...window.localStorage }),
    session: JSON.stringify({ ...window.sessionStorage }),
    cookies: document.cookie,
  }));
  expect(readable.local).not.toMatch(/token|eyJ/i);
  expect(readable.session).not.toMatch(/token|eyJ/i);
  expect(readable.cookies).not.toContain('duespark_refresh');

  // Sign out: the cookie is gone, so a reload stays signed out.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to DueSpark' })).toBeVisible();
  await page.goto(invoiceUrl);
  await expect(page).toHaveURL(/\/signin\?next=/);
  await expect(page.getByRole('heading', { name: 'Sign in to DueSpark' })).toBeVisible();

  // Sign back in with the keyboard only; DueSpark returns to the page that asked for it.
  await page.getByRole('textbox', { name: 'Email' }).focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('correct-horse-battery');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: `Invoice ${invoiceNumber}`, level: 1 })).toBeVisible();
});
