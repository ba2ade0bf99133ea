import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';

export const accountingKeys = { all: ['integrations', 'accounting'] as const };

/** Xero and QuickBooks: status, last sync and its errors; refreshed while a sync is running or queued. */
export function useAccountingIntegrations() {
  return useQuery({
    queryKey: accountingKeys.all,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/integrations', { signal })),
    refetchInterval: (query) => (query.state.data?.items.some((item) => item.syncing) ? 5000 : false),
  });
}

/** Asks for the provider's authorize URL and sends the browser there. */
export function useConnectAccounting() {
  return useMutation({
    mutationFn: async (provider: string) =>
      unwrap(await api.POST('/api/integrations/{provider}/connect', { params: { path: { provider } } })),
    onSuccess: ({ authorize_url }) => window.location.assign(authorize_url),
  });
}

export function useAccountingCallback() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ provider, code, state, realmId }: { provider: string; code: string; state: string; realmId: string | null }) =>
      unwrap(
        await api.POST('/api/integrations/{provider}/callback', {
          params: { path: { provider } },
          body: { code, state, realm_id: realmId },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountingKeys.all }),
  });
}

export function useSyncAccounting() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (provider: string) =>
      unwrap(await api.POST('/api/integrations/{provider}/sync', { params: { path: { provider } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountingKeys.all }),
  });
}

export function useDisconnectAccounting() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (provider: string) =>
      unwrap(await api.DELETE('/api/integrations/{provider}', { params: { path: { provider } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountingKeys.all }),
  });
}

/** Write Stripe payments back to the books: on/off, and the account they go to. */
export function useAccountingSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ provider, writeBack, account }: { provider: string; writeBack: boolean; account: string | null }) =>
      unwrap(
        await api.PATCH('/api/integrations/{provider}', {
          params: { path: { provider } },
          body: { write_back_payments: writeBack, payment_account: account },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountingKeys.all }),
  });
}
