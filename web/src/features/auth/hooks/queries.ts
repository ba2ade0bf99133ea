import { useEffect, useSyncExternalStore } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import { restoreSession } from '@/api/http';
import { session, type SessionStatus } from '@/api/session';
import type { LoginInput, MeUpdate, RegisterInput } from '@/api/types';

export const authKeys = {
  me: ['me'] as const,
};

/** 'unknown' until the refresh cookie has been tried; re-renders on sign-in and sign-out (also from other tabs). */
export function useSessionStatus(): SessionStatus {
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.status(),
    () => 'unknown',
  );
}

/**
 * Restores the session from the refresh cookie once the status is 'unknown' (a reload).
 * Returns a retry for when DueSpark could not be reached.
 */
export function useRestoreSession() {
  const status = useSessionStatus();
  const restore = useMutation({ mutationFn: restoreSession });
  const { mutate } = restore;
  useEffect(() => {
    if (status === 'unknown') mutate();
  }, [status, mutate]);
  return {
    status,
    unreachable: status === 'unknown' && restore.data === 'unreachable',
    retry: () => mutate(),
  };
}

export function useMe() {
  const status = useSessionStatus();
  return useQuery({
    queryKey: authKeys.me,
    queryFn: async () => unwrap(await api.GET('/api/me')),
    enabled: status === 'signed-in',
    staleTime: 5 * 60_000,
  });
}

/** Login and sign-up answer a token pair and set the refresh cookie; only the access token is kept. */
export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: LoginInput) => unwrap(await api.POST('/api/auth/login', { body })),
    onSuccess: (pair) => {
      queryClient.clear();
      session.signIn(pair.access_token);
    },
  });
}

export function useRegister() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: RegisterInput) => unwrap(await api.POST('/api/auth/register', { body })),
    onSuccess: (pair) => {
      queryClient.clear();
      session.signIn(pair.access_token);
    },
  });
}

/** Ends the sign-in on the server (the cookie names it), here and in the other tabs. */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      // Best effort: the session ends locally even if the server can't be reached.
      await api.POST('/api/auth/logout').catch(() => undefined);
    },
    onSettled: () => {
      session.signOut({ broadcast: true });
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
