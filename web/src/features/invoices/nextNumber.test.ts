import { describe, expect, it } from 'vitest';
import { nextInvoiceNumber } from './nextNumber';

describe('nextInvoiceNumber', () => {
  it('counts on from the last number, keeping its padding', () => {
    expect(nextInvoiceNumber('INV-041')).toBe('INV-042');
    expect(nextInvoiceNumber('INV-0009')).toBe('INV-0010');
    expect(nextInvoiceNumber('INV-999')).toBe('INV-1000');
    expect(nextInvoiceNumber('7')).toBe('8');
  });

  it('counts the last run of digits and keeps what follows it', () => {
    expect(nextInvoiceNumber('2026-07')).toBe('2026-08');
    expect(nextInvoiceNumber('2026/099-B')).toBe('2026/100-B');
    expect(nextInvoiceNumber('12345678901234567890')).toBe('12345678901234567891');
  });

  it('suggests nothing without digits or a last number', () => {
    expect(nextInvoiceNumber('DRAFT')).toBeNull();
    expect(nextInvoiceNumber('')).toBeNull();
    expect(nextInvoiceNumber(null)).toBeNull();
  });
});
