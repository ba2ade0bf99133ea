import { describe, expect, it } from 'vitest';
import type { ClientInsights } from '@/api/types';
import { describeBehaviour, RATING_LOOK } from './hooks/insights';

const base = {
  paid_invoices: 4,
  mean_days_late: 5,
  median_days_late: 4.4,
  stddev_days: 1,
  on_time_rate: 0.25,
  mean_reminders_before_payment: 1,
  rating: 'late',
  high_risk: false,
  risk_reason: null,
  trend: { recent_delays: [], recent_mean_days: null, earlier_mean_days: null, direction: null },
} as ClientInsights['behaviour'];

describe('describeBehaviour', () => {
  it('says how late the client usually pays', () => {
    expect(describeBehaviour(base)).toBe('Usually pays 4 days late (4 paid invoices, 25% on time)');
    expect(describeBehaviour({ ...base, median_days_late: -1, paid_invoices: 1, on_time_rate: null })).toBe('Usually pays 1 day early (1 paid invoice)');
    expect(describeBehaviour({ ...base, median_days_late: 0 })).toMatch(/^Usually pays on the due date/);
  });

  it('has nothing to say without paid invoices', () => {
    expect(describeBehaviour({ ...base, paid_invoices: 0, median_days_late: null })).toBeUndefined();
  });
});

describe('RATING_LOOK', () => {
  it('shows a client who never pays as high risk, not as new', () => {
    expect(RATING_LOOK.never_pays).toEqual({ label: 'Never pays · high risk', color: 'red' });
    expect(RATING_LOOK.new.label).toBe('New payer');
  });
});
