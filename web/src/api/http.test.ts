import { describe, expect, it, vi } from 'vitest';
import { createAuthFetch, credentialsFor, type LockManagerLike } from './http';
import { createSessionStore, type SessionStore } from './session';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const pair = (access: string) => json(200, { access_token: access, refresh_token: 'in-the-cookie-too', token_type: 'bearer', expires_in: 900 });

const BASE = 'http://api.test';

function signedIn(access: string): SessionStore {
  const session = createSessionStore();
  session.signIn(access);
  return session;
}

interface Seen {
  url: string;
  auth: string | null;
  body: string;
  credentials: RequestCredentials;
}

/** A fake API: `/api/auth/refresh` answers `onRefresh()`, anything else `onCall(request)`. */
function fakeApi(onRefresh: () => Response | Promise<Response>, onCall: (request: Request) => Response) {
  const seen: Seen[] = [];
  const fetch = vi.fn(async (request: Request) => {
    seen.push({ url: request.url, auth: request.headers.get('Authorization'), body: await request.clone().text(), credentials: request.credentials });
    return new URL(request.url).pathname.endsWith('/api/auth/refresh') ? onRefresh() : onCall(request);
  });
  return { fetch, seen };
}

const acceptsOnly = (access: string) => (request: Request) =>
  request.headers.get('Authorization') === `Bearer ${access}` ? json(200, { ok: true }) : json(401, { error: 'Unauthorized' });

describe('authFetch', () => {
  it('adds the access token as a bearer token', async () => {
    const { fetch, seen } = fakeApi(() => pair('A2'), acceptsOnly('A1'));
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session: signedIn('A1'), locks: null, onAuthFailure: vi.fn() });
    const response = await authFetch(new Request(`${BASE}/api/me`));
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.auth).toBe('Bearer A1');
  });

  it('on 401 refreshes through the cookie (no token in the body) and replays the request with its body', async () => {
    const session = signedIn('A1');
    const { fetch, seen } = fakeApi(() => pair('A2'), (request) =>
      request.headers.get('Authorization') === 'Bearer A2' ? json(201, { id: 1 }) : json(401, { error: 'Unauthorized' }),
    );
    const onAuthFailure = vi.fn();
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session, credentials: 'same-origin', locks: null, onAuthFailure });

    const response = await authFetch(new Request(`${BASE}/api/clients`, { method: 'POST', body: '{"name":"Acme"}' }));

    expect(response.status).toBe(201);
    expect(seen.map((s) => s.url)).toEqual([`${BASE}/api/clients`, `${BASE}/api/auth/refresh`, `${BASE}/api/clients`]);
    expect(seen[1]).toMatchObject({ body: '', auth: null, credentials: 'same-origin' });
    expect(seen[2]).toMatchObject({ auth: 'Bearer A2', body: '{"name":"Acme"}' });
    expect(session.getAccess()).toBe('A2');
    expect(onAuthFailure).not.toHaveBeenCalled();
  });

  it('sends the cookie to an API on another origin (credentials: include)', async () => {
    const { fetch, seen } = fakeApi(() => pair('A2'), acceptsOnly('A2'));
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session: signedIn('A1'), credentials: 'include', locks: null, onAuthFailure: vi.fn() });
    await authFetch(new Request(`${BASE}/api/me`));
    expect(seen[1]).toMatchObject({ url: `${BASE}/api/auth/refresh`, credentials: 'include' });
  });

  it('when the refresh is refused, ends the session and sends the user to sign in', async () => {
    const session = signedIn('A1');
    const { fetch } = fakeApi(() => json(401, { error: 'TokenReused' }), acceptsOnly('A2'));
    const onAuthFailure = vi.fn();
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session, locks: null, onAuthFailure });

    const response = await authFetch(new Request(`${BASE}/api/invoices`));

    expect(response.status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(session.status()).toBe('signed-out');
    expect(session.getAccess()).toBeNull();
    expect(onAuthFailure).toHaveBeenCalledOnce();
  });

  it('keeps the session when DueSpark cannot be reached during a refresh', async () => {
    const session = signedIn('A1');
    const { fetch } = fakeApi(() => Promise.reject(new TypeError('Failed to fetch')), acceptsOnly('A2'));
    const onAuthFailure = vi.fn();
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session, locks: null, onAuthFailure });

    const response = await authFetch(new Request(`${BASE}/api/invoices`));

    expect(response.status).toBe(401);
    expect(session.status()).toBe('signed-in');
    expect(session.getAccess()).toBe('A1');
    expect(onAuthFailure).not.toHaveBeenCalled();
  });

  it('does not retry more than once when the replay is still 401', async () => {
    const { fetch } = fakeApi(() => pair('A2'), () => json(401, { error: 'Unauthorized' }));
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session: signedIn('A1'), locks: null, onAuthFailure: vi.fn() });
    const response = await authFetch(new Request(`${BASE}/api/me`));
    expect(response.status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('shares one refresh between concurrent 401s', async () => {
    let refreshes = 0;
    const { fetch } = fakeApi(async () => {
      refreshes += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return pair('A2');
    }, acceptsOnly('A2'));
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session: signedIn('A1'), locks: null, onAuthFailure: vi.fn() });
    const results = await Promise.all([
      authFetch(new Request(`${BASE}/api/me`)),
      authFetch(new Request(`${BASE}/api/clients`)),
      authFetch(new Request(`${BASE}/api/invoices`)),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  it('refreshes under the cross-tab lock, so two tabs never spend the same cookie', async () => {
    const order: string[] = [];
    const locks: LockManagerLike = {
      async request(name, callback) {
        order.push(`lock ${name}`);
        const result = await callback();
        order.push(`unlock ${name}`);
        return result;
      },
    };
    const { fetch } = fakeApi(() => {
      order.push('refresh');
      return pair('A2');
    }, acceptsOnly('A2'));
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session: signedIn('A1'), locks, onAuthFailure: vi.fn() });
    await authFetch(new Request(`${BASE}/api/me`));
    expect(order).toEqual(['lock duespark-auth-refresh', 'refresh', 'unlock duespark-auth-refresh']);
  });

  it('never refreshes for a failed sign-in', async () => {
    const { fetch } = fakeApi(() => pair('A2'), () => json(401, { error: 'Unauthorized' }));
    const onAuthFailure = vi.fn();
    const { authFetch } = createAuthFetch({ baseUrl: BASE, fetch, session: createSessionStore(), locks: null, onAuthFailure });
    const response = await authFetch(new Request(`${BASE}/api/auth/login`, { method: 'POST', body: '{}' }));
    expect(response.status).toBe(401);
    expect(fetch).toHaveBeenCalledOnce();
    expect(onAuthFailure).not.toHaveBeenCalled();
  });
});

