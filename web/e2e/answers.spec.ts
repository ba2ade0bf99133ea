import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { Api, shot, uniqueEmail } from './support';

/**
 * The client's promise, end to end: a reminder goes, the client promises a date on the pay page, the worker
 * (run with --now on the same database) sends nothing until the date plus grace, and once it has passed unpaid
 * the "promise missed" email naming the date is in the invoice's outbox.
 */
const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString().slice(0, 10);

/** 10:00 UTC on the first weekday on or after `from` (inside the default send window, Mon–Fri 9–17). */
function weekdayTen(from: Date): Date {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), 10));
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

function runWorkerAt(at: Date) {
  const now = at.toISOString().replace('.000Z', 'Z');
  try {
    execFileSync(process.env.E2E_DUESPARK!, ['worker', '--once', '--now', now], {
      env: {
        ...process.env,
        DUESPARK_DATA_DIR: process.env.E2E_DATA_DIR!,
        DUESPARK_DATABASE_URL: process.env.E2E_DATABASE_URL!,
        DUESPARK_ENV: 'development',
      },
      stdio: 'pipe',
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`duespark worker --once --now ${now} failed:\n${stderr.slice(-2000)}`);
  }
}

interface Message {
  kind: string;
  subject: string;
  status: string;
}

test('a client promises a date on the pay page; missed, the promise-missed email goes out', async ({ page, request }) => {
  test.skip(!process.env.E2E_DUESPARK, 'needs web/scripts/e2e.sh (the worker runs on the server database)');
  test.setTimeout(180_000);
  const api = await Api.signUp(request, { email: uniqueEmail('answers'), name: 'Ada Lovelace', company_name: 'Ada Design' });
  await api.patch('/api/account', { timezone: 'UTC' });
  const today = new Date();
  const customer = await api.post('/api/clients', { name: 'Jordan Miller', email: 'jordan@globex.example.com', timezone: 'UTC' });
  const invoice = await api.post<{ id: number }>('/api/invoices', {
    client_id: customer.id,
    number: `PROMISE-${Date.now()}`,
    amount: '1250.00',
    currency: 'EUR',
    issue_date: iso(new Date(today.getTime() - 20 * DAY)),
    due_date: iso(new Date(today.getTime() - 5 * DAY)),
  });
  const messages = async () =>
    (await api.get<{ items: Message[] }>(`/api/invoices/${invoice.id}/messages`)).items.filter((m) => m.status === 'sent');

  // A reminder goes out (test mode: to the owner).
  const first = weekdayTen(new Date(today.getTime() + DAY));
  runWorkerAt(first);
  await expect.poll(async () => (await messages()).map((m) => m.kind)).toEqual(['reminder']);

  // The client opens the pay link and promises a date two days after that reminder.
  const promised = new Date(first.getTime() + 2 * DAY);
  const link = await api.get<{ payment_url: string }>(`/api/invoices/${invoice.id}/payment-link`);
  await page.goto(new URL(link.payment_url).pathname);
  await page.getByRole('link', { name: 'Promise a date, ask a question, or tell us you paid' }).click();
  await page.getByText('Promise to pay by a date').click();
  await page.getByLabel('I will pay by').fill(iso(promised));
  await shot(page, 'answers-01-promise');
  await page.getByRole('button', { name: 'Promise this date' }).click();
  await expect(page.getByRole('status')).toContainText('You promised to pay by');
  await shot(page, 'answers-02-promised');

  // Quiet through the promised date and the two grace days.
  for (let day = 1; day <= 4; day += 1) runWorkerAt(new Date(first.getTime() + day * DAY));
  expect((await messages()).map((m) => m.kind)).toEqual(['reminder']);

  // The date has passed unpaid: the promise-missed email names it.
  runWorkerAt(weekdayTen(new Date(promised.getTime() + 3 * DAY)));
  const sent = await messages();
  expect(sent.map((m) => m.kind)).toEqual(['reminder', 'promise_missed']);
  const written = promised.toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
  expect(sent[1]!.subject).toContain(`payment promised for ${written} has not arrived`);
});
