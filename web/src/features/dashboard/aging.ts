import dayjs from 'dayjs';
import type { InsightsSummary } from '@/api/types';

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

/**
 * The end of the "next reminders" window: a week from now, rounded up to the hour so the
 * query key (and the cached answer) stays the same for an hour instead of changing every render.
 */
export function nextReminderHorizon(now: Date, days = 7): string {
  const end = new Date(now.getTime() + days * 86_400_000);
  end.setUTCMinutes(0, 0, 0);
  end.setUTCHours(end.getUTCHours() + 1);
  return end.toISOString();
}
