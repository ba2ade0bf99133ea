import { describe, expect, it } from 'vitest';
import type { FirstWave, ImportOptionsReport } from '@/api/types';
import {
  DEFAULT_IMPORT_OPTIONS,
  importQuery,
  optionEffects,
  previewTitle,
  validOlderThanDays,
  waveBreakdown,
  waveHeadline,
} from './firstWave';

const wave = (fields: Partial<FirstWave>): FirstWave => ({
  at: '2026-11-25T10:00:00Z',
  today: true,
  test_mode: false,
  emails: 0,
  clients: 0,
  invoices: 0,
  statements: 0,
  singles: 0,
  tones: {},
  skipped_steps: 0,
  held: 0,
  held_reason: null,
  previews: [],
  more: 0,
  ...fields,
});

describe('import options', () => {
  it('defaults to nothing at once and old debts left alone', () => {
    expect(importQuery(DEFAULT_IMPORT_OPTIONS, true)).toEqual({
      dry_run: true,
      start_from_today: true,
      dont_chase_older: true,
      older_than_days: 90,
    });
  });

  it('sends what was chosen for the real import', () => {
    expect(importQuery({ startFromToday: false, dontChaseOlder: true, olderThanDays: 30 }, false)).toEqual({
      dry_run: false,
      start_from_today: false,
      dont_chase_older: true,
      older_than_days: 30,
    });
  });

  it('accepts 1 to 3650 whole days only', () => {
    expect([1, 90, 3650].map(validOlderThanDays)).toEqual([true, true, true]);
    expect([0, -5, 3651, 1.5, Number.NaN, '90'].map(validOlderThanDays)).toEqual([false, false, false, false, false, false]);
  });

  it('says what each option changes, only when it changes something', () => {
    const report: ImportOptionsReport = {
      start_from_today: true,
      dont_chase_older: true,
      older_than_days: 90,
      invoices_started_later: 2,
      steps_skipped: 7,
      not_chased_old: 1,
      not_chased_no_step_left: 0,
    };
    expect(optionEffects(report)).toEqual([
      '2 invoices: reminders whose day has passed are skipped (7 steps); the first email goes at the next step.',
      '1 invoice more than 90 days overdue: not chased until you resume them.',
    ]);
    expect(optionEffects({ ...report, invoices_started_later: 0, not_chased_old: 0 })).toEqual([]);
  });
});

describe('what goes out first', () => {
  it('says plainly when nothing goes', () => {
    expect(waveHeadline(wave({}))).toBe('No email goes out at once');
    expect(waveBreakdown(wave({}))).toBe('');
  });

  it('counts emails, clients, kinds and tones', () => {
    const w = wave({ emails: 3, clients: 3, statements: 1, singles: 2, tones: { firm: 2, urgent: 1 } });
    expect(waveHeadline(w)).toBe('3 emails go to 3 clients today');
    expect(waveBreakdown(w)).toBe('1 statement, 2 single reminders · 2 firm, 1 urgent');
    expect(waveHeadline(wave({ emails: 1, clients: 1, singles: 1 }))).toBe('1 email goes to 1 client today');
  });

  it('names the day when the send window opens later', () => {
    const w = wave({ emails: 1, clients: 1, singles: 1, today: false, at: '2026-11-26T09:00:00Z' });
    expect(waveHeadline(w, 'en-GB')).toMatch(/^1 email goes to 1 client on Thursday 26 November/);
  });

  it('titles a statement by its invoices and a single email by its number', () => {
    const base = { client_id: 1, client_name: 'Globex', to: 'ap@globex.com', subject: 's', text: 't', problem: null };
    expect(previewTitle({ ...base, kind: 'statement', tone: 'urgent', invoice_numbers: ['A-1', 'A-2'] })).toBe(
      'Globex — Statement of 2 invoices (urgent)',
    );
    expect(previewTitle({ ...base, kind: 'single', tone: 'due_today', invoice_numbers: ['A-1'] })).toBe('Globex — A-1 (due today)');
  });
});
