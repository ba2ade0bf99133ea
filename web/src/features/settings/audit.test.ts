import { describe, expect, it } from 'vitest';
import { describeChanges } from './audit';

describe('describeChanges', () => {
  it('writes money fields with their currency, keeping other fields as recorded', () => {
    expect(
      describeChanges(
        {
          changes: { id: 7, amount_minor: 125000, currency: 'EUR', method: 'manual' },
          money: { amount_minor: { value: { amount: '1250.00', currency: 'EUR' }, before: null, after: null } },
        },
        'en-US',
      ),
    ).toEqual(['id: 7', 'amount: €1,250.00', 'currency: EUR', 'method: manual']);
  });

  it('writes both sides of an edit, each in its own currency', () => {
    expect(
      describeChanges(
        {
          changes: { amount_minor: { before: 125000, after: 5000 }, currency: { before: 'EUR', after: 'JPY' } },
          money: {
            amount_minor: {
              value: null,
              before: { amount: '1250.00', currency: 'EUR' },
              after: { amount: '5000', currency: 'JPY' },
            },
          },
        },
        'en-US',
      ),
    ).toEqual(['amount: €1,250.00 → ¥5,000', 'currency: EUR → JPY']);
  });

  it('follows the locale', () => {
    expect(
      describeChanges(
        {
          changes: { amount_minor: 125000 },
          money: { amount_minor: { value: { amount: '1250.00', currency: 'EUR' }, before: null, after: null } },
        },
        'de-DE',
      ),
    ).toEqual(['amount: 1.250,00\u00a0€']);
  });

  it('leaves numbers without money information as they are', () => {
    expect(
      describeChanges({ changes: { amount_minor: 125000, reminder_id: null, steps: [1] }, money: {} }, 'en-US'),
    ).toEqual(['amount_minor: 125000', 'reminder_id: —', 'steps: [1]']);
    expect(describeChanges({ changes: null, money: {} })).toEqual([]);
  });
});
