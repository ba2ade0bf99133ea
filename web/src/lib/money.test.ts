import { describe, expect, it } from 'vitest';
import { addMoney, compareMoney, currencyDigits, formatMoney, fromMinorUnits, sumByCurrency, toMinorUnits } from './money';

describe('money', () => {
  it('formats decimal strings per currency and locale', () => {
    expect(formatMoney('1250.00', 'EUR', { locale: 'en-US' })).toBe('€1,250.00');
    expect(formatMoney('1250.5', 'USD', { locale: 'en-US' })).toBe('$1,250.50');
    expect(formatMoney('1250', 'JPY', { locale: 'en-US' })).toBe('¥1,250');
    expect(formatMoney('1250.00', 'EUR', { locale: 'de-DE' })).toBe('1.250,00\u00a0€');
    expect(formatMoney('-42.10', 'GBP', { locale: 'en-GB' })).toBe('-£42.10');
  });

  it('keeps every digit of amounts too large for a float', () => {
    expect(formatMoney('90071992547409931.07', 'USD', { locale: 'en-US' })).toBe('$90,071,992,547,409,931.07');
  });

  it('handles missing or malformed amounts without throwing', () => {
    expect(formatMoney(null, 'EUR')).toBe('—');
    expect(formatMoney('abc', 'EUR')).toBe('abc EUR');
  });

  it('converts to and from minor units exactly', () => {
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
    expect(toMinorUnits('1250.5', 'EUR')).toBe(125050n);
    expect(toMinorUnits('0.005', 'EUR')).toBe(1n);
    expect(toMinorUnits('-3.10', 'EUR')).toBe(-310n);
    expect(fromMinorUnits(125050n, 'EUR')).toBe('1250.50');
    expect(fromMinorUnits(5n, 'EUR')).toBe('0.05');
    expect(fromMinorUnits(-5n, 'EUR')).toBe('-0.05');
    expect(fromMinorUnits(1250n, 'JPY')).toBe('1250');
    expect(() => toMinorUnits('1e3', 'EUR')).toThrow(RangeError);
  });

  it('adds without float error', () => {
    expect(addMoney('EUR', '0.10', '0.20')).toBe('0.30');
    expect(addMoney('EUR')).toBe('0.00');
    expect(compareMoney('10.00', '9.99', 'EUR')).toBe(1);
    expect(compareMoney('10', '10.00', 'EUR')).toBe(0);
  });

  it('sums per currency', () => {
    const totals = sumByCurrency(
      [
        { amount: '0.10', currency: 'EUR' },
        { amount: '0.20', currency: 'eur' },
        { amount: '5', currency: 'USD' },
      ],
      (x) => x,
    );
    expect(totals).toEqual([
      { currency: 'EUR', amount: '0.30', count: 2 },
      { currency: 'USD', amount: '5.00', count: 1 },
    ]);
  });
});
