import { expect, test } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, DESKTOP, PHONE, expectAccessible, isoDate, shot, uniqueEmail } from './support';

/**
 * Settings › Webhooks against the real backend, with a receiver in this process on 127.0.0.1
 * (the server must run with DUESPARK_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true, as web/scripts/e2e.sh does):
 * `/ok` accepts everything, `/down` answers 503. With a worker running, the log fills within seconds.
 */

let receiver: Server;
let base = '';

test.beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const ok = request.url?.startsWith('/ok');
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(ok ? 'thanks' : 'Service Unavailable: maintenance until 18:00');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

test('webhook endpoints: add one, see the secret once, read the delivery log', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(DESKTOP);
  const api = await Api.signUp(page.request, { email: uniqueEmail('hooks'), name: 'Ada Lovelace', company_name: 'Ada Design' });
  const crm = await api.post<{ id: number }>('/api/webhooks/endpoints', {
    url: `${base}/ok/crm`,
    description: 'CRM sync <script>alert("x")</script>',
    event_types: ['invoice.created', 'invoice.paid', 'payment.recorded', 'client.created'],
  });
  await api.post('/api/webhooks/endpoints', {
    url: `${base}/down/ledger`,
    description: 'Old ledger',
    event_types: ['invoice.paid'],
  });
  const client = await api.post('/api/clients', { name: 'Acme GmbH', email: 'billing@acme.example' });
  const invoice = await api.post('/api/invoices', {
    client_id: client.id,
    number: 'INV-2001',
    amount: '1250.00',
    issue_date: isoDate(-20),
    due_date: isoDate(10),
  });
  await api.post(`/api/invoices/${invoice.id}/payments`, { amount: '1250.00', reference: 'Wire 5521' });
  await api.post(`/api/webhooks/endpoints/${crm.id}/test`, {});

  await page.goto('/settings?tab=webhooks');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  // The description is text, never markup.
  await expect(page.getByText('CRM sync <script>alert("x")</script>')).toBeVisible();

  await page.getByRole('button', { name: 'Add endpoint' }).first().click();
  await page.getByRole('textbox', { name: 'Endpoint URL' }).fill('ftp://files.example/drop');
  await page.getByRole('textbox', { name: 'Description' }).fill('Refused: not http(s)');
  await page.getByRole('form', { name: 'Add a webhook endpoint' }).getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByText('The URL must be http(s)')).toBeVisible();
  await page.getByRole('textbox', { name: 'Endpoint URL' }).fill(`${base}/ok/warehouse`);
  await page.getByRole('textbox', { name: 'Description' }).fill('Data warehouse');
  await page.getByRole('form', { name: 'Add a webhook endpoint' }).getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByText('Copy the signing secret now')).toBeVisible();
  await expect(page.getByText(/^whsec_/)).toBeVisible();
  await shot(page, 'settings-webhooks-secret-desktop');

  await page.getByRole('button', { name: 'Deliveries' }).first().click();
  await expect(page.getByRole('table', { name: 'Webhook deliveries' })).toBeVisible();
  // With a worker running, wait until the test event has an answer (up to ~20 s).
  await expect(page.getByText('HTTP 200').first())
    .toBeVisible({ timeout: 20_000 })
    .catch(() => undefined);
  await page.reload();
  await page.getByRole('button', { name: 'Deliveries' }).first().click();
  await expect(page.getByRole('table', { name: 'Webhook deliveries' })).toBeVisible();
  await page.getByRole('button', { name: 'Deliveries' }).nth(1).click();
  await shot(page, 'settings-webhooks-desktop');
  await expectAccessible(page, 'settings webhooks');

  await page.setViewportSize(PHONE);
  await shot(page, 'settings-webhooks-phone');
});
