import type { InsightsSummary } from '@/api/types';

type Row = InsightsSummary['currencies'][number];

/** A short amount for a one-line summary: "€5.6K", "£963", "¥120K" (the exact one is on the card). */
export function compactMoney(amount: string, currency: string, locale?: string): string {
  const value = Number(amount);
  return new Intl.NumberFormat(locale ?? 'en-US', {
    style: 'currency',
    currency,
    notation: Math.abs(value) >= 1000 ? 'compact' : 'standard',
    maximumFractionDigits: Math.abs(value) >= 1000 ? 1 : 0,
  }).format(value);
}

/**
 * The account's default currency first (the one the person thinks in), then the others by how
 * much is outstanding in them, largest first (alphabetical among equals). Without any figure in
 * the default currency, the first of the others leads.
 */
export function orderCurrencies(rows: readonly Row[], defaultCurrency: string | undefined): { main: Row | undefined; others: Row[] } {
  const code = defaultCurrency?.toUpperCase();
  const main = rows.find((row) => row.currency === code);
  const others = rows
    .filter((row) => row !== main)
    .sort((a, b) => Number(b.outstanding) - Number(a.outstanding) || a.currency.localeCompare(b.currency));
  if (main) return { main, others };
  return { main: others[0], others: others.slice(1) };
}

/** "+ €5.6K, £963 in 2 other currencies" (outstanding amounts); '' without other currencies. */
export function otherCurrenciesLine(others: readonly Row[], locale?: string): string {
  if (others.length === 0) return '';
  const amounts = others.map((row) => compactMoney(row.outstanding, row.currency, locale)).join(', ');
  return `+ ${amounts} outstanding in ${others.length} other ${others.length === 1 ? 'currency' : 'currencies'}`;
}
