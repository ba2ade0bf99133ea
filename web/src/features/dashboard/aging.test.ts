import { describe, expect, it } from 'vitest';
import { agingSegments, nextReminderHorizon } from './aging';

describe('agingSegments', () => {
  it('links each bucket to the invoices due in its range', () => {
    const segments = agingSegments(
      { current: '10.00', days_1_30: '20.00', days_31_60: '0.00', days_61_90: '0.00', days_over_90: '5.00' },
      '2026-03-31',
    );
    expect(segments.map((s) => s.amount)).toEqual(['10.00', '20.00', '0.00', '0.00', '5.00']);
    const params = segments.map((s) => Object.fromEntries(new URL(s.to, 'http://x').searchParams));
    expect(params[0]).toMatchObject({ tab: 'unpaid', due_from: '2026-03-31' });
    expect(params[1]).toMatchObject({ tab: 'overdue', due_from: '2026-03-01', due_to: '2026-03-30' });
    expect(params[4]).toMatchObject({ tab: 'overdue', due_to: '2025-12-30' });
    expect(params[4].due_from).toBeUndefined();
  });
});

describe('next reminders', () => {
  it('looks a week ahead, rounded up to the hour so the query stays cached for that hour', () => {
    expect(nextReminderHorizon(new Date('2026-03-10T12:34:56Z'))).toBe('2026-03-17T13:00:00.000Z');
    expect(nextReminderHorizon(new Date('2026-03-10T12:59:59Z'))).toBe('2026-03-17T13:00:00.000Z');
    expect(nextReminderHorizon(new Date('2026-03-10T23:00:00Z'))).toBe('2026-03-18T00:00:00.000Z');
  });
});
