import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { Id } from '@/api/types';

export const setupKeys = {
  paymentSetup: ['payment-setup'] as const,
  notices: ['notices'] as const,
};

/** How clients can pay, what stops going live, and the warnings every page shows until fixed. */
export function usePaymentSetup(enabled = true) {
  return useQuery({
    queryKey: setupKeys.paymentSetup,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/account/payment-setup', { signal })),
    enabled,
  });
}

/** Things that happened without the user (a client's card payment failed); polled gently. */
export function useNotices(enabled = true) {
  return useQuery({
    queryKey: setupKeys.notices,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/notices', { signal })),
    enabled,
    refetchInterval: 5 * 60_000,
  });
}

export function useDismissNotice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (noticeId: Id) =>
      unwrap(await api.POST('/api/notices/{notice_id}/dismiss', { params: { path: { notice_id: noticeId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: setupKeys.notices }),
  });
}
