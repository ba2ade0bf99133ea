import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const delivery = (id: number, status: string, code: number | null, eventType: string) => ({
  id,
  endpoint_id: 3,
  event_id: `msg_${id}`,
  event_type: eventType,
  status,
  attempts: code ? 1 : 0,
  next_attempt_at: status === 'pending' ? '2026-11-25T10:00:05Z' : null,
  last_attempt_at: code ? '2026-11-25T10:00:00Z' : null,
  last_response_code: code,
  last_response_excerpt: code ? 'thanks' : null,
  last_duration_ms: code ? 142 : null,
  delivered_at: status === 'delivered' ? '2026-11-25T10:00:00Z' : null,
  created_at: '2026-11-25T10:00:00Z',
  body: `{"type":"${eventType}","data":{"id":${id}}}`,
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('WebhookDeliveries', () => {
  it('shows each delivery’s answer and time, and resends a delivered one', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { WebhookDeliveries } = await import('./components/WebhookDeliveries');
    const { notifications } = await import('@mantine/notifications');
    const shown = vi.spyOn(notifications, 'show');
    const calls: string[] = [];
    const items = [delivery(9, 'delivered', 200, 'late_fee.charged'), delivery(10, 'pending', null, 'client.replied')];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        calls.push(`${request.method} ${new URL(request.url).pathname}`);
        if (request.method === 'POST') return json(202, { ...items[0], status: 'pending' });
        return json(200, { items, total: 2, page: 1, page_size: 20 });
      }),
    );
    renderWithProviders(<WebhookDeliveries endpointId={3} enabled />);
    const table = await screen.findByRole('table', { name: 'Webhook deliveries' });
    const [, delivered, pending] = within(table).getAllByRole('row');
    expect(delivered).toHaveTextContent('late_fee.charged');
    expect(delivered).toHaveTextContent('HTTP 200');
    expect(delivered).toHaveTextContent('142 ms');
    // Only a finished delivery can be sent again.
    expect(within(pending).queryByRole('button', { name: /Resend/ })).not.toBeInTheDocument();
    await userEvent.click(within(delivered).getByRole('button', { name: 'Resend late_fee.charged msg_9' }));
    await vi.waitFor(() =>
      expect(shown).toHaveBeenCalledWith({ color: 'teal', message: 'late_fee.charged will be sent again in a few seconds.' }),
    );
    expect(calls).toContain('POST /api/webhooks/endpoints/3/deliveries/9/resend');
  });
});
