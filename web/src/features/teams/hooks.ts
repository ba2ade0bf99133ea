import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import { session } from '@/api/session';
import type { Id, InvitationCreate, InvitedSignUp, TokenPair } from '@/api/types';

export const teamKeys = {
  members: ['members'] as const,
  invitations: ['invitations'] as const,
  accounts: ['me', 'accounts'] as const,
};

export function useMembers(enabled = true) {
  return useQuery({
    queryKey: teamKeys.members,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/members', { signal })).items,
    enabled,
  });
}

export function useInvitations(enabled = true) {
  return useQuery({
    queryKey: teamKeys.invitations,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/invitations', { signal })).items,
    enabled,
  });
}

function useTeamMutation<T, R>(mutationFn: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: teamKeys.members });
      void queryClient.invalidateQueries({ queryKey: teamKeys.invitations });
    },
  });
}

export function useInvite() {
  return useTeamMutation(async (body: InvitationCreate) => unwrap(await api.POST('/api/invitations', { body })));
}

export function useResendInvitation() {
  return useTeamMutation(async (id: Id) =>
    unwrap(await api.POST('/api/invitations/{invitation_id}/resend', { params: { path: { invitation_id: id } } })),
  );
}

export function useRevokeInvitation() {
  return useTeamMutation(async (id: Id) =>
    unwrap(await api.DELETE('/api/invitations/{invitation_id}', { params: { path: { invitation_id: id } } })),
  );
}

export function useChangeRole() {
  return useTeamMutation(async ({ userId, role }: { userId: Id; role: 'owner' | 'admin' | 'member' | 'viewer' }) =>
    unwrap(await api.PATCH('/api/members/{user_id}', { params: { path: { user_id: userId } }, body: { role } })),
  );
}

export function useRemoveMember() {
  return useTeamMutation(async (userId: Id) =>
    unwrap(await api.DELETE('/api/members/{user_id}', { params: { path: { user_id: userId } } })),
  );
}

export function useMyAccounts(enabled = true) {
  return useQuery({
    queryKey: teamKeys.accounts,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/me/accounts', { signal })).items,
    enabled,
    staleTime: 5 * 60_000,
  });
}

/** New tokens name another account: everything cached belongs to the old one. */
function useSignInAs<T>(mutationFn: (input: T) => Promise<TokenPair>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: (pair) => {
      queryClient.clear();
      session.signIn(pair.access_token);
    },
  });
}

export function useSwitchAccount() {
  return useSignInAs(async (accountId: Id) =>
    unwrap(await api.POST('/api/auth/switch-account', { body: { account_id: accountId } })),
  );
}

export function useAcceptInvitation() {
  return useSignInAs(async (token: string) => unwrap(await api.POST('/api/invitations/accept', { body: { token } })));
}

export function useRegisterInvited() {
  return useSignInAs(async (body: InvitedSignUp) => unwrap(await api.POST('/api/auth/register-invited', { body })));
}

export function useInvitationPreview(token: string) {
  return useQuery({
    queryKey: ['invitation-preview', token],
    queryFn: async () => unwrap(await api.POST('/api/invitations/preview', { body: { token } })),
    retry: false,
    staleTime: Infinity,
  });
}
