import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { theme } from '@/theme';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const ME = {
  id: 1,
  email: 'nora@example.com',
  name: 'Nora Lind',
  email_verified: true,
  role: 'owner',
  account: {
    id: 1,
    name: 'Studio Nord',
    default_currency: 'EUR',
    timezone: 'Europe/Berlin',
    locale: 'en',
    sender_name: null,
    sender_email: null,
    payment_instructions: null,
    test_mode: false,
    has_logo: false,
  },
};

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('AppLayout on page load', () => {
  it('restores the session from the refresh cookie, offers a retry while offline, and leaves on sign-out', async () => {
    // Node's fetch needs absolute URLs; the app calls the API on the page's own origin.
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { default: AppLayout } = await import('./AppLayout');
    const { session } = await import('@/api/session');

    let online = false;
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        calls.push(`${request.method} ${path} ${request.credentials}`);
        if (!online) throw new TypeError('Failed to fetch');
        if (path === '/api/auth/refresh') return json(200, { access_token: 'A1', refresh_token: 'R1', token_type: 'bearer', expires_in: 900 });
        if (path === '/api/me') {
          return request.headers.get('Authorization') === 'Bearer A1' ? json(200, ME) : json(401, { error: 'Unauthorized' });
        }
        return json(404, { error: 'NotFound' });
      }),
    );

    const router = createMemoryRouter(
      [
        { path: '/', element: <AppLayout />, children: [{ index: true, element: <p>Dashboard content</p> }] },
        { path: '/signin', element: <p>Sign-in page</p> },
      ],
      { initialEntries: ['/'] },
    );
    render(
      <MantineProvider theme={theme}>
        <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </MantineProvider>,
    );

    expect(await screen.findByText('Can’t reach DueSpark')).toBeInTheDocument();
    expect(session.status()).toBe('unknown');
    expect(calls[0]).toBe('POST /api/auth/refresh same-origin');

    online = true;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Dashboard content')).toBeInTheDocument();
    expect(await screen.findByText('Studio Nord')).toBeInTheDocument();
    expect(session.getAccess()).toBe('A1');

    act(() => session.signOut());
    expect(await screen.findByText('Sign-in page')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?next=%2F');
  });
});
