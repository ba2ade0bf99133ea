import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import { ApiError } from '@/api/errors';
import { API_BASE_URL, authFetch } from '@/api/http';
import { setupKeys } from './paymentSetup';
import { settingsKeys } from './queries';

export const integrationKeys = {
  stripe: ['integrations', 'stripe'] as const,
  ready: ['ready'] as const,
};

export function useSwitchMode() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (live: boolean) =>
      // Going live is confirmed in the dialog that shows what goes out first (GoLiveModal).
      unwrap(live ? await api.POST('/api/account/go-live', { body: { confirm: true } }) : await api.POST('/api/account/test-mode')),
    onSuccess: (account) => {
      queryClient.setQueryData(settingsKeys.account, account);
      void queryClient.invalidateQueries({ queryKey: ['invoices'] });
      void queryClient.invalidateQueries({ queryKey: setupKeys.paymentSetup });
    },
  });
}

export interface EmailStatus {
  ok: boolean;
  detail: string;
}

/** The email check of `/ready` (provider name, or what is misconfigured); undefined when /ready isn't reachable. */
export function parseEmailCheck(body: unknown): EmailStatus | undefined {
  const checks = (body as { checks?: Record<string, { status?: string; detail?: string }> } | null)?.checks;
  const email = checks?.email;
  if (!email || typeof email.status !== 'string') return undefined;
  return { ok: email.status === 'ok', detail: email.detail ?? '' };
}

export function useEmailStatus() {
  return useQuery({
    queryKey: integrationKeys.ready,
    queryFn: async ({ signal }) => {
      // /ready answers 503 with the same body when a required check fails.
      const response = await fetch(`${API_BASE_URL}/ready`, { signal, headers: { Accept: 'application/json' } });
      return parseEmailCheck(await response.json().catch(() => null)) ?? null;
    },
    retry: false,
    staleTime: 60_000,
  });
}

export function useStripeConnection() {
  return useQuery({
    queryKey: integrationKeys.stripe,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/integrations/stripe', { signal })),
  });
}

export function useConnectStripe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { secret_key: string; webhook_secret: string | null }) =>
      unwrap(await api.PUT('/api/integrations/stripe', { body })),
    onSuccess: (connection) => {
      queryClient.setQueryData(integrationKeys.stripe, connection);
      void queryClient.invalidateQueries({ queryKey: setupKeys.paymentSetup });
      void queryClient.invalidateQueries({ queryKey: setupKeys.notices });
    },
  });
}

export function useDisconnectStripe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/integrations/stripe')),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: integrationKeys.stripe });
      void queryClient.invalidateQueries({ queryKey: setupKeys.paymentSetup });
    },
  });
}

export function useStripeImport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/integrations/stripe/import')),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: integrationKeys.stripe });
      void queryClient.invalidateQueries({ queryKey: ['invoices'] });
      void queryClient.invalidateQueries({ queryKey: ['clients'] });
    },
  });
}

/** Downloads the account's data archive (a zip) through the authenticated fetch. */
export async function downloadExport(): Promise<void> {
  const response = await authFetch(new Request(`${API_BASE_URL}/api/me/export`));
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => undefined));
  const name = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'duespark-export.zip';
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function useDeleteMe() {
  return useMutation({
    mutationFn: async (password: string) => unwrap(await api.POST('/api/me/delete', { body: { password } })),
  });
}
