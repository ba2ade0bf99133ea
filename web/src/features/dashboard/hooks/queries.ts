import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import { useReminderList } from '@/features/reminders/hooks/queries';
import { nextReminderHorizon } from '../aging';

export const dashboardKeys = {
  summary: ['insights', 'summary'] as const,
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
  const query = useReminderList({
    state: ['pending'],
    scheduled_to: nextReminderHorizon(new Date()),
    sort: 'scheduled_for',
    page_size: NEXT_REMINDERS_SHOWN,
  });
  return {
    isPending: query.isPending,
    error: query.error,
    rows: query.data?.items ?? [],
    more: Math.max(0, (query.data?.total ?? 0) - NEXT_REMINDERS_SHOWN),
    refetch: () => void query.refetch(),
  };
}
