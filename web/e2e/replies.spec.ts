import { expect, test } from '@playwright/test';
import { Api, DESKTOP, expectAccessible, isoDate, PHONE, shot, uniqueEmail } from './support';

// The server runs with DUESPARK_INBOUND_DOMAIN and these credentials (see the report's command line).
const INBOUND_AUTH = `Basic ${Buffer.from(`${process.env.E2E_INBOUND_USER ?? 'inbound'}:${process.env.E2E_INBOUND_PASSWORD ?? 'inbound-password-e2e-0123456789'}`).toString('base64')}`;

/** A Gmail-shaped reply: the newest text, a signature, and the quoted reminder below "On ... wrote:". */
function gmailReply(to: string, invoiceNumber: string): string {
  return [
    'From: John Smith <john@globex.example>',
    `To: Replies Studio <${to}>`,
    `Subject: Re: Invoice ${invoiceNumber} is overdue`,
    'Date: Thu, 03 Dec 2026 09:12:00 +0000',
    `Message-ID: <CAJx8-${Date.now()}@mail.gmail.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hi Rita,',
    '',
    'We paid it yesterday by bank transfer, reference 4411 <script>alert(1)</script>.',
    'Could you check on your side before the next reminder?',
    '',
    'Best regards,',
    'John Smith',
    'Accounts Payable, Globex',
    '',
    `On Wed, 2 Dec 2026 at 10:00, Replies Studio <${to}> wrote:`,
    '> Hello John,',
    `> Invoice ${invoiceNumber} for 1,250.00 EUR is overdue.`,
    '',
  ].join('\r\n');
}

test('a client’s reply in the invoice timeline, answered from DueSpark', async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  const api = await Api.signUp(page.request, { email: uniqueEmail('replies'), name: 'Rita Reply', company_name: 'Replies Studio' });
  const globex = await api.post('/api/clients', { name: 'Globex Ltd', email: 'john@globex.example' });
  const invoice = await api.post<{ id: number; number: string }>('/api/invoices', {
    client_id: globex.id,
    number: 'INV-2026-041',
    amount: '1250.00',
    issue_date: isoDate(-40),
    due_date: isoDate(-10),
  });
  const preview = await api.post<{ reply_to: string }>('/api/reminders/preview', { invoice_id: invoice.id, template_key: 'firm' });
  const address = /<(reply\+[^>]+)>/.exec(preview.reply_to)?.[1];
  expect(address, preview.reply_to).toBeTruthy();

  const filed = await page.request.post(`/api/inbound/raw?rcpt=${encodeURIComponent(address!)}`, {
    data: gmailReply(address!, invoice.number),
    headers: { Authorization: INBOUND_AUTH, 'Content-Type': 'message/rfc822' },
  });
  expect(await filed.json()).toMatchObject({ status: 'filed' });

  await page.goto(`/invoices/${invoice.id}`);
  const activity = page.getByRole('list', { name: 'Invoice activity' });
  const reply = activity.getByTestId('reply-text');
  await expect(reply).toHaveText(
    'Hi Rita,\n\nWe paid it yesterday by bank transfer, reference 4411 <script>alert(1)</script>.\nCould you check on your side before the next reminder?',
  );
  await expect(activity).not.toContainText('wrote:');
  await expect(activity).not.toContainText('Accounts Payable');
  await expect(activity).toContainText('John Smith');
  await shot(page, 'replies-timeline-desktop');

  await activity.getByRole('button', { name: 'Answer', exact: true }).click();
  await page.getByRole('textbox', { name: 'Answer John Smith' }).fill('Thanks John, I see it arrived this morning. All settled!');
  await shot(page, 'replies-answer-box-desktop');
  await page.getByRole('button', { name: 'Send answer' }).click();
  await expect(activity).toContainText('answered John Smith');
  await expect(activity).toContainText('Thanks John, I see it arrived this morning. All settled!');
  await expectAccessible(page, 'invoice with a reply');
  await shot(page, 'replies-answered-desktop');

  const unanswered = await api.get<{ total: number }>('/api/replies?state=unanswered');
  expect(unanswered.total).toBe(0);

  await page.setViewportSize(PHONE);
  await page.reload();
  await expect(page.getByTestId('reply-text')).toBeVisible();
  await shot(page, 'replies-answered-phone');
});
