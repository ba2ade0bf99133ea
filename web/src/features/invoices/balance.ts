import type { Invoice } from '@/api/types';
import { formatMoney, isZero } from '@/lib/money';

type Amounts = Pick<Invoice, 'status' | 'amount' | 'amount_paid' | 'balance' | 'total' | 'currency'>;

/**
 * One line saying where an invoice's money stands: "Paid $2,000.00 of $5,927.99" once partly paid,
 * "Paid in full", "$5,927.99 due", or "Void".
 */
export function describeBalance(invoice: Amounts): string {
  const money = (value: string) => formatMoney(value, invoice.currency);
  if (invoice.status === 'void') return 'Void';
  if (invoice.status === 'paid') return 'Paid in full';
  const total = invoice.total || invoice.amount;
  if (!isZero(invoice.amount_paid || '0', invoice.currency)) return `Paid ${money(invoice.amount_paid)} of ${money(total)}`;
  return `${money(invoice.balance)} due`;
}
