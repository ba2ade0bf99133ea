import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import { nextReminderHorizon } from '../aging';

// Under 'insights', so every change that refreshes the dashboard's figures refreshes these too.
export const dashboardKeys = {
  summary: ['insights', 'summary'] as const,
  nextReminders: (until: string) => ['insights', 'next-reminders', until] as const,
};

export function useInsightsSummary() {
  return useQuery({
    queryKey: dashboardKeys.summary,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/insights/summary', { signal })),
  });
}

const NEXT_REMINDERS_SHOWN = 8;

/** Pending reminders scheduled before a week from now (anything late to go out included), soonest first. */
export function useNextReminders() {
  const weekAhead = nextReminderHorizon(new Date());
  const query = useQuery({
    queryKey: dashboardKeys.nextReminders(weekAhead),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/reminders', {
          params: { query: { state: ['pending'], scheduled_to: weekAhead, sort: 'scheduled_for', page_size: NEXT_REMINDERS_SHOWN } },
          signal,
        }),
      ),
  });
  return {
    isPending: query.isPending,
    error: query.error,
    rows: query.data?.items ?? [],
    more: Math.max(0, (query.data?.total ?? 0) - NEXT_REMINDERS_SHOWN),
    refetch: () => void query.refetch(),
  };
}
