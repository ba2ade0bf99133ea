import { tokenStore, type TokenPair } from './tokens';

/** Base URL of the API; '' means same origin (the Vite dev server proxies /api). */
export const API_BASE_URL: string = (import.meta.env.VITE_API_URL ?? '').replace(/\/$/, '');

/** Endpoints whose 401 means "bad credentials", never "expired access token". */
const AUTH_ENDPOINTS = ['/api/auth/login', '/api/auth/register', '/api/auth/refresh', '/api/auth/logout'];

export interface TokenStoreLike {
  getAccess(): string | null;
  getRefresh(): string | null;
  set(pair: TokenPair): void;
  clear(): void;
}

export interface AuthFetchOptions {
  baseUrl?: string;
  fetch?: (input: Request) => Promise<Response>;
  tokens?: TokenStoreLike;
  /** Called once the session cannot be recovered (no refresh token, or refresh refused). */
  onAuthFailure?: () => void;
}

/** Sends the browser to the sign-in page, remembering where the user was. */
export function redirectToSignIn() {
  const { pathname, search, hash } = window.location;
  if (pathname.startsWith('/signin') || pathname.startsWith('/signup')) return;
  const next = encodeURIComponent(`${pathname}${search}${hash}`);
  window.location.assign(`/signin?next=${next}`);
}

let authFailureHandler: () => void = redirectToSignIn;

/** Lets the router replace the full-page redirect with a client-side navigation. */
export function setAuthFailureHandler(handler: () => void) {
  authFailureHandler = handler;
}

/**
 * Builds a fetch that adds `Authorization: Bearer <access>` and, when the API answers 401,
 * refreshes the token pair once (`POST /api/auth/refresh`) and replays the request.
 * Concurrent 401s share one refresh. If refreshing fails the tokens are cleared and
 * `onAuthFailure` runs (by default: go to /signin?next=<here>).
 */
export function createAuthFetch(options: AuthFetchOptions = {}) {
  const baseUrl = options.baseUrl ?? API_BASE_URL;
  const doFetch = options.fetch ?? ((input: Request) => globalThis.fetch(input));
  const tokens = options.tokens ?? tokenStore;
  const onAuthFailure = () => (options.onAuthFailure ?? authFailureHandler)();
  let refreshing: Promise<boolean> | null = null;

  function withAuth(request: Request): Request {
    const access = tokens.getAccess();
    if (!access) return request;
    const headers = new Headers(request.headers);
    headers.set('Authorization', `Bearer ${access}`);
    return new Request(request, { headers });
  }

  function refresh(): Promise<boolean> {
    if (refreshing) return refreshing;
    const refreshToken = tokens.getRefresh();
    if (!refreshToken) return Promise.resolve(false);
    refreshing = (async () => {
      try {
        const response = await doFetch(
          new Request(`${baseUrl}/api/auth/refresh`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ refresh_token: refreshToken }),
          }),
        );
        if (!response.ok) return false;
        const pair = (await response.json()) as TokenPair;
        if (!pair.access_token || !pair.refresh_token) return false;
        tokens.set(pair);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  return async function authFetch(input: Request): Promise<Response> {
    const path = new URL(input.url, 'http://localhost').pathname;
    if (AUTH_ENDPOINTS.some((endpoint) => path.endsWith(endpoint))) {
      return doFetch(input);
    }
    // Keep an unread copy of the request (and its body) in case it must be replayed.
    const replay = input.clone();
    const sentWith = tokens.getAccess();
    const response = await doFetch(withAuth(input));
    if (response.status !== 401) return response;

    // Another request may already have refreshed the pair while this one was in flight.
    const current = tokens.getAccess();
    const refreshed = current && current !== sentWith ? true : await refresh();
    if (!refreshed) {
      tokens.clear();
      onAuthFailure();
      return response;
    }
    return doFetch(withAuth(replay));
  };
}

export const authFetch = createAuthFetch();
