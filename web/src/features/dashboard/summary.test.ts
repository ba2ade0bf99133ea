import { describe, expect, it } from 'vitest';
import type { Invoice } from '@/api/types';
import { summarizeInvoices } from './hooks/queries';

function invoice(over: Partial<Invoice>): Invoice {
  return {
    id: Math.random().toString(36),
    client_id: 'c',
    client_name: 'C',
    number: 'N',
    amount: '100.00',
    currency: 'EUR',
    issue_date: '2026-01-01',
    due_date: '2026-02-01',
    description: null,
    status: 'open',
    amount_paid: '0.00',
    balance: '100.00',
    paid_at: null,
    voided_at: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  };
}

describe('summarizeInvoices (dashboard fallback)', () => {
  it('totals outstanding and overdue balances per currency', () => {
    const now = new Date(2026, 2, 1);
    const { totals, aging } = summarizeInvoices(
      [
        invoice({ balance: '0.10', due_date: '2026-03-10' }),
        invoice({ balance: '0.20', status: 'overdue', due_date: '2026-02-20' }),
        invoice({ balance: '50.00', status: 'partially_paid', currency: 'USD', due_date: '2025-11-01' }),
        invoice({ balance: '999.00', status: 'paid' }),
      ],
      now,
    );
    expect(totals).toEqual([
      { currency: 'EUR', outstanding: '0.30', overdue: '0.20', openCount: 2, overdueCount: 1 },
      { currency: 'USD', outstanding: '50.00', overdue: '0.00', openCount: 1, overdueCount: 0 },
    ]);
    expect(aging.find((a) => a.currency === 'EUR' && a.bucket === '1–30 days')?.amount).toBe('0.20');
    expect(aging.find((a) => a.currency === 'USD' && a.bucket === '90+ days')?.amount).toBe('50.00');
  });
});
