import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { ClientPolicyInput, Id, PreviewInput, ReminderListQuery, ReminderPolicyInput } from '@/api/types';
import { invoiceKeys } from '@/features/invoices/hooks/queries';
import { clientKeys } from '@/features/clients/hooks/queries';

export const reminderKeys = {
  // Under 'insights', so every change that refreshes the dashboard's figures refreshes the lists too.
  list: (query: ReminderListQuery) => ['insights', 'reminders', query] as const,
  timeline: (invoiceId: Id) => [...invoiceKeys.detail(invoiceId), 'reminders'] as const,
  messages: (invoiceId: Id) => [...invoiceKeys.detail(invoiceId), 'messages'] as const,
  paymentLink: (invoiceId: Id) => [...invoiceKeys.detail(invoiceId), 'payment-link'] as const,
  prediction: (invoiceId: Id) => [...invoiceKeys.detail(invoiceId), 'prediction'] as const,
  policy: ['reminder-policy'] as const,
  clientPolicy: (clientId: Id) => [...clientKeys.detail(clientId), 'reminder-policy'] as const,
};

export function useInvoiceReminders(invoiceId: Id) {
  return useQuery({
    queryKey: reminderKeys.timeline(invoiceId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}/reminders', { params: { path: { invoice_id: invoiceId } }, signal })),
  });
}

export function useInvoiceMessages(invoiceId: Id) {
  return useQuery({
    queryKey: reminderKeys.messages(invoiceId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}/messages', { params: { path: { invoice_id: invoiceId } }, signal }))
        .items,
  });
}

export function usePaymentLink(invoiceId: Id, enabled = true) {
  return useQuery({
    queryKey: reminderKeys.paymentLink(invoiceId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}/payment-link', { params: { path: { invoice_id: invoiceId } }, signal })),
    enabled,
  });
}

export function usePrediction(invoiceId: Id, enabled = true) {
  return useQuery({
    queryKey: reminderKeys.prediction(invoiceId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}/prediction', { params: { path: { invoice_id: invoiceId } }, signal })),
    enabled,
    retry: false,
  });
}

/** A reminder changed: its invoice's timeline and the dashboard figures are stale. */
function refreshInvoice(queryClient: QueryClient, invoiceId: Id) {
  void queryClient.invalidateQueries({ queryKey: reminderKeys.timeline(invoiceId) });
  void queryClient.invalidateQueries({ queryKey: reminderKeys.messages(invoiceId) });
  void queryClient.invalidateQueries({ queryKey: ['insights'] });
}

export function useInvoicePause(invoiceId: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ paused, until }: { paused: boolean; until?: string | null }) =>
      paused
        ? unwrap(
            await api.POST('/api/invoices/{invoice_id}/pause', {
              params: { path: { invoice_id: invoiceId } },
              body: { until: until ?? null },
            }),
          )
        : unwrap(await api.POST('/api/invoices/{invoice_id}/resume', { params: { path: { invoice_id: invoiceId } } })),
    onSuccess: () => refreshInvoice(queryClient, invoiceId),
  });
}

export function useClientPause(clientId: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ paused, until }: { paused: boolean; until?: string | null }) =>
      paused
        ? unwrap(
            await api.POST('/api/clients/{client_id}/pause', {
              params: { path: { client_id: clientId } },
              body: { until: until ?? null },
            }),
          )
        : unwrap(await api.POST('/api/clients/{client_id}/resume', { params: { path: { client_id: clientId } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: clientKeys.detail(clientId) });
      void queryClient.invalidateQueries({ queryKey: invoiceKeys.all });
    },
  });
}

export function useSendReminderNow(invoiceId: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (reminderId: Id) =>
      unwrap(await api.POST('/api/reminders/{reminder_id}/send-now', { params: { path: { reminder_id: reminderId } } })),
    onSuccess: () => refreshInvoice(queryClient, invoiceId),
  });
}

export function useCancelReminder(invoiceId: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (reminderId: Id) =>
      unwrap(await api.POST('/api/reminders/{reminder_id}/cancel', { params: { path: { reminder_id: reminderId } } })),
    onSuccess: () => refreshInvoice(queryClient, invoiceId),
  });
}

export function useReminderPolicy() {
  return useQuery({
    queryKey: reminderKeys.policy,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/reminder-policy', { signal })),
  });
}

export function useSaveReminderPolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ReminderPolicyInput) => unwrap(await api.PUT('/api/reminder-policy', { body })),
    onSuccess: (policy) => {
      queryClient.setQueryData(reminderKeys.policy, policy);
      void queryClient.invalidateQueries({ queryKey: invoiceKeys.all });
    },
  });
}

export function useClientPolicy(clientId: Id) {
  return useQuery({
    queryKey: reminderKeys.clientPolicy(clientId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/clients/{client_id}/reminder-policy', { params: { path: { client_id: clientId } }, signal })),
  });
}

export function useSaveClientPolicy(clientId: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ClientPolicyInput) =>
      unwrap(await api.PUT('/api/clients/{client_id}/reminder-policy', { params: { path: { client_id: clientId } }, body })),
    onSuccess: (policy) => {
      queryClient.setQueryData(reminderKeys.clientPolicy(clientId), policy);
      void queryClient.invalidateQueries({ queryKey: invoiceKeys.all });
    },
  });
}

/** Renders a reminder email as it would go out; `subject`/`body` preview unsaved template edits. */
export async function fetchPreview(body: PreviewInput, signal?: AbortSignal) {
  return unwrap(await api.POST('/api/reminders/preview', { body, signal }));
}

/** The account's reminders across invoices (GET /api/reminders). */
export function useReminderList(query: ReminderListQuery) {
  return useQuery({
    queryKey: reminderKeys.list(query),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/reminders', { params: { query }, signal })),
    // Paging keeps the current rows until the next page arrives; another tab's rows would mislead.
    placeholderData: (previous, previousQuery) => {
      const { page: _page, ...filters } = query;
      const { page: _previousPage, ...previousFilters } = (previousQuery?.queryKey[2] ?? {}) as ReminderListQuery;
      return JSON.stringify(filters) === JSON.stringify(previousFilters) ? previous : undefined;
    },
  });
}
