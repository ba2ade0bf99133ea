import type { AuditEntry } from '@/api/types';
import { formatMoney } from '@/lib/money';

type Money = { amount: string; currency: string } | null | undefined;

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function showMoney(money: Money, raw: unknown, locale?: string): string {
  return money ? formatMoney(money.amount, money.currency, { locale }) : show(raw);
}

/**
 * "field: before → after" for edits, "field: value" for facts; plain text, so React escapes it.
 * Money fields (`amount_minor: 125000`) read as money ("amount: €1,250.00") with the currency the API
 * gives in `money`; without it they stay as recorded.
 */
export function describeChanges(entry: Pick<AuditEntry, 'changes' | 'money'>, locale?: string): string[] {
  const { changes } = entry;
  if (!changes) return [];
  const money = entry.money ?? {};
  return Object.entries(changes).map(([field, value]) => {
    const amounts = money[field];
    const label = amounts ? field.replace(/_minor$/, '') : field;
    if (value && typeof value === 'object' && 'before' in value && 'after' in value) {
      const { before, after } = value as { before: unknown; after: unknown };
      return `${label}: ${showMoney(amounts?.before, before, locale)} → ${showMoney(amounts?.after, after, locale)}`;
    }
    return `${label}: ${showMoney(amounts?.value, value, locale)}`;
  });
}
