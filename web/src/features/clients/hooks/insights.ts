import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { ClientInsights, Id } from '@/api/types';
import { clientKeys } from './queries';

export function useClientInsights(clientId: Id) {
  return useQuery({
    queryKey: [...clientKeys.detail(clientId), 'insights'],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/clients/{client_id}/insights', { params: { path: { client_id: clientId } }, signal })),
  });
}

export function usePortalLink(clientId: Id) {
  return useQuery({
    queryKey: [...clientKeys.detail(clientId), 'portal-link'],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/clients/{client_id}/portal-link', { params: { path: { client_id: clientId } }, signal })),
  });
}

export const RATING_LOOK: Record<ClientInsights['behaviour']['rating'], { label: string; color: string }> = {
  new: { label: 'New payer', color: 'gray' },
  early: { label: 'Pays early', color: 'teal' },
  on_time: { label: 'Pays on time', color: 'teal' },
  late: { label: 'Often late', color: 'orange' },
  chronic_late: { label: 'Chronically late', color: 'red' },
  never_pays: { label: 'Never pays · high risk', color: 'red' },
};

/** "Usually pays 4 days late" from the behaviour figures; undefined without paid invoices. */
export function describeBehaviour(behaviour: ClientInsights['behaviour']): string | undefined {
  if (behaviour.paid_invoices === 0 || behaviour.median_days_late === null) return undefined;
  const days = Math.round(behaviour.median_days_late);
  const when = days === 0 ? 'on the due date' : `${Math.abs(days)} ${Math.abs(days) === 1 ? 'day' : 'days'} ${days > 0 ? 'late' : 'early'}`;
  const onTime = behaviour.on_time_rate === null ? '' : `, ${Math.round(behaviour.on_time_rate * 100)}% on time`;
  return `Usually pays ${when} (${behaviour.paid_invoices} paid ${behaviour.paid_invoices === 1 ? 'invoice' : 'invoices'}${onTime})`;
}
