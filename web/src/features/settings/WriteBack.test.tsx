import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const XERO = {
  provider: 'xero',
  label: 'Xero',
  configured: true,
  status: 'connected',
  organisation: 'Acme Books Ltd',
  syncing: false,
  last_sync_started_at: '2026-12-04T09:00:00Z',
  last_sync_finished_at: '2026-12-04T09:00:05Z',
  next_sync_at: '2026-12-04T09:15:00Z',
  last_error: null,
  write_back_payments: false,
  payment_account: null,
  counts: { payments_written_back: 2 },
  errors: [],
};

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('Writing card payments back to the books', () => {
  it('asks Xero’s bank account code before saving, then sends one PATCH', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { AccountingSection } = await import('./components/AccountingSection');
    const patches: unknown[] = [];
    let current = XERO;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        if (request.method === 'PATCH' && path === '/api/integrations/xero') {
          const body = (await request.json()) as Record<string, unknown>;
          patches.push(body);
          current = { ...XERO, write_back_payments: true, payment_account: body.payment_account as null };
          return json(200, current);
        }
        if (path === '/api/integrations') return json(200, { items: [current] });
        return json(404, { error: 'NotFound' });
      }),
    );
    renderWithProviders(<AccountingSection />);
    expect(await screen.findByText(/2 card payments written to the books/)).toBeInTheDocument();
    const toggle = screen.getByRole('switch', { name: /Write card payments back to Xero/ });
    expect(toggle).not.toBeChecked();

    await userEvent.click(toggle);
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    expect(screen.getByText('Needed: Xero records a payment into a bank account')).toBeInTheDocument();
    await userEvent.type(screen.getByRole('textbox', { name: /Xero bank account code/ }), ' 090 ');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    await vi.waitFor(() => expect(patches).toEqual([{ write_back_payments: true, payment_account: '090' }]));
    await vi.waitFor(() => expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument());
  });
});
