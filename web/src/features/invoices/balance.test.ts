import { describe, expect, it } from 'vitest';
import { describeBalance } from './balance';

const base = { currency: 'USD', amount: '5927.99', total: '5927.99', amount_paid: '0.00', balance: '5927.99' };

describe('describeBalance', () => {
  it('says how much of the total is paid once partly paid, overdue or not', () => {
    expect(describeBalance({ ...base, status: 'partially_paid', amount_paid: '2000.00', balance: '3927.99' })).toBe(
      'Paid $2,000.00 of $5,927.99',
    );
    expect(describeBalance({ ...base, status: 'overdue', amount_paid: '2000.00', balance: '3927.99' })).toBe(
      'Paid $2,000.00 of $5,927.99',
    );
  });

  it('counts late fees in the total', () => {
    expect(
      describeBalance({ ...base, status: 'overdue', total: '5967.99', amount_paid: '100.00', balance: '5867.99' }),
    ).toBe('Paid $100.00 of $5,967.99');
  });

  it('shows what is due when nothing is paid, and settled states in words', () => {
    expect(describeBalance({ ...base, status: 'open' })).toBe('$5,927.99 due');
    expect(describeBalance({ ...base, status: 'paid', amount_paid: '5927.99', balance: '0.00' })).toBe('Paid in full');
    expect(describeBalance({ ...base, status: 'void' })).toBe('Void');
  });
});
