const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function comparable(url: URL): string {
  // localhost, 127.0.0.1 and ::1 reach the same machine: links work across them.
  const host = LOOPBACK.has(url.hostname) ? 'loopback' : url.hostname;
  return `${url.protocol}//${host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/**
 * The warning to show when the links in emails (the server's public URL) point somewhere other than
 * the address the app is opened at; null when they match or the public URL cannot be read.
 */
export function publicUrlMismatch(publicUrl: string | null | undefined, openedAt: string): string | null {
  if (!publicUrl) return null;
  let configured: URL;
  let opened: URL;
  try {
    configured = new URL(publicUrl);
    opened = new URL(openedAt);
  } catch {
    return null;
  }
  if (comparable(configured) === comparable(opened)) return null;
  return `Links in emails point to ${configured.origin}, but you opened DueSpark at ${opened.origin}: copied links would be dead.`;
}
