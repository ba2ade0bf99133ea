import { describe, expect, it } from 'vitest';
import type { InsightsSummary } from '@/api/types';
import { compactMoney, orderCurrencies, otherCurrenciesLine } from './currencies';

type Row = InsightsSummary['currencies'][number];
const row = (currency: string, outstanding: string) => ({ currency, outstanding }) as Row;

describe('orderCurrencies', () => {
  const rows = [row('EUR', '5600.00'), row('GBP', '963.00'), row('USD', '12.00')];

  it('puts the default currency first, then the others by outstanding amount', () => {
    const { main, others } = orderCurrencies(rows, 'usd');
    expect(main?.currency).toBe('USD');
    expect(others.map((r) => r.currency)).toEqual(['EUR', 'GBP']);
  });

  it('leads with the largest other currency when nothing is in the default one', () => {
    const { main, others } = orderCurrencies([row('GBP', '963.00'), row('EUR', '5600.00')], 'USD');
    expect(main?.currency).toBe('EUR');
    expect(others.map((r) => r.currency)).toEqual(['GBP']);
  });

  it('has no main row without figures', () => {
    expect(orderCurrencies([], 'USD')).toEqual({ main: undefined, others: [] });
  });
});

describe('otherCurrenciesLine', () => {
  it('sums the others up on one line', () => {
    expect(otherCurrenciesLine([row('EUR', '5600.00'), row('GBP', '963.40')])).toBe('+ €5.6K, £963 outstanding in 2 other currencies');
    expect(otherCurrenciesLine([row('JPY', '120000')])).toBe('+ ¥120K outstanding in 1 other currency');
    expect(otherCurrenciesLine([])).toBe('');
  });

  it('formats small and large amounts compactly', () => {
    expect(compactMoney('999.99', 'USD')).toBe('$1,000');
    expect(compactMoney('1250000.00', 'EUR')).toBe('€1.3M');
  });
});
