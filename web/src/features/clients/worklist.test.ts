import { describe, expect, it } from 'vitest';
import { describeOverdueDays, otherCurrenciesLine } from './worklist';

describe('describeOverdueDays', () => {
  it('counts exact days', () => {
    expect(describeOverdueDays(12)).toBe('12 days overdue');
    expect(describeOverdueDays(1)).toBe('1 day overdue');
    expect(describeOverdueDays(null)).toBe('—');
  });
});

describe('otherCurrenciesLine', () => {
  it('lists the balances outside the main currency', () => {
    expect(otherCurrenciesLine([{ currency: 'EUR', outstanding: '300.00', overdue: '300.00' }])).toBe(
      '+ €300.00 in another currency',
    );
    expect(
      otherCurrenciesLine([
        { currency: 'EUR', outstanding: '300.00', overdue: '0.00' },
        { currency: 'GBP', outstanding: '12.50', overdue: '0.00' },
      ]),
    ).toBe('+ €300.00, £12.50 in other currencies');
    expect(otherCurrenciesLine([])).toBe('');
  });
});