describe('restoreSession (page load)', () => {
  it('signs in with the access token the refresh cookie buys', async () => {
    const session = createSessionStore();
    const { fetch, seen } = fakeApi(() => pair('A9'), acceptsOnly('A9'));
    const { restoreSession } = createAuthFetch({ baseUrl: BASE, fetch, session, locks: null });
    expect(session.status()).toBe('unknown');
    await expect(restoreSession()).resolves.toBe('refreshed');
    expect(session.status()).toBe('signed-in');
    expect(session.getAccess()).toBe('A9');
    expect(seen[0]).toMatchObject({ url: `${BASE}/api/auth/refresh?optional=true`, body: '' });
  });

  it('without a usable cookie, the visitor is signed out', async () => {
    const session = createSessionStore();
    const { fetch } = fakeApi(() => json(401, { error: 'Unauthorized', detail: 'No refresh token given' }), acceptsOnly('A1'));
    const { restoreSession } = createAuthFetch({ baseUrl: BASE, fetch, session, locks: null });
    await expect(restoreSession()).resolves.toBe('rejected');
    expect(session.status()).toBe('signed-out');
  });

  it('a signed-out visitor (no cookie: 204, no console error) is signed out', async () => {
    const session = createSessionStore();
    const { fetch, seen } = fakeApi(() => new Response(null, { status: 204 }), acceptsOnly('A1'));
    const { restoreSession } = createAuthFetch({ baseUrl: BASE, fetch, session, locks: null });
    await expect(restoreSession()).resolves.toBe('rejected');
    expect(session.status()).toBe('signed-out');
    expect(seen[0].url).toBe(`${BASE}/api/auth/refresh?optional=true`);
  });

  it('stays unknown (to offer a retry) when DueSpark cannot be reached', async () => {
    const session = createSessionStore();
    const { fetch } = fakeApi(() => json(502, {}), acceptsOnly('A1'));
    const { restoreSession } = createAuthFetch({ baseUrl: BASE, fetch, session, locks: null });
    await expect(restoreSession()).resolves.toBe('unreachable');
    expect(session.status()).toBe('unknown');
  });

  it('does not undo a sign-in that finished while the restore was in flight', async () => {
    const session = createSessionStore();
    let answer: ((response: Response) => void) | undefined;
    const { fetch } = fakeApi(() => new Promise<Response>((resolve) => (answer = resolve)), acceptsOnly('A1'));
    const { restoreSession } = createAuthFetch({ baseUrl: BASE, fetch, session, locks: null });
    const restoring = restoreSession();
    await vi.waitFor(() => expect(answer).toBeDefined());
    session.signIn('FROM-LOGIN');
    answer!(json(401, { error: 'Unauthorized' }));
    await restoring;
    expect(session.status()).toBe('signed-in');
    expect(session.getAccess()).toBe('FROM-LOGIN');
  });
});

describe('session store', () => {
  it('keeps the access token in memory only', () => {
    const session = createSessionStore();
    session.signIn('A1');
    expect(session.getAccess()).toBe('A1');
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
  });

  it('an explicit sign-out in one tab signs out the others', async () => {
    const here = createSessionStore();
    const otherTab = createSessionStore();
    here.signIn('A1');
    otherTab.signIn('B1');
    here.signOut({ broadcast: true });
    expect(here.status()).toBe('signed-out');
    await vi.waitFor(() => expect(otherTab.status()).toBe('signed-out'));
    expect(otherTab.getAccess()).toBeNull();
  });
});

describe('credentialsFor', () => {
  it.each([
    ['', 'http://app.test', 'same-origin'],
    ['/api-prefix', 'http://app.test', 'same-origin'],
    ['http://app.test', 'http://app.test', 'same-origin'],
    ['https://api.app.test', 'https://app.test', 'include'],
  ] as const)('API %j from page %j -> %s', (baseUrl, origin, expected) => {
    expect(credentialsFor(baseUrl, origin)).toBe(expected);
  });
});
