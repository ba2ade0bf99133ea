import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { ApiError } from '@/api/errors';
import { API_BASE_URL, authFetch } from '@/api/http';
import type { Invoice } from '@/api/types';
import { fetchAllInvoices } from '@/features/invoices/hooks/queries';
import { daysUntil } from '@/lib/dates';
import { addMoney, sumByCurrency } from '@/lib/money';

const decimal = z.union([z.string(), z.number().transform(String)]);

/**
 * The shape the dashboard reads from `GET /api/insights/summary` (added by the backend later).
 * Anything it doesn't recognise makes the dashboard fall back to computing from invoices.
 */
const insightsSchema = z.object({
  currencies: z.array(
    z.object({
      currency: z.string(),
      outstanding: decimal,
      overdue: decimal,
      open_count: z.number().int().optional(),
      overdue_count: z.number().int().optional(),
      collected_30d: decimal.optional(),
    }),
  ),
  aging: z
    .array(z.object({ bucket: z.string(), currency: z.string(), amount: decimal }))
    .optional(),
  avg_days_to_pay: z.number().nullable().optional(),
});

export interface CurrencyTotals {
  currency: string;
  outstanding: string;
  overdue: string;
  openCount?: number;
  overdueCount?: number;
  collected30d?: string;
}

export interface DashboardSummary {
  source: 'insights' | 'invoices';
  totals: CurrencyTotals[];
  aging: { bucket: string; currency: string; amount: string }[];
  avgDaysToPay?: number | null;
  /** The fallback only reads the first pages of unpaid invoices on very large accounts. */
  partial?: boolean;
}

export const dashboardKeys = {
  summary: ['insights', 'summary'] as const,
};

export const AGING_BUCKETS = ['Not due', '1–30 days', '31–60 days', '61–90 days', '90+ days'] as const;

function agingBucket(invoice: Invoice, now: Date): (typeof AGING_BUCKETS)[number] {
  const late = -daysUntil(invoice.due_date, now);
  if (late <= 0) return 'Not due';
  if (late <= 30) return '1–30 days';
  if (late <= 60) return '31–60 days';
  if (late <= 90) return '61–90 days';
  return '90+ days';
}

/** Totals per currency computed from unpaid invoices (balances, exact decimal arithmetic). */
export function summarizeInvoices(invoices: readonly Invoice[], now: Date = new Date()): Omit<DashboardSummary, 'source'> {
  const unpaid = invoices.filter((i) => i.status === 'open' || i.status === 'partially_paid' || i.status === 'overdue');
  const outstanding = sumByCurrency(unpaid, (i) => ({ amount: i.balance, currency: i.currency }));
  const overdue = sumByCurrency(
    unpaid.filter((i) => i.status === 'overdue'),
    (i) => ({ amount: i.balance, currency: i.currency }),
  );
  const totals = outstanding.map((o) => {
    const late = overdue.find((x) => x.currency === o.currency);
    return {
      currency: o.currency,
      outstanding: o.amount,
      overdue: late?.amount ?? addMoney(o.currency),
      openCount: o.count,
      overdueCount: late?.count ?? 0,
    };
  });
  const aging: DashboardSummary['aging'] = [];
  for (const { currency } of totals) {
    for (const bucket of AGING_BUCKETS) {
      const amounts = unpaid.filter((i) => i.currency === currency && agingBucket(i, now) === bucket).map((i) => i.balance);
      aging.push({ bucket, currency, amount: addMoney(currency, ...amounts) });
    }
  }
  return { totals, aging };
}

async function fetchInsights(): Promise<DashboardSummary | null> {
  const response = await authFetch(new Request(`${API_BASE_URL}/api/insights/summary`, { headers: { Accept: 'application/json' } }));
  if (response.status === 404 || response.status === 501) return null;
  if (!response.ok) {
    throw new ApiError(response.status, await response.json().catch(() => undefined));
  }
  const parsed = insightsSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return null;
  return {
    source: 'insights',
    totals: parsed.data.currencies.map((c) => ({
      currency: c.currency,
      outstanding: c.outstanding,
      overdue: c.overdue,
      openCount: c.open_count,
      overdueCount: c.overdue_count,
      collected30d: c.collected_30d,
    })),
    aging: parsed.data.aging ?? [],
    avgDaysToPay: parsed.data.avg_days_to_pay,
  };
}

/**
 * Uses the insights endpoint when it answers 200; when it doesn't exist yet (404) or
 * answers something unexpected, computes the essentials from the unpaid invoices.
 */
export function useDashboardSummary() {
  return useQuery({
    queryKey: dashboardKeys.summary,
    queryFn: async ({ signal }): Promise<DashboardSummary> => {
      const insights = await fetchInsights();
      if (insights) return insights;
      const { items, truncated } = await fetchAllInvoices(
        { status: ['open', 'partially_paid', 'overdue'], sort: 'due_date' },
        { maxPages: 10, signal },
      );
      return { source: 'invoices', ...summarizeInvoices(items), partial: truncated };
    },
  });
}
