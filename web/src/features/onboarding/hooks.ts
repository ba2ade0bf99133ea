import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';

export const onboardingKeys = { goLivePreview: ['account', 'go-live', 'preview'] as const };

/** What goes out first once the account is live (rendered emails); fetched when the go-live dialog opens. */
export function useGoLivePreview(enabled: boolean) {
  return useQuery({
    queryKey: onboardingKeys.goLivePreview,
    queryFn: async () => unwrap(await api.GET('/api/account/go-live/preview')),
    enabled,
    staleTime: 0,
  });
}

/** Start chasing every invoice an import left "not chased". */
export function useResumeNotChased() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/invoices/not-chased/resume')),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['invoices'] });
      void queryClient.invalidateQueries({ queryKey: ['reminders'] });
    },
  });
}
