import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { AnswerSettingsInput, Id } from '@/api/types';
import { clientKeys } from '@/features/clients/hooks/queries';
import { invoiceKeys } from '@/features/invoices/hooks/queries';

export const answerKeys = {
  // Under 'insights', so every change that refreshes the dashboard's figures refreshes these too.
  attention: ['insights', 'attention'] as const,
  invoice: (invoiceId: Id) => [...invoiceKeys.detail(invoiceId), 'answers'] as const,
  client: (clientId: Id) => [...clientKeys.detail(clientId), 'promises'] as const,
  settings: ['answer-settings'] as const,
};

/** What waits for the user; the navigation shows its count, so it is refreshed every minute. */
export function useAttention() {
  return useQuery({
    queryKey: answerKeys.attention,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/attention', { signal })),
    refetchInterval: 60_000,
  });
}

export function useInvoiceAnswers(invoiceId: Id) {
  return useQuery({
    queryKey: answerKeys.invoice(invoiceId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}/answers', { params: { path: { invoice_id: invoiceId } }, signal }))
        .items,
  });
}

export function useClientPromises(clientId: Id) {
  return useQuery({
    queryKey: answerKeys.client(clientId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/clients/{client_id}/promises', { params: { path: { client_id: clientId } }, signal })),
  });
}

export type AnswerAction =
  | { action: 'resolve' | 'reject'; note?: string | null }
  | { action: 'confirm' | 'cancel' }
  | { action: 'extend'; promised_date: string };

/** Decide on a client's answer; the invoice (its hold, timeline and balance) and the attention list follow. */
export function useAnswerAction(answerId: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: AnswerAction) => {
      const path = { params: { path: { answer_id: answerId } } };
      switch (input.action) {
        case 'resolve':
          return unwrap(await api.POST('/api/answers/{answer_id}/resolve', { ...path, body: { note: input.note ?? null } }));
        case 'reject':
          return unwrap(await api.POST('/api/answers/{answer_id}/reject', { ...path, body: { note: input.note ?? null } }));
        case 'confirm':
          return unwrap(await api.POST('/api/answers/{answer_id}/confirm', path));
        case 'cancel':
          return unwrap(await api.POST('/api/answers/{answer_id}/cancel', path));
        case 'extend':
          return unwrap(
            await api.POST('/api/answers/{answer_id}/extend', { ...path, body: { promised_date: input.promised_date } }),
          );
      }
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: invoiceKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['insights'] });
    },
  });
}

export function useAnswerSettings() {
  return useQuery({
    queryKey: answerKeys.settings,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/answer-settings', { signal })),
  });
}

export function useSaveAnswerSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: AnswerSettingsInput) => unwrap(await api.PUT('/api/answer-settings', { body })),
    onSuccess: (data) => queryClient.setQueryData(answerKeys.settings, data),
  });
}
