import { describe, expect, it, vi } from 'vitest';
import { createAuthFetch, type TokenStoreLike } from './http';

function memoryTokens(access: string | null, refresh: string | null): TokenStoreLike & { access: string | null; refresh: string | null } {
  return {
    access,
    refresh,
    getAccess() {
      return this.access;
    },
    getRefresh() {
      return this.refresh;
    },
    set(pair) {
      this.access = pair.access_token;
      this.refresh = pair.refresh_token;
    },
    clear() {
      this.access = null;
      this.refresh = null;
    },
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const BASE = 'http://api.test';

describe('authFetch', () => {
  it('adds the bearer token', async () => {
    const fetchMock = vi.fn(async (_: Request) => json(200, { ok: true }));
    const authFetch = createAuthFetch({ baseUrl: BASE, fetch: fetchMock, tokens: memoryTokens('A1', 'R1'), onAuthFailure: vi.fn() });
    const response = await authFetch(new Request(`${BASE}/api/me`));
    expect(response.status).toBe(200);
    expect(fetchMock.mock.calls[0]![0].headers.get('Authorization')).toBe('Bearer A1');
  });

  it('on 401 refreshes once and replays the request (with its body) using the new token', async () => {
    const tokens = memoryTokens('A1', 'R1');
    const seen: { url: string; auth: string | null; body: string }[] = [];
    const fetchMock = vi.fn(async (request: Request) => {
      const body = await request.text();
      seen.push({ url: request.url, auth: request.headers.get('Authorization'), body });
      if (request.url.endsWith('/api/auth/refresh')) {
        return json(200, { access_token: 'A2', refresh_token: 'R2', token_type: 'bearer', expires_in: 900 });
      }
      return request.headers.get('Authorization') === 'Bearer A2' ? json(201, { id: 'c1' }) : json(401, { error: 'Unauthorized' });
    });
    const onAuthFailure = vi.fn();
    const authFetch = createAuthFetch({ baseUrl: BASE, fetch: fetchMock, tokens, onAuthFailure });

    const response = await authFetch(new Request(`${BASE}/api/clients`, { method: 'POST', body: '{"name":"Acme"}' }));

    expect(response.status).toBe(201);
    expect(seen.map((s) => s.url)).toEqual([`${BASE}/api/clients`, `${BASE}/api/auth/refresh`, `${BASE}/api/clients`]);
    expect(seen[1]!.body).toBe('{"refresh_token":"R1"}');
    expect(seen[2]).toMatchObject({ auth: 'Bearer A2', body: '{"name":"Acme"}' });
    expect(tokens.access).toBe('A2');
    expect(tokens.refresh).toBe('R2');
    expect(onAuthFailure).not.toHaveBeenCalled();
  });

  it('when the refresh is refused, clears tokens and sends the user to sign in', async () => {
    const tokens = memoryTokens('A1', 'R1');
    const fetchMock = vi.fn(async (request: Request) =>
      request.url.endsWith('/api/auth/refresh') ? json(401, { error: 'TokenRevoked' }) : json(401, { error: 'Unauthorized' }),
    );
    const onAuthFailure = vi.fn();
    const authFetch = createAuthFetch({ baseUrl: BASE, fetch: fetchMock, tokens, onAuthFailure });

    const response = await authFetch(new Request(`${BASE}/api/invoices`));

    expect(response.status).toBe(401);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(tokens.access).toBeNull();
    expect(tokens.refresh).toBeNull();
    expect(onAuthFailure).toHaveBeenCalledOnce();
  });

  it('does not retry more than once when the replay is still 401', async () => {
    const tokens = memoryTokens('A1', 'R1');
    const fetchMock = vi.fn(async (request: Request) =>
      request.url.endsWith('/api/auth/refresh')
        ? json(200, { access_token: 'A2', refresh_token: 'R2', token_type: 'bearer', expires_in: 900 })
        : json(401, { error: 'Unauthorized' }),
    );
    const authFetch = createAuthFetch({ baseUrl: BASE, fetch: fetchMock, tokens, onAuthFailure: vi.fn() });
    const response = await authFetch(new Request(`${BASE}/api/me`));
    expect(response.status).toBe(401);
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('shares one refresh between concurrent 401s', async () => {
    const tokens = memoryTokens('A1', 'R1');
    let refreshes = 0;
    const fetchMock = vi.fn(async (request: Request) => {
      if (request.url.endsWith('/api/auth/refresh')) {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return json(200, { access_token: 'A2', refresh_token: 'R2', token_type: 'bearer', expires_in: 900 });
      }
      return request.headers.get('Authorization') === 'Bearer A2' ? json(200, {}) : json(401, {});
    });
    const authFetch = createAuthFetch({ baseUrl: BASE, fetch: fetchMock, tokens, onAuthFailure: vi.fn() });
    const results = await Promise.all([
      authFetch(new Request(`${BASE}/api/me`)),
      authFetch(new Request(`${BASE}/api/clients`)),
      authFetch(new Request(`${BASE}/api/invoices`)),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  it('never refreshes for a failed sign-in', async () => {
    const fetchMock = vi.fn(async () => json(401, { error: 'InvalidCredentials' }));
    const onAuthFailure = vi.fn();
    const authFetch = createAuthFetch({ baseUrl: BASE, fetch: fetchMock, tokens: memoryTokens(null, 'R1'), onAuthFailure });
    const response = await authFetch(new Request(`${BASE}/api/auth/login`, { method: 'POST', body: '{}' }));
    expect(response.status).toBe(401);
    expect(fetchMock).toHaveBeenCalledOnce();
    expect(onAuthFailure).not.toHaveBeenCalled();
  });

  it('without a refresh token, goes straight to sign in', async () => {
    const fetchMock = vi.fn(async () => json(401, {}));
    const onAuthFailure = vi.fn();
    const authFetch = createAuthFetch({ baseUrl: BASE, fetch: fetchMock, tokens: memoryTokens('A1', null), onAuthFailure });
    await authFetch(new Request(`${BASE}/api/me`));
    expect(fetchMock).toHaveBeenCalledOnce();
    expect(onAuthFailure).toHaveBeenCalledOnce();
  });
});
