import { createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { Api, DESKTOP, PHONE, expectAccessible, isoDate, shot, uniqueEmail } from './support';

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as an authenticator app computes it. */
function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

test('two-factor enrolment, the sign-in code step, and the audit log', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const email = uniqueEmail('security');
  const api = await Api.signUp(page.request, { email, name: 'Ada Lind', company_name: 'Studio Nord' });
  const client = await api.post('/api/clients', { name: 'Globex <b>Ltd</b>', email: 'ap@globex.example.com' });
  const invoice = await api.post('/api/invoices', {
    client_id: client.id,
    number: 'INV-7001',
    amount: '1250.00',
    issue_date: isoDate(-20),
    due_date: isoDate(10),
  });
  await api.patch(`/api/invoices/${invoice.id}`, { amount: '1320.50', description: 'Design sprint <script>alert(1)</script>' });
  await api.post(`/api/invoices/${invoice.id}/payments`, { amount: '300.00' });
  await api.post('/api/tokens', { name: '<img src=x onerror=alert(1)> sync' });

  // Enrol: the QR code and the key, at both widths.
  await page.setViewportSize(DESKTOP);
  await page.goto('/settings?tab=security');
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await shot(page, 'desktop-2fa-enrol');
  await expectAccessible(page, '2fa-enrol');
  await page.setViewportSize(PHONE);
  await shot(page, 'phone-2fa-enrol');
  await page.setViewportSize(DESKTOP);

  const secret = (await page.getByLabel('Secret key').textContent())!.trim();
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.getByText('Save your recovery codes now')).toBeVisible();
  await shot(page, 'desktop-2fa-recovery-codes');
  await page.getByRole('button', { name: 'I’ve saved them' }).click();
  await expect(page.getByText('of 10 recovery codes left')).toBeVisible();
  await shot(page, 'desktop-2fa-on-and-sessions');

  // Another browser signs in: the password alone asks for the code.
  const other = await browser.newContext({ viewport: PHONE });
  const phone = await other.newPage();
  await phone.goto('/signin');
  await phone.getByLabel('Email').fill(email);
  await phone.getByLabel('Password').fill('correct-horse-battery');
  await phone.getByRole('button', { name: 'Sign in' }).click();
  await expect(phone.getByLabel('Authentication code')).toBeVisible();
  await shot(phone, 'phone-2fa-sign-in-step');
  await phone.getByLabel('Authentication code').fill('000000');
  await phone.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(phone.getByRole('alert')).toContainText('code, email or password is wrong');
  // The enrolment used this window's code; wait for the next one (a code signs in once).
  const nextWindow = (Math.floor(Date.now() / 30_000) + 1) * 30_000;
  await phone.waitForTimeout(nextWindow - Date.now() + 500);
  await phone.getByLabel('Authentication code').fill(totp(secret));
  await phone.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(phone).not.toHaveURL(/signin/);
  await other.close();

  // The audit log, with a filter in the URL.
  await page.goto('/settings?tab=audit');
  await expect(page.getByText('Invoice edited').filter({ visible: true }).first()).toBeVisible();
  await expect(page.getByText('description: — → Design sprint <script>alert(1)</script>').filter({ visible: true })).toBeVisible();
  await shot(page, 'desktop-audit-log');
  await expectAccessible(page, 'audit-log');
  await page.setViewportSize(PHONE);
  await shot(page, 'phone-audit-log');
  await page.setViewportSize(DESKTOP);
  await page.goto('/settings?tab=audit&action=invoice.edited');
  await expect(page.getByText('Payment recorded').filter({ visible: true })).toHaveCount(0);
  await expect(page.getByText('amount: €1,250.00 → €1,320.50').filter({ visible: true })).toBeVisible();
  await shot(page, 'desktop-audit-log-filtered');
});
