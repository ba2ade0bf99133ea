import { describe, expect, it } from 'vitest';
import type { StatementEntry } from '@/api/types';
import { entryExplanation, entryTone, filterEntries, statementFileProblem, strongMatches } from './reconcile';

function entry(overrides: Partial<StatementEntry>): StatementEntry {
  return {
    id: 1,
    statement_id: 1,
    booking_date: '2026-11-20',
    amount: '1250.00',
    currency: 'EUR',
    payer_name: 'ACME GMBH',
    remittance: 'INV-1042',
    creditor_reference: null,
    bank_reference: null,
    status: 'open',
    skip_reason: null,
    proposal: null,
    match_note: null,
    invoice_id: null,
    invoice_number: null,
    applied_amount: null,
    unapplied_amount: null,
    confidence: null,
    explanation: null,
    decided_at: null,
    ...overrides,
  };
}

const proposal = (level: 'strong' | 'medium' | 'weak', confidence: number) => ({
  invoice_id: 7,
  invoice_number: 'INV-1042',
  client_name: 'Acme GmbH',
  balance: '1250.00',
  confidence,
  level,
  explanation: 'reference INV-1042 in the remittance text; amount equals the balance',
  apply_amount: '1250.00',
  unapplied_amount: '0.00',
});

describe('strongMatches', () => {
  it('sends only open entries with a strong proposal', () => {
    const entries = [
      entry({ id: 1, proposal: proposal('strong', 90) }),
      entry({ id: 2, proposal: proposal('medium', 70) }),
      entry({ id: 3, status: 'confirmed', proposal: proposal('strong', 100) }),
      entry({ id: 4 }),
      entry({ id: 5, proposal: proposal('strong', 100) }),
    ];
    expect(strongMatches(entries)).toEqual([{ entry_id: 1 }, { entry_id: 5 }]);
  });
});

describe('entryTone and entryExplanation', () => {
  it('shows the proposal strength and its words while open', () => {
    const open = entry({ proposal: proposal('medium', 70) });
    expect(entryTone(open)).toEqual({ label: 'Medium 70%', color: 'yellow' });
    expect(entryExplanation(open)).toBe('reference INV-1042 in the remittance text; amount equals the balance');
  });

  it('says why nothing is proposed, why skipped, and what was recorded', () => {
    expect(entryTone(entry({}))).toEqual({ label: 'No match', color: 'orange' });
    expect(entryExplanation(entry({ match_note: 'no open EUR invoice matches' }))).toBe('no open EUR invoice matches');
    const skipped = entry({ status: 'skipped', skip_reason: 'reversal of an earlier booking, not a payment' });
    expect(entryTone(skipped).label).toBe('Skipped');
    expect(entryExplanation(skipped)).toBe('reversal of an earlier booking, not a payment');
    const capped = entry({
      status: 'confirmed',
      invoice_number: 'INV-1044',
      applied_amount: '400.00',
      unapplied_amount: '850.00',
    });
    expect(entryExplanation(capped)).toBe('Recorded 400.00 EUR on INV-1044; 850.00 EUR unapplied');
    expect(entryExplanation({ ...capped, unapplied_amount: '0.00' })).toBe('Recorded 400.00 EUR on INV-1044');
  });
});

describe('filterEntries', () => {
  it('splits what needs a decision from what is done', () => {
    const entries = [entry({ id: 1 }), entry({ id: 2, status: 'rejected' }), entry({ id: 3, status: 'skipped' })];
    expect(filterEntries(entries, 'open').map((e) => e.id)).toEqual([1]);
    expect(filterEntries(entries, 'done').map((e) => e.id)).toEqual([2, 3]);
    expect(filterEntries(entries, 'all')).toHaveLength(3);
  });
});

describe('statementFileProblem', () => {
  it('accepts CAMT and CSV files up to 10 MB', () => {
    expect(statementFileProblem({ name: 'camt053.XML', size: 2000 })).toBeNull();
    expect(statementFileProblem({ name: 'umsaetze.csv', size: 10 * 1024 * 1024 })).toBeNull();
    expect(statementFileProblem({ name: 'big.csv', size: 10 * 1024 * 1024 + 1 })).toBe('big.csv is larger than 10 MB');
    expect(statementFileProblem({ name: 'invoice.pdf', size: 10 })).toBe(
      'invoice.pdf is not a bank statement: upload a CAMT.053 (.xml) or CSV export (.csv)',
    );
    expect(statementFileProblem({ name: 'empty.csv', size: 0 })).toBe('empty.csv is empty');
  });
});
