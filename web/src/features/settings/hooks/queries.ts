import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { AccountUpdate, Id } from '@/api/types';
import { authKeys } from '@/features/auth/hooks/queries';

export const settingsKeys = {
  account: ['account'] as const,
  tokens: ['tokens'] as const,
};

export function useAccount() {
  return useQuery({
    queryKey: settingsKeys.account,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/account', { signal })),
    staleTime: 5 * 60_000,
  });
}

export function useUpdateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: AccountUpdate) => unwrap(await api.PATCH('/api/account', { body })),
    onSuccess: (account) => {
      queryClient.setQueryData(settingsKeys.account, account);
      void queryClient.invalidateQueries({ queryKey: authKeys.me });
      void queryClient.invalidateQueries({ queryKey: ['payment-setup'] });
    },
  });
}

export function useApiTokens() {
  return useQuery({
    queryKey: settingsKeys.tokens,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/tokens', { signal })).items,
  });
}

export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (name: string) => unwrap(await api.POST('/api/tokens', { body: { name } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.tokens }),
  });
}

export function useDeleteApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: Id) => {
      unwrap(await api.DELETE('/api/tokens/{token_id}', { params: { path: { token_id: id } } }));
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.tokens }),
  });
}
