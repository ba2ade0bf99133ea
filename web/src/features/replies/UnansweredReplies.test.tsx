import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('UnansweredReplies', () => {
  it('asks for the unanswered replies and links each to its invoice, its text as text', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { UnansweredReplies } = await import('./components/UnansweredReplies');
    const urls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const url = new URL(request.url);
        urls.push(url.pathname + url.search);
        return json(200, {
          total: 1,
          items: [
            {
              id: 3,
              kind: 'reply',
              invoice_id: 41,
              invoice_ids: [41],
              client_id: 2,
              from_email: 'john@globex.test',
              from_name: 'John Smith',
              subject: 'Re: INV-41',
              text: 'Paid <b>yesterday</b>',
              html: null,
              attachments: [],
              received_at: '2026-12-03T09:00:00Z',
              answered_at: null,
            },
          ],
        });
      }),
    );
    renderWithProviders(<UnansweredReplies />);
    const list = await screen.findByRole('list', { name: 'Unanswered replies' });
    expect(urls).toEqual(['/api/replies?state=unanswered&limit=20']);
    expect(within(list).getByRole('link', { name: '“Re: INV-41”' })).toHaveAttribute('href', '/invoices/41');
    expect(within(list).getByText('Paid <b>yesterday</b>')).toBeInTheDocument();
    expect(screen.getByTestId('unanswered-count')).toHaveTextContent('1');
  });
});
