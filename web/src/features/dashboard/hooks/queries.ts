import { useQueries, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { Invoice } from '@/api/types';
import { useInvoices } from '@/features/invoices/hooks/queries';
import { reminderKeys, useReminderPolicy } from '@/features/reminders/hooks/queries';
import { todayISO } from '@/lib/dates';
import { dueRangeForReminders, upcomingReminders } from '../aging';

export const dashboardKeys = {
  summary: ['insights', 'summary'] as const,
};

export function useInsightsSummary() {
  return useQuery({
    queryKey: dashboardKeys.summary,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/insights/summary', { signal })),
  });
}

const NEXT_REMINDERS_INVOICES = 25;

/**
 * There is no "reminders due soon" endpoint: this reads the timelines of the unpaid invoices
 * whose due dates the account's schedule can reach in the next 7 days (at most 25 of them).
 */
export function useNextReminders() {
  const policy = useReminderPolicy();
  const range = policy.data ? dueRangeForReminders(todayISO(), policy.data.steps.map((s) => s.offset_days)) : undefined;
  const invoices = useInvoices(
    { status: ['open', 'partially_paid', 'overdue'], ...range, sort: 'due_date', page: 1, page_size: NEXT_REMINDERS_INVOICES },
    { enabled: range !== undefined },
  );
  const items: Invoice[] = invoices.data?.items ?? [];
  const timelines = useQueries({
    queries: items.map((invoice) => ({
      queryKey: reminderKeys.timeline(invoice.id),
      queryFn: async ({ signal }: { signal: AbortSignal }) =>
        unwrap(await api.GET('/api/invoices/{invoice_id}/reminders', { params: { path: { invoice_id: invoice.id } }, signal })),
    })),
  });
  const now = new Date();
  const reminders = upcomingReminders(timelines.flatMap((t) => t.data?.items ?? []), now);
  const byId = new Map(items.map((invoice) => [invoice.id, invoice]));
  return {
    isPending: policy.isPending || invoices.isPending || timelines.some((t) => t.isPending),
    error: policy.error ?? invoices.error ?? timelines.find((t) => t.error)?.error ?? null,
    truncated: (invoices.data?.total ?? 0) > NEXT_REMINDERS_INVOICES,
    rows: reminders.map((reminder) => ({ reminder, invoice: byId.get(reminder.invoice_id)! })),
    refetch: () => void invoices.refetch(),
  };
}
