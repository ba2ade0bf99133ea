import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { DigestPreferencesInput } from '@/api/types';

export const digestKeys = { preferences: ['me', 'digest'] as const };

export function useDigestPreferences() {
  return useQuery({
    queryKey: digestKeys.preferences,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/me/digest', { signal })),
  });
}

export function useSaveDigestPreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: DigestPreferencesInput) => unwrap(await api.PUT('/api/me/digest', { body })),
    onSuccess: (data) => queryClient.setQueryData(digestKeys.preferences, data),
  });
}
