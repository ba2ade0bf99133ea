import { describe, expect, it } from 'vitest';
import { syncSummary } from './accounting';

describe('syncSummary', () => {
  it('says what the sync changed, singular and plural', () => {
    expect(syncSummary({ invoices_created: 3, payments_recorded: 1, errors: 2 })).toBe(
      '3 new invoices, 1 payment recorded, 2 rows not taken',
    );
    expect(syncSummary({ clients_created: 1 })).toBe('1 new client');
  });

  it('says so when nothing changed, ignoring counts it does not know', () => {
    expect(syncSummary({})).toBe('No changes');
    expect(syncSummary({ invoices_skipped: 4 })).toBe('No changes');
  });
});
