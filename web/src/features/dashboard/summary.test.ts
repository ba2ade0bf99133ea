import { describe, expect, it } from 'vitest';
import { makeInvoice } from '@/test/fixtures';
import { summarizeInvoices } from './hooks/queries';

describe('summarizeInvoices (dashboard fallback)', () => {
  it('totals outstanding and overdue balances per currency', () => {
    const now = new Date(2026, 2, 1);
    const { totals, aging } = summarizeInvoices(
      [
        makeInvoice({ balance: '0.10', due_date: '2026-03-10' }),
        makeInvoice({ balance: '0.20', status: 'overdue', due_date: '2026-02-20' }),
        makeInvoice({ balance: '50.00', status: 'partially_paid', currency: 'USD', due_date: '2025-11-01' }),
        makeInvoice({ balance: '999.00', status: 'paid' }),
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
