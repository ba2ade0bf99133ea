/**
 * Access and refresh tokens, kept in localStorage so a reload keeps the session.
 * A tiny external store: React subscribes with useSyncExternalStore (see features/auth).
 */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type?: string;
  expires_in?: number;
}

const ACCESS_KEY = 'duespark.access_token';
const REFRESH_KEY = 'duespark.refresh_token';

type Listener = () => void;
const listeners = new Set<Listener>();

function storage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}

function emit() {
  for (const listener of listeners) listener();
}

export const tokenStore = {
  getAccess(): string | null {
    return storage()?.getItem(ACCESS_KEY) ?? null;
  },
  getRefresh(): string | null {
    return storage()?.getItem(REFRESH_KEY) ?? null;
  },
  set(pair: TokenPair) {
    const s = storage();
    s?.setItem(ACCESS_KEY, pair.access_token);
    s?.setItem(REFRESH_KEY, pair.refresh_token);
    emit();
  },
  clear() {
    const s = storage();
    s?.removeItem(ACCESS_KEY);
    s?.removeItem(REFRESH_KEY);
    emit();
  },
  isSignedIn(): boolean {
    return Boolean(this.getAccess() || this.getRefresh());
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    const onStorage = (event: StorageEvent) => {
      if (event.key === ACCESS_KEY || event.key === REFRESH_KEY || event.key === null) listener();
    };
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('storage', onStorage);
    };
  },
};
