import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepFee } from '@/api/types';
import { FeeInput } from '@/features/reminders/components/FeeInput';
import { makeInvoice } from '@/test/fixtures';
import { renderWithProviders } from '@/test/render';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('LateFeesCard', () => {
  it('lists the invoice amount, each fee with how it was worked out, and the total', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { LateFeesCard } = await import('./components/LateFeesCard');
    const paths: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        paths.push(new URL(request.url).pathname);
        return json(200, {
          items: [
            {
              id: 1,
              invoice_id: 7,
              kind: 'percent',
              amount: '50.00',
              currency: 'EUR',
              description: 'Late fee: 5% of €1,000.00 unpaid, with the reminder 7 days after the due date',
              step_key: 'd+7',
              reminder_id: 3,
              period_start: null,
              period_end: null,
              created_at: '2026-11-25T10:00:00Z',
              waived_at: null,
            },
          ],
        });
      }),
    );
    const invoice = makeInvoice({ id: 7, amount: '1000.00', fees: '50.00', total: '1050.00', balance: '1050.00' });
    renderWithProviders(<LateFeesCard invoice={invoice} />);
    const table = await screen.findByRole('table', { name: 'Late fees and interest' });
    expect(await within(table).findByText(/5% of €1,000.00 unpaid/)).toBeInTheDocument();
    expect(within(table).getByText('Invoice amount')).toBeInTheDocument();
    expect(within(table).getByTestId('invoice-total')).toHaveTextContent('1,050.00');
    expect(paths).toEqual(['/api/invoices/7/adjustments']);
  });
});

describe('LateFeesCard waiving', () => {
  const fee = (waivedAt: string | null) => ({
    id: 4,
    invoice_id: 7,
    kind: 'fixed',
    amount: '40.00',
    currency: 'EUR',
    description: 'Late fee, with the reminder 7 days after the due date',
    step_key: 'd+7',
    reminder_id: 3,
    period_start: null,
    period_end: null,
    created_at: '2026-11-20T10:00:00Z',
    waived_at: waivedAt,
  });

  it('waives a fee after confirming, then shows it waived', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { LateFeesCard } = await import('./components/LateFeesCard');
    const calls: string[] = [];
    let waived: string | null = null;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        calls.push(`${request.method} ${path}`);
        if (request.method === 'POST') {
          waived = '2026-11-25T12:00:00Z';
          return json(200, fee(waived));
        }
        return json(200, { items: [fee(waived)] });
      }),
    );
    const invoice = makeInvoice({ id: 7, status: 'overdue', fees: '40.00', total: '1040.00', balance: '1040.00' });
    renderWithProviders(<LateFeesCard invoice={invoice} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Waive' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('40.00');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Waive fee' }));
    expect(await screen.findByText(/Waived on/)).toBeInTheDocument();
    expect(calls).toContain('POST /api/invoices/7/adjustments/4/waive');
    expect(screen.queryByRole('button', { name: 'Waive' })).not.toBeInTheDocument();
  });

  it('offers no waiver on a paid invoice', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { LateFeesCard } = await import('./components/LateFeesCard');
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json(200, { items: [fee(null)] })),
    );
    const invoice = makeInvoice({ id: 7, status: 'paid', fees: '40.00', total: '1040.00', balance: '0.00' });
    renderWithProviders(<LateFeesCard invoice={invoice} />);
    expect(await screen.findByText(/7 days after the due date/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Waive' })).not.toBeInTheDocument();
  });
});

describe('FeeInput', () => {
  function Harness({ initial }: { initial: StepFee | null }) {
    const [fee, setFee] = useState<StepFee | null>(initial);
    return (
      <>
        <FeeInput label="Step 1" value={fee} onChange={setFee} errors={undefined} />
        <output data-testid="fee">{JSON.stringify(fee)}</output>
      </>
    );
  }

  it('asks for the value the kind needs and shows the API’s message on it', async () => {
    renderWithProviders(<Harness initial={{ kind: 'percent', percent: '5' }} />);
    const percent = screen.getByLabelText('Step 1 fee percent');
    expect(percent).toHaveValue('5');
    await userEvent.clear(percent);
    await userEvent.type(percent, '2.5');
    expect(screen.getByTestId('fee')).toHaveTextContent('{"kind":"percent","percent":"2.5"}');
    expect(screen.queryByLabelText('Step 1 fee amount')).not.toBeInTheDocument();
  });

  it('shows no value field without a fee', () => {
    renderWithProviders(<Harness initial={null} />);
    expect(screen.getByDisplayValue('No late fee')).toBeInTheDocument();
    expect(screen.queryByLabelText('Step 1 fee percent')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Step 1 annual interest rate')).not.toBeInTheDocument();
  });
});
