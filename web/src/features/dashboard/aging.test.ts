import { describe, expect, it } from 'vitest';
import type { Reminder } from '@/api/types';
import { agingSegments, dueRangeForReminders, upcomingReminders } from './aging';

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
  it('reaches the due dates the schedule can hit within a week', () => {
    expect(dueRangeForReminders('2026-03-10', [-3, 0, 7, 14])).toEqual({ due_from: '2026-02-24', due_to: '2026-03-20' });
  });

  it('keeps pending reminders of the next 7 days, soonest first', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const r = (id: number, state: Reminder['state'], at: string) => ({ id, state, scheduled_for: at, next_attempt_at: null }) as unknown as Reminder;
    const picked = upcomingReminders(
      [r(1, 'pending', '2026-03-15T09:00:00Z'), r(2, 'pending', '2026-03-11T09:00:00Z'), r(3, 'sent', '2026-03-12T09:00:00Z'), r(4, 'pending', '2026-03-30T09:00:00Z')],
      now,
    );
    expect(picked.map((x) => x.id)).toEqual([2, 1]);
  });
});
