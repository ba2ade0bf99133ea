import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { Id } from '@/api/types';
import { invoiceKeys } from '@/features/invoices/hooks/queries';

export const replyKeys = {
  all: ['replies'] as const,
  unanswered: ['replies', 'unanswered'] as const,
  invoice: (invoiceId: Id) => [...invoiceKeys.detail(invoiceId), 'replies'] as const,
};

/** Every mail the client sent about the invoice, oldest first, each with the user's answer. */
export function useInvoiceReplies(invoiceId: Id) {
  return useQuery({
    queryKey: replyKeys.invoice(invoiceId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/invoices/{invoice_id}/replies', { params: { path: { invoice_id: invoiceId } }, signal }))
        .items,
  });
}

/** Replies nobody answered yet, newest first: for the Needs attention screen. */
export function useUnansweredReplies(limit = 20) {
  return useQuery({
    queryKey: [...replyKeys.unanswered, limit],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/replies', { params: { query: { state: 'unanswered', limit } }, signal })),
  });
}

function useRefreshReplies(invoiceId: Id | undefined) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: replyKeys.all });
    if (invoiceId !== undefined) void queryClient.invalidateQueries({ queryKey: invoiceKeys.detail(invoiceId) });
  };
}

export function useAnswerReply(invoiceId?: Id) {
  const refresh = useRefreshReplies(invoiceId);
  return useMutation({
    mutationFn: async ({ replyId, text }: { replyId: Id; text: string }) =>
      unwrap(await api.POST('/api/replies/{reply_id}/answer', { params: { path: { reply_id: replyId } }, body: { text } })),
    onSuccess: refresh,
  });
}

export function useMarkAnswered(invoiceId?: Id) {
  const refresh = useRefreshReplies(invoiceId);
  return useMutation({
    mutationFn: async ({ replyId, answered }: { replyId: Id; answered: boolean }) =>
      unwrap(await api.POST('/api/replies/{reply_id}/answered', { params: { path: { reply_id: replyId } }, body: { answered } })),
    onSuccess: refresh,
  });
}
