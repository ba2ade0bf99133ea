import { session as defaultSession, type SessionStore } from './session';

/** Base URL of the API; '' means same origin (the Vite dev server proxies /api). */
export const API_BASE_URL: string = (import.meta.env.VITE_API_URL ?? '').replace(/\/$/, '');

/**
 * The refresh cookie (HttpOnly, path /api/auth, SameSite=Strict) must travel with the auth calls:
 * same-origin by default; an API on another origin (VITE_API_URL) needs 'include' and must be
 * on the same site, since the browser never sends a SameSite=Strict cookie cross-site.
 */
export function credentialsFor(baseUrl: string, pageOrigin: string | undefined): RequestCredentials {
  if (!baseUrl || !pageOrigin) return 'same-origin';
  return new URL(baseUrl, pageOrigin).origin === pageOrigin ? 'same-origin' : 'include';
}

export const API_CREDENTIALS = credentialsFor(
  API_BASE_URL,
  typeof window === 'undefined' ? undefined : window.location.origin,
);

/** Endpoints whose 401 means "bad credentials", never "expired access token". */
const AUTH_ENDPOINTS = ['/api/auth/login', '/api/auth/register', '/api/auth/refresh', '/api/auth/logout'];

/** Refreshes are serialized across tabs: the cookie rotates, and reusing a spent one signs every tab out. */
const REFRESH_LOCK = 'duespark-auth-refresh';

/** How a refresh ended: a new access token, a refusal (no or dead cookie), or no answer (offline, 5xx). */
export type RefreshOutcome = 'refreshed' | 'rejected' | 'unreachable';

export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface AuthFetchOptions {
  baseUrl?: string;
  fetch?: (input: Request) => Promise<Response>;
  session?: SessionStore;
  credentials?: RequestCredentials;
  /** Web Locks (navigator.locks) where the browser has them. */
  locks?: LockManagerLike | null;
  /** Called once the session cannot be recovered (the refresh was refused). */
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

function browserLocks(): LockManagerLike | null {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManagerLike }).locks;
  return locks && typeof locks.request === 'function' ? locks : null;
}

/**
 * Builds the API's fetch: it adds `Authorization: Bearer <access>` and, when the API answers 401,
 * refreshes the access token once through the refresh cookie (`POST /api/auth/refresh`) and
 * replays the request. Concurrent 401s share one refresh. If the refresh is refused, the session
 * ends and `onAuthFailure` runs (by default: go to /signin?next=<here>); if the API can't be
 * reached, the 401 is returned and the session kept, so a network blip doesn't sign anyone out.
 */
export function createAuthFetch(options: AuthFetchOptions = {}) {
  const baseUrl = options.baseUrl ?? API_BASE_URL;
  const doFetch = options.fetch ?? ((input: Request) => globalThis.fetch(input));
  const session = options.session ?? defaultSession;
  const credentials = options.credentials ?? API_CREDENTIALS;
  const locks = options.locks === undefined ? browserLocks() : options.locks;
  const onAuthFailure = () => (options.onAuthFailure ?? authFailureHandler)();
  let refreshing: Promise<RefreshOutcome> | null = null;

  function withAuth(request: Request): Request {
    const access = session.getAccess();
    if (!access) return request;
    const headers = new Headers(request.headers);
    headers.set('Authorization', `Bearer ${access}`);
    return new Request(request, { headers });
  }

  async function callRefresh(optional = false): Promise<RefreshOutcome> {
    try {
      // optional=true: with no cookie at all the API answers 204, not a 401 logged in the console.
      const url = `${baseUrl}/api/auth/refresh${optional ? '?optional=true' : ''}`;
      const response = await doFetch(new Request(url, { method: 'POST', credentials }));
      if (response.status === 401 || response.status === 403 || response.status === 204) return 'rejected';
      if (!response.ok) return 'unreachable';
      const pair = (await response.json()) as { access_token?: unknown };
      if (typeof pair.access_token !== 'string' || !pair.access_token) return 'unreachable';
      session.signIn(pair.access_token);
      return 'refreshed';
    } catch {
      return 'unreachable';
    }
  }

  /** One refresh at a time in this tab, and (with Web Locks) across the tabs of this browser. */
  function refresh(optional = false): Promise<RefreshOutcome> {
    const call = () => callRefresh(optional);
    refreshing ??= (locks ? locks.request(REFRESH_LOCK, call) : call()).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /**
   * On page load: trade the refresh cookie for an access token. 'unreachable' leaves the
   * status 'unknown' so the app can offer to try again.
   */
  async function restoreSession(): Promise<RefreshOutcome> {
    const outcome = await refresh(true);
    if (outcome === 'rejected') session.markSignedOutIfUnknown();
    return outcome;
  }

  async function authFetch(input: Request): Promise<Response> {
    const path = new URL(input.url, 'http://localhost').pathname;
    if (AUTH_ENDPOINTS.some((endpoint) => path.endsWith(endpoint))) {
      return doFetch(input);
    }
    // Keep an unread copy of the request (and its body) in case it must be replayed.
    const replay = input.clone();
    const sentWith = session.getAccess();
    const response = await doFetch(withAuth(input));
    if (response.status !== 401) return response;

    // Another request may already have refreshed the token while this one was in flight.
    const current = session.getAccess();
    const outcome = current && current !== sentWith ? 'refreshed' : await refresh();
    if (outcome === 'unreachable') return response;
    if (outcome === 'rejected') {
      session.signOut();
      onAuthFailure();
      return response;
    }
    return doFetch(withAuth(replay));
  }

  return { authFetch, refresh, restoreSession };
}

const defaultAuth = createAuthFetch();
export const authFetch = defaultAuth.authFetch;
export const restoreSession = defaultAuth.restoreSession;
