import type { Invoice } from '@/api/types';
import { STATUS_META } from '@/lib/status';
import { toCsv } from '@/lib/csv';

export const INVOICE_CSV_HEADER = [
  'number',
  'client',
  'status',
  'currency',
  'amount',
  'fees',
  'amount_paid',
  'balance',
  'issue_date',
  'due_date',
  'paid_at',
  'description',
] as const;

/** Invoices as CSV text; every cell is neutralized against spreadsheet formula injection. */
export function invoicesToCsv(invoices: readonly Invoice[]): string {
  return toCsv(
    INVOICE_CSV_HEADER,
    invoices.map((invoice) => [
      invoice.number,
      invoice.client_name,
      STATUS_META[invoice.status]?.label ?? invoice.status,
      invoice.currency,
      invoice.amount,
      invoice.fees,
      invoice.amount_paid,
      invoice.balance,
      invoice.issue_date,
      invoice.due_date,
      invoice.paid_at ?? '',
      invoice.description ?? '',
    ]),
  );
}
