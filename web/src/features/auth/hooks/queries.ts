import { useSyncExternalStore } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import { tokenStore } from '@/api/tokens';
import type { LoginInput, MeUpdate, RegisterInput } from '@/api/types';

export const authKeys = {
  me: ['me'] as const,
};

/** True while tokens are stored; re-renders when they change (also in other tabs). */
export function useIsSignedIn(): boolean {
  return useSyncExternalStore(
    (listener) => tokenStore.subscribe(listener),
    () => tokenStore.isSignedIn(),
    () => false,
  );
}

export function useMe() {
  const signedIn = useIsSignedIn();
  return useQuery({
    queryKey: authKeys.me,
    queryFn: async () => unwrap(await api.GET('/api/me')),
    enabled: signedIn,
    staleTime: 5 * 60_000,
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: LoginInput) => unwrap(await api.POST('/api/auth/login', { body })),
    onSuccess: (pair) => {
      queryClient.clear();
      tokenStore.set(pair);
    },
  });
}

export function useRegister() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: RegisterInput) => unwrap(await api.POST('/api/auth/register', { body })),
    onSuccess: (pair) => {
      queryClient.clear();
      tokenStore.set(pair);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const refresh_token = tokenStore.getRefresh();
      if (refresh_token) {
        // Best effort: the session ends locally even if the server can't be reached.
        await api.POST('/api/auth/logout', { body: { refresh_token } }).catch(() => undefined);
      }
    },
    onSettled: () => {
      tokenStore.clear();
      queryClient.clear();
    },
  });
}

export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: MeUpdate) => unwrap(await api.PATCH('/api/me', { body })),
    onSuccess: (me) => queryClient.setQueryData(authKeys.me, me),
  });
}

/** Only same-site paths are allowed as a post-sign-in destination. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/signin') || next.startsWith('/signup')) return '/';
  return next;
}
