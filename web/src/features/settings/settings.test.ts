import { describe, expect, it } from 'vitest';
import { describeFee, feeOfKind, stepFieldPaths, stepsForApi, toStepInput } from '@/features/reminders/steps';
import { parseEmailCheck } from './hooks/integrations';

describe('parseEmailCheck', () => {
  it('reads the email check of /ready, failing or not', () => {
    expect(parseEmailCheck({ status: 'ok', checks: { email: { status: 'ok', required: true, detail: 'smtp' } } })).toEqual({ ok: true, detail: 'smtp' });
    expect(parseEmailCheck({ checks: { email: { status: 'fail', detail: 'SMTP host is not set' } } })).toEqual({ ok: false, detail: 'SMTP host is not set' });
    expect(parseEmailCheck({ checks: {} })).toBeUndefined();
    expect(parseEmailCheck(null)).toBeUndefined();
  });
});

describe('stepFieldPaths', () => {
  it('names every field the API can flag in a policy, fees included', () => {
    const fee = (i: number) =>
      ['', '.kind', '.amount', '.currency', '.percent', '.annual_rate_percent'].map((field) => `steps.${i}.fee${field}`);
    expect(stepFieldPaths(2)).toEqual([
      'steps.0.offset_days',
      'steps.0.template_key',
      ...fee(0),
      'steps.1.offset_days',
      'steps.1.template_key',
      ...fee(1),
    ]);
  });
});

describe('late fees in the steps editor', () => {
  it('sends a fee only after the due date, blanks as none', () => {
    const steps = stepsForApi([
      { offset_days: 0, template_key: 'due_today', fee: { kind: 'fixed', amount: '40.00' } },
      { offset_days: 7, template_key: 'firm', fee: { kind: 'fixed', amount: '40.00', currency: null } },
      { offset_days: 30, template_key: 'final', fee: { kind: 'daily_interest', annual_rate_percent: '' } },
    ]);
    expect(steps.map((step) => step.fee)).toEqual([
      null,
      { kind: 'fixed', amount: '40.00', currency: null, percent: null, annual_rate_percent: null },
      { kind: 'daily_interest', amount: null, percent: null, annual_rate_percent: null },
    ]);
  });

  it('reads the API’s steps back into the form and describes them', () => {
    const fee = { kind: 'percent' as const, amount: null, currency: null, percent: '5.00', annual_rate_percent: null };
    expect(toStepInput({ offset_days: 7, template_key: 'firm', step_key: 'd+7', fee } as never)).toEqual({
      offset_days: 7,
      template_key: 'firm',
      fee,
    });
    expect(describeFee(fee)).toBe('Late fee 5.00% of unpaid');
    expect(describeFee({ kind: 'fixed', amount: '40.00', currency: 'EUR' })).toBe('Late fee 40.00 EUR');
    expect(describeFee({ kind: 'daily_interest' })).toBe('Interest at your statutory rate');
    expect(describeFee(null)).toBeNull();
    expect(feeOfKind('percent')).toEqual({ kind: 'percent', percent: '' });
    expect(feeOfKind(null)).toBeNull();
  });
});
