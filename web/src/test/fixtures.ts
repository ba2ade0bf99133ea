import type { Invoice } from '@/api/types';

let nextId = 1;

/** An invoice as `GET /api/invoices/{invoice_id}` answers it, with any field overridden. */
export function makeInvoice(over: Partial<Invoice> = {}): Invoice {
  const id = nextId++;
  return {
    id,
    client_id: 1,
    client_name: 'Acme',
    number: `INV-${id}`,
    amount: '100.00',
    currency: 'EUR',
    issue_date: '2026-01-01',
    due_date: '2026-02-01',
    description: null,
    external_id: null,
    status: 'open',
    fees: '0.00',
    total: '100.00',
    amount_paid: '0.00',
    balance: '100.00',
    paid_at: null,
    voided_at: null,
    reminders_excluded: false,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  };
}
