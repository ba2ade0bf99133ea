import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { Id, Invoice, InvoiceCreate, InvoiceListQuery, InvoiceUpdate, PaymentCreate } from '@/api/types';
import { DEFAULT_IMPORT_OPTIONS, type ImportOptions, importQuery } from '@/features/onboarding/firstWave';

export const invoiceKeys = {
  all: ['invoices'] as const,
  lists: () => [...invoiceKeys.all, 'list'] as const,
  list: (params: InvoiceListQuery) => [...invoiceKeys.lists(), params] as const,
  detail: (id: Id | undefined) => [...invoiceKeys.all, 'detail', id] as const,
  payments: (id: Id | undefined) => [...invoiceKeys.all, 'detail', id, 'payments'] as const,
  adjustments: (id: Id | undefined) => [...invoiceKeys.all, 'detail', id, 'adjustments'] as const,
};

function clean(params: InvoiceListQuery): InvoiceListQuery {
  return Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== '' && value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)),
  ) as InvoiceListQuery;
}

export function useInvoices(params: InvoiceListQuery, options: { enabled?: boolean } = {}) {
  const query = clean(params);
  return useQuery({
    queryKey: invoiceKeys.list(query),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/invoices', { params: { query }, signal })),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
  });
}

/**
 * Every invoice matching the filters, page by page (200 per page), e.g. for CSV export.
 * Stops at `maxPages` to stay polite with very large accounts.
 */
export async function fetchAllInvoices(
  params: Omit<InvoiceListQuery, 'page' | 'page_size'>,
  { maxPages = 50, signal, onProgress }: { maxPages?: number; signal?: AbortSignal; onProgress?: (loaded: number, total: number) => void } = {},
): Promise<{ items: Invoice[]; total: number; truncated: boolean }> {
  const items: Invoice[] = [];
  let total = 0;
  for (let page = 1; page <= maxPages; page += 1) {
    const data = unwrap(
      await api.GET('/api/invoices', { params: { query: { ...clean(params), page, page_size: 200 } }, signal }),
    );
    items.push(...data.items);
    total = data.total;
    onProgress?.(items.length, total);
    if (items.length >= total || data.items.length === 0) return { items, total, truncated: false };
  }
  return { items, total, truncated: items.length < total };
}

export function useInvoice(id: Id | undefined) {
  return useQuery({
    queryKey: invoiceKeys.detail(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}', { params: { path: { invoice_id: id! } }, signal })),
    enabled: id !== undefined,
  });
}

export function usePayments(id: Id | undefined) {
  return useQuery({
    queryKey: invoiceKeys.payments(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}/payments', { params: { path: { invoice_id: id! } }, signal }))
        .items,
    enabled: id !== undefined,
  });
}

/** Late fees and interest reminders added to the invoice (only fetched when it has any). */
export function useAdjustments(id: Id | undefined, enabled: boolean) {
  return useQuery({
    queryKey: invoiceKeys.adjustments(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}/adjustments', { params: { path: { invoice_id: id! } }, signal }))
        .items,
    enabled: id !== undefined && enabled,
  });
}

/** After any invoice change: the detail is fresh, lists and dashboard figures are not. */
function settle(queryClient: QueryClient, invoice: Invoice) {
  queryClient.setQueryData(invoiceKeys.detail(invoice.id), invoice);
  // What hangs off the invoice (payments, reminders, messages, prediction) follows from it.
  const detailKey = invoiceKeys.detail(invoice.id);
  void queryClient.invalidateQueries({ queryKey: detailKey, predicate: (query) => query.queryKey.length > detailKey.length });
  void queryClient.invalidateQueries({ queryKey: invoiceKeys.lists() });
  void queryClient.invalidateQueries({ queryKey: ['insights'] });
}

export function useCreateInvoice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: InvoiceCreate) => unwrap(await api.POST('/api/invoices', { body })),
    onSuccess: (invoice) => settle(queryClient, invoice),
  });
}

export function useUpdateInvoice(id: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: InvoiceUpdate) =>
      unwrap(await api.PATCH('/api/invoices/{invoice_id}', { params: { path: { invoice_id: id } }, body })),
    onSuccess: (invoice) => settle(queryClient, invoice),
  });
}

export function useRecordPayment(id: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: PaymentCreate) =>
      unwrap(await api.POST('/api/invoices/{invoice_id}/payments', { params: { path: { invoice_id: id } }, body })),
    onSuccess: (invoice) => settle(queryClient, invoice),
  });
}

export function useVoidInvoice(id: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/invoices/{invoice_id}/void', { params: { path: { invoice_id: id } } })),
    onSuccess: (invoice) => settle(queryClient, invoice),
  });
}

/** Waives a late fee: the invoice's fees, total, balance (and perhaps status) change with it. */
export function useWaiveAdjustment(id: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (adjustmentId: Id) =>
      unwrap(
        await api.POST('/api/invoices/{invoice_id}/adjustments/{adjustment_id}/waive', {
          params: { path: { invoice_id: id, adjustment_id: adjustmentId } },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: invoiceKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: invoiceKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: ['insights'] });
    },
  });
}

/** Uploads a CSV to the import endpoint; dryRun=true checks, reports what goes out first and keeps nothing. */
export function useImportInvoices() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ file, dryRun, options = DEFAULT_IMPORT_OPTIONS }: { file: File; dryRun: boolean; options?: ImportOptions }) =>
      unwrap(
        await api.POST('/api/invoices/import', {
          params: { query: importQuery(options, dryRun) },
          body: { file: file as unknown as string },
          bodySerializer: (body) => {
            const data = new FormData();
            data.append('file', body.file as unknown as Blob);
            return data;
          },
        }),
      ),
    onSuccess: (report) => {
      if (!report.dry_run) {
        void queryClient.invalidateQueries({ queryKey: invoiceKeys.lists() });
        void queryClient.invalidateQueries({ queryKey: ['clients'] });
        void queryClient.invalidateQueries({ queryKey: ['insights'] });
      }
    },
  });
}
