import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { api, unwrap } from '@/api/client';
import { useReminderList } from '@/features/reminders/hooks/queries';
import { nextReminderHorizon } from '../aging';

export const dashboardKeys = {
  summary: ['insights', 'summary'] as const,
  timeseries: (from: string) => ['insights', 'timeseries', 'month', from] as const,
};

const summaryQuery = queryOptions({
  queryKey: dashboardKeys.summary,
  queryFn: async ({ signal }) => unwrap(await api.GET('/api/insights/summary', { signal })),
});

export function useInsightsSummary() {
  return useQuery(summaryQuery);
}

/**
 * The dashboard's first figures, asked for the moment the sign-in is known (together with /me),
 * before React has rendered the page that shows them.
 */
export function prefetchDashboard(queryClient: QueryClient) {
  void queryClient.prefetchQuery(summaryQuery);
}

/** The first day of the month `months - 1` months ago: a range of `months` whole months ending with this one. */
export function monthsBack(months: number, now: Date = new Date()): string {
  return dayjs(now).startOf('month').subtract(months - 1, 'month').format('YYYY-MM-DD');
}

/** Invoiced, collected and overdue per month over the last 12 months (this one included), per currency. */
export function useMonthlySeries(months = 12) {
  const from = monthsBack(months);
  return useQuery({
    queryKey: dashboardKeys.timeseries(from),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/insights/timeseries', { params: { query: { granularity: 'month', date_from: from } }, signal })),
    staleTime: 5 * 60_000,
  });
}

/** Up to this many pending reminders are fetched to group them per client. */
const NEXT_REMINDERS_FETCHED = 200;

/** Pending reminders scheduled before a week from now (anything late to go out included), soonest first. */
export function useNextReminders() {
  const query = useReminderList({
    state: ['pending'],
    scheduled_to: nextReminderHorizon(new Date()),
    sort: 'scheduled_for',
    page_size: NEXT_REMINDERS_FETCHED,
  });
  return {
    isPending: query.isPending,
    error: query.error,
    rows: query.data?.items ?? [],
    more: Math.max(0, (query.data?.total ?? 0) - NEXT_REMINDERS_FETCHED),
    refetch: () => void query.refetch(),
  };
}
