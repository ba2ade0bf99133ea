import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { Client, ClientCreate, ClientSort, ClientUpdate, Id } from '@/api/types';

export interface ClientListParams {
  q?: string;
  sort?: ClientSort;
  page?: number;
  page_size?: number;
}

export const clientKeys = {
  all: ['clients'] as const,
  lists: () => [...clientKeys.all, 'list'] as const,
  list: (params: ClientListParams) => [...clientKeys.lists(), params] as const,
  detail: (id: Id | undefined) => [...clientKeys.all, 'detail', id] as const,
};

export function useClients(params: ClientListParams) {
  return useQuery({
    queryKey: clientKeys.list(params),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/clients', { params: { query: { ...params, q: params.q || undefined } }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** Clients for pickers: the first 200 by name, optionally filtered. */
export function useClientOptions(q = '') {
  return useQuery({
    queryKey: clientKeys.list({ q, sort: 'name', page: 1, page_size: 200 }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/clients', {
          params: { query: { q: q || undefined, sort: 'name', page: 1, page_size: 200 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

export function useClient(id: Id | undefined) {
  return useQuery({
    queryKey: clientKeys.detail(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/clients/{client_id}', { params: { path: { client_id: id! } }, signal })),
    enabled: id !== undefined,
  });
}

export function useCreateClient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ClientCreate) => unwrap(await api.POST('/api/clients', { body })),
    onSuccess: (client) => {
      queryClient.setQueryData(clientKeys.detail(client.id), client);
      void queryClient.invalidateQueries({ queryKey: clientKeys.lists() });
    },
  });
}

export function useUpdateClient(id: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ClientUpdate) =>
      unwrap(await api.PATCH('/api/clients/{client_id}', { params: { path: { client_id: id } }, body })),
    onSuccess: (client: Client) => {
      queryClient.setQueryData(clientKeys.detail(id), client);
      void queryClient.invalidateQueries({ queryKey: clientKeys.lists() });
    },
  });
}

export function useDeleteClient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: Id) => {
      unwrap(await api.DELETE('/api/clients/{client_id}', { params: { path: { client_id: id } } }));
    },
    onSuccess: (_, id) => {
      queryClient.removeQueries({ queryKey: clientKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: clientKeys.lists() });
    },
  });
}
