/**
 * The signed-in state of this tab. The access token lives in memory only: a reload starts
 * `unknown` and restores the session through the HttpOnly refresh cookie (see http.ts), which
 * scripts cannot read. The refresh token itself is never stored by the web app.
 * A tiny external store: React subscribes with useSyncExternalStore (see features/auth).
 */
export type SessionStatus = 'unknown' | 'signed-in' | 'signed-out';

export interface SessionStore {
  status(): SessionStatus;
  getAccess(): string | null;
  /** A fresh access token from sign-in, sign-up or a refresh. */
  signIn(accessToken: string): void;
  /** Forgets the access token. `broadcast` also signs out the other tabs (an explicit sign-out). */
  signOut(options?: { broadcast?: boolean }): void;
  /** The restore found no usable cookie; ignored if a sign-in happened meanwhile. */
  markSignedOutIfUnknown(): void;
  subscribe(listener: () => void): () => void;
}

const CHANNEL = 'duespark-auth';
type Message = { type: 'signed-out' };

export function createSessionStore(): SessionStore {
  let status: SessionStatus = 'unknown';
  let access: string | null = null;
  const listeners = new Set<() => void>();
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);

  function set(nextStatus: SessionStatus, nextAccess: string | null) {
    if (status === nextStatus && access === nextAccess) return;
    status = nextStatus;
    access = nextAccess;
    for (const listener of listeners) listener();
  }

  channel?.addEventListener('message', (event: MessageEvent<Message>) => {
    if (event.data?.type === 'signed-out') set('signed-out', null);
  });

  return {
    status: () => status,
    getAccess: () => access,
    signIn(accessToken) {
      set('signed-in', accessToken);
    },
    signOut({ broadcast = false } = {}) {
      set('signed-out', null);
      if (broadcast) channel?.postMessage({ type: 'signed-out' } satisfies Message);
    },
    markSignedOutIfUnknown() {
      if (status === 'unknown') set('signed-out', null);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const session = createSessionStore();
