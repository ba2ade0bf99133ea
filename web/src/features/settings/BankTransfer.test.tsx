import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('Bank transfer settings', () => {
  it('sends only the fields of the chosen kind and shows the API’s error on its field', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { BankTransferSection } = await import('./components/BankTransferSection');
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        if (path === '/api/bank-accounts' && request.method === 'GET') return json(200, []);
        if (path === '/api/bank-accounts' && request.method === 'POST') {
          bodies.push(await request.json());
          return json(422, { error: 'ValidationError', detail: [{ field: 'sort_code', message: 'A sort code has 6 digits, such as 20-00-00.' }] });
        }
        return json(404, { error: 'NotFound' });
      }),
    );
    renderWithProviders(<BankTransferSection />);
    await userEvent.click(await screen.findByRole('button', { name: 'Add bank account' }));
    await userEvent.clear(screen.getByRole('textbox', { name: /Currency/ }));
    await userEvent.type(screen.getByRole('textbox', { name: /Currency/ }), 'gbp');
    await userEvent.type(screen.getByRole('textbox', { name: /Payee name/ }), 'Studio Nord Ltd');
    await userEvent.type(screen.getByRole('textbox', { name: 'IBAN' }), 'GB29 NWBK 6016 1331 9268 19');
    await userEvent.click(screen.getByRole('radio', { name: 'UK sort code' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Account number' }), '31926819');
    await userEvent.type(screen.getByRole('textbox', { name: 'Sort code' }), '60-16');
    await userEvent.click(screen.getByRole('button', { name: 'Save bank account' }));
    expect(await screen.findByText('A sort code has 6 digits, such as 20-00-00.')).toBeInTheDocument();
    expect(bodies).toEqual([
      {
        currency: 'GBP',
        payee_name: 'Studio Nord Ltd',
        iban: null,
        bic: null,
        account_number: '31926819',
        sort_code: '60-16',
        routing_number: null,
        reference_format: '{invoice_number}',
        structured_reference: false,
        payee_street: null,
        payee_house_number: null,
        payee_postcode: null,
        payee_town: null,
        payee_country: null,
      },
    ]);
  });
});
