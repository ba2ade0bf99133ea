import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { AuditQuery } from '@/api/types';

export const securityKeys = {
  twoFactor: ['two-factor'] as const,
  sessions: ['sessions'] as const,
  audit: (query: AuditQuery) => ['audit', query] as const,
};

export function useTwoFactor() {
  return useQuery({
    queryKey: securityKeys.twoFactor,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/auth/2fa', { signal })),
  });
}

export function useStartEnrolment() {
  return useMutation({ mutationFn: async () => unwrap(await api.POST('/api/auth/2fa/enrol')) });
}

export function useConfirmEnrolment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST('/api/auth/2fa/confirm', { body: { code } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: securityKeys.twoFactor }),
  });
}

export function useNewRecoveryCodes() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST('/api/auth/2fa/recovery-codes', { body: { code } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: securityKeys.twoFactor }),
  });
}

export function useDisableTwoFactor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { password: string; code: string }) => {
      unwrap(await api.POST('/api/auth/2fa/disable', { body }));
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: securityKeys.twoFactor }),
  });
}

export function useSessions() {
  return useQuery({
    queryKey: securityKeys.sessions,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/auth/sessions', { signal })).items,
  });
}

export function useSignOutSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (familyId: string) => {
      unwrap(await api.DELETE('/api/auth/sessions/{family_id}', { params: { path: { family_id: familyId } } }));
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: securityKeys.sessions }),
  });
}

export function useSignOutOthers() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/auth/sessions/sign-out-others')),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: securityKeys.sessions }),
  });
}

export function useAuditEntries(query: AuditQuery) {
  return useQuery({
    queryKey: securityKeys.audit(query),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/audit', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}
