import type { ClientListItem } from '@/api/types';
import { formatMoney } from '@/lib/money';

/** "12 days overdue", "1 day overdue", "Due today" (0) or "—" when nothing is overdue. */
export function describeOverdueDays(days: number | null): string {
  if (days === null) return '—';
  if (days <= 0) return 'Due today';
  return `${days} ${days === 1 ? 'day' : 'days'} overdue`;
}

/** "+ €300.00, £12.50 in other currencies": balances the main figure does not include. */
export function otherCurrenciesLine(balances: ClientListItem['other_currencies']): string {
  if (balances.length === 0) return '';
  const amounts = balances.map((b) => formatMoney(b.outstanding, b.currency)).join(', ');
  return `+ ${amounts} in ${balances.length === 1 ? 'another currency' : 'other currencies'}`;
}
