import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const PREFERENCES = {
  enabled: true,
  send_hour: 7,
  timezone: null,
  locale: null,
  effective_timezone: 'Europe/Berlin',
  effective_locale: 'en',
};

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('Daily digest', () => {
  it('shows the member’s setting and turns the digest off with one PUT that keeps the hour', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { DigestSection } = await import('./components/DigestSection');
    const puts: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        if (path !== '/api/me/digest') return json(404, { error: 'NotFound' });
        if (request.method === 'PUT') {
          const body = (await request.json()) as Record<string, unknown>;
          puts.push(body);
          return json(200, { ...PREFERENCES, ...body });
        }
        return json(200, PREFERENCES);
      }),
    );
    renderWithProviders(<DigestSection />);
    const toggle = await screen.findByRole('switch', { name: 'Email me a daily digest' });
    expect(toggle).toBeChecked();
    expect(screen.getByText(/Times are in Europe\/Berlin\./)).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Digest hour' })).toHaveValue('07:00');
    await userEvent.click(toggle);
    await vi.waitFor(() => expect(puts).toEqual([{ enabled: false, send_hour: 7, timezone: null, locale: null }]));
    await vi.waitFor(() => expect(screen.getByRole('switch', { name: 'Email me a daily digest' })).not.toBeChecked());
    expect(screen.getByRole('textbox', { name: 'Digest hour' })).toBeDisabled();
  });
});
