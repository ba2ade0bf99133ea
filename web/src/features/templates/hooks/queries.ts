import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { PreviewInput } from '@/api/types';
import { fetchPreview } from '@/features/reminders/hooks/queries';

export const templateKeys = {
  catalog: ['templates'] as const,
  detail: (key: string, locale: string) => ['templates', key, locale] as const,
  preview: (input: PreviewInput) => ['templates', 'preview', input] as const,
};

export function useTemplateCatalog() {
  return useQuery({
    queryKey: templateKeys.catalog,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/templates', { signal })),
    staleTime: 60_000,
  });
}

export function useTemplate(key: string, locale: string) {
  return useQuery({
    queryKey: templateKeys.detail(key, locale),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/templates/{key}', { params: { path: { key }, query: { locale } }, signal })),
    enabled: key !== '',
  });
}

export function useSaveTemplate(key: string, locale: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { subject: string; body: string }) =>
      unwrap(await api.PUT('/api/templates/{key}', { params: { path: { key }, query: { locale } }, body })),
    onSuccess: (template) => {
      queryClient.setQueryData(templateKeys.detail(key, locale), template);
      void queryClient.invalidateQueries({ queryKey: templateKeys.catalog });
    },
  });
}

export function useResetTemplate(key: string, locale: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE('/api/templates/{key}', { params: { path: { key }, query: { locale } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: templateKeys.detail(key, locale) });
      void queryClient.invalidateQueries({ queryKey: templateKeys.catalog });
    },
  });
}

/** The rendered email for the given (possibly unsaved) template text; keeps the last good one while typing. */
export function usePreview(input: PreviewInput | null) {
  return useQuery({
    queryKey: templateKeys.preview(input ?? { template_key: '' }),
    queryFn: ({ signal }) => fetchPreview(input!, signal),
    enabled: input !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });
}
