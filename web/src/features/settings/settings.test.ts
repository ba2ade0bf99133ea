import { describe, expect, it } from 'vitest';
import { stepFieldPaths } from '@/features/reminders/steps';
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
  it('names every field the API can flag in a policy', () => {
    expect(stepFieldPaths(2)).toEqual(['steps.0.offset_days', 'steps.0.template_key', 'steps.1.offset_days', 'steps.1.template_key']);
  });
});
