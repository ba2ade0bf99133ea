import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { Id, WebhookEndpointCreate, WebhookEndpointUpdate } from '@/api/types';

export const webhookKeys = {
  all: ['webhooks'] as const,
  endpoints: ['webhooks', 'endpoints'] as const,
  eventTypes: ['webhooks', 'event-types'] as const,
  deliveries: (endpointId: Id, page: number) => ['webhooks', 'deliveries', endpointId, page] as const,
};

export function useWebhookEndpoints() {
  return useQuery({
    queryKey: webhookKeys.endpoints,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/webhooks/endpoints', { signal })),
  });
}

export function useWebhookEventTypes() {
  return useQuery({
    queryKey: webhookKeys.eventTypes,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/webhooks/event-types', { signal })),
    staleTime: Infinity,
  });
}

/** The delivery log, newest first; refreshed every few seconds while something is still on its way. */
export function useWebhookDeliveries(endpointId: Id, page: number) {
  return useQuery({
    queryKey: webhookKeys.deliveries(endpointId, page),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/webhooks/endpoints/{endpoint_id}/deliveries', {
          params: { path: { endpoint_id: endpointId }, query: { page, page_size: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.items.some((d) => d.status === 'pending' || d.status === 'sending') ? 5000 : false,
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: webhookKeys.all });
}

export function useCreateWebhookEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: WebhookEndpointCreate) => unwrap(await api.POST('/api/webhooks/endpoints', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateWebhookEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, body }: { id: Id; body: WebhookEndpointUpdate }) =>
      unwrap(await api.PATCH('/api/webhooks/endpoints/{endpoint_id}', { params: { path: { endpoint_id: id } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteWebhookEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: Id) => {
      unwrap(await api.DELETE('/api/webhooks/endpoints/{endpoint_id}', { params: { path: { endpoint_id: id } } }));
    },
    onSuccess: invalidate,
  });
}

export function useRotateWebhookSecret() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: Id) =>
      unwrap(await api.POST('/api/webhooks/endpoints/{endpoint_id}/rotate-secret', { params: { path: { endpoint_id: id } } })),
    onSuccess: invalidate,
  });
}

export function useSendWebhookTest() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: Id) =>
      unwrap(await api.POST('/api/webhooks/endpoints/{endpoint_id}/test', { params: { path: { endpoint_id: id } } })),
    onSuccess: invalidate,
  });
}

export function useResendWebhookDelivery() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ endpointId, deliveryId }: { endpointId: Id; deliveryId: Id }) =>
      unwrap(
        await api.POST('/api/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/resend', {
          params: { path: { endpoint_id: endpointId, delivery_id: deliveryId } },
        }),
      ),
    onSuccess: invalidate,
  });
}
