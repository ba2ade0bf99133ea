import dayjs from 'dayjs';
import type { InsightsSummary, Reminder } from '@/api/types';

type Aging = InsightsSummary['currencies'][number]['aging'];

export interface AgingSegment {
  key: keyof Aging;
  label: string;
  amount: string;
  /** The invoice list showing exactly this segment. */
  to: string;
}

const SEGMENTS: { key: keyof Aging; label: string; from?: number; to?: number }[] = [
  { key: 'current', label: 'Not due yet', from: 0 },
  { key: 'days_1_30', label: '1–30 days late', from: -30, to: -1 },
  { key: 'days_31_60', label: '31–60 days late', from: -60, to: -31 },
  { key: 'days_61_90', label: '61–90 days late', from: -90, to: -61 },
  { key: 'days_over_90', label: 'Over 90 days late', to: -91 },
];

/** Aging buckets of one currency, each linking to the invoices it counts (due range relative to `asOf`). */
export function agingSegments(aging: Aging, asOf: string): AgingSegment[] {
  const day = (offset: number) => dayjs(asOf).add(offset, 'day').format('YYYY-MM-DD');
  return SEGMENTS.map(({ key, label, from, to }) => {
    const params = new URLSearchParams({ tab: key === 'current' ? 'unpaid' : 'overdue', sort: 'due_date' });
    if (from !== undefined) params.set('due_from', day(from));
    if (to !== undefined) params.set('due_to', day(to));
    return { key, label, amount: aging[key], to: `/invoices?${params.toString()}` };
  });
}

/** Pending reminders planned from now to `days` ahead, soonest first. */
export function upcomingReminders(reminders: readonly Reminder[], now: Date, days = 7): Reminder[] {
  const end = now.getTime() + days * 86_400_000;
  return reminders
    .filter((r) => r.state === 'pending')
    .filter((r) => {
      const at = Date.parse(r.next_attempt_at ?? r.scheduled_for);
      return at >= now.getTime() - 3_600_000 && at <= end;
    })
    .sort((a, b) => Date.parse(a.next_attempt_at ?? a.scheduled_for) - Date.parse(b.next_attempt_at ?? b.scheduled_for));
}

/**
 * The due dates whose reminders can fall in the next `days` days under a policy whose steps
 * run from `minOffset` to `maxOffset` days around the due date.
 */
export function dueRangeForReminders(today: string, offsets: readonly number[], days = 7): { due_from: string; due_to: string } {
  const min = Math.min(0, ...offsets);
  const max = Math.max(0, ...offsets);
  const day = (offset: number) => dayjs(today).add(offset, 'day').format('YYYY-MM-DD');
  return { due_from: day(-max), due_to: day(days - min) };
}
