import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Account } from '@/api/types';
import { renderWithProviders } from '@/test/render';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const BLOCKER =
  'Your clients would have no way to pay: add payment instructions (bank details or how else to pay) in the company settings, or connect Stripe for card payments, before going live.';
const FILE_WARNING =
  "This server's email provider is 'file': emails are written to files on the server and no client will ever receive a reminder.";

const setup = (overrides: Record<string, unknown> = {}) => ({
  payment_instructions: false,
  card_payments: false,
  contact_email: 'nora@example.com',
  has_way_to_pay: false,
  go_live_blockers: [BLOCKER],
  go_live_warnings: [FILE_WARNING],
  warnings: [],
  ...overrides,
});

const ACCOUNT: Account = {
  id: 1,
  name: 'Studio Nord',
  default_currency: 'EUR',
  timezone: 'Europe/Berlin',
  locale: 'en',
  sender_name: null,
  sender_email: null,
  payment_instructions: null,
  test_mode: true,
  has_logo: false,
  audit_record_ip: false,
  audit_retention_days: 365,
  require_two_factor: false,
};

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('Go live', () => {
  it('says why it cannot go live yet and where to add a way to pay, without calling go-live', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { ModeSwitchButton } = await import('./components/ModeSwitchButton');
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        calls.push(`${request.method} ${path}`);
        if (path === '/api/account/payment-setup') return json(200, setup());
        return json(404, { error: 'NotFound' });
      }),
    );
    renderWithProviders(<ModeSwitchButton account={ACCOUNT} />);
    await vi.waitFor(() => expect(calls).toContain('GET /api/account/payment-setup'));
    await userEvent.click(screen.getByRole('button', { name: 'Go live' }));
    expect(await screen.findByText(BLOCKER)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Add bank details or instructions' })).toHaveAttribute('href', '/settings?tab=company');
    expect(screen.getByRole('link', { name: 'Connect Stripe' })).toHaveAttribute('href', '/settings?tab=payments');
    expect(calls).not.toContain('POST /api/account/go-live');
  });

  it('warns in the confirmation when emails would reach no one', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { ModeSwitchButton } = await import('./components/ModeSwitchButton');
    const fetchMock = vi.fn(async (request: Request) =>
      new URL(request.url).pathname === '/api/account/go-live/preview'
        ? json(200, NOTHING_GOES_OUT)
        : json(200, setup({ has_way_to_pay: true, payment_instructions: true, go_live_blockers: [] })),
    );
    vi.stubGlobal('fetch', fetchMock);
    renderWithProviders(<ModeSwitchButton account={ACCOUNT} />);
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalled());
    await userEvent.click(screen.getByRole('button', { name: 'Go live' }));
    expect(await screen.findByText(/Go live and email your clients\?/)).toBeInTheDocument();
    expect(await screen.findByText(new RegExp("email provider is 'file'"))).toBeInTheDocument();
  });
});

// The go-live dialog's preview of what goes out first: nothing today.
const NOTHING_GOES_OUT = {
  at: null,
  today: false,
  test_mode: true,
  emails: 0,
  clients: 0,
  invoices: 0,
  statements: 0,
  singles: 0,
  tones: {},
  skipped_steps: 0,
  held: 0,
  held_reason: null,
  previews: [],
  more: 0,
};

describe('SetupWarnings', () => {
  it('shows live warnings and a card-failure notice that can be dismissed', async () => {
    vi.stubEnv('VITE_API_URL', window.location.origin);
    vi.resetModules();
    const { SetupWarnings } = await import('./components/SetupWarnings');
    const calls: string[] = [];
    let dismissed = false;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        calls.push(`${request.method} ${path}`);
        if (path === '/api/account/payment-setup') return json(200, setup({ warnings: [FILE_WARNING] }));
        if (path === '/api/notices') {
          return json(
            200,
            dismissed
              ? []
              : [
                  {
                    id: 5,
                    kind: 'checkout_failed',
                    message: 'A client could not pay invoice INV-042 by card: Stripe refused your API key.',
                    count: 3,
                    first_at: '2026-12-03T09:00:00Z',
                    last_at: '2026-12-03T10:00:00Z',
                  },
                ],
          );
        }
        if (path === '/api/notices/5/dismiss') {
          dismissed = true;
          return json(200, {});
        }
        return json(404, { error: 'NotFound' });
      }),
    );
    renderWithProviders(<SetupWarnings />);
    expect(await screen.findByText(FILE_WARNING)).toBeInTheDocument();
    expect(await screen.findByText('A client’s card payment failed (3 times)')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    await vi.waitFor(() => expect(screen.queryByText(/could not pay invoice INV-042/)).not.toBeInTheDocument());
    expect(calls).toContain('POST /api/notices/5/dismiss');
  });
});
