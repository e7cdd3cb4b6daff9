/**
 * Hash routes (#/conversations/abc): they work the same at the server's /desk/ and under the
 * desktop app's app:// protocol, with no server fallback needed.
 */
import { useSyncExternalStore } from 'react';

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

/** The route's segments: '#/conversations/abc' → ['conversations', 'abc']. */
export function parseHash(hash: string): string[] {
  return hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export function useRoute(): string[] {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}

/**
 * The full address of a route. Absolute, so a <base> element cannot redirect it, and keeping the
 * query (e.g. ?inactivitySeconds) so following it never reloads the page.
 */
export function hrefFor(path: string): string {
  return `${window.location.pathname}${window.location.search}#/${path.replace(/^\/+/, '')}`;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const hash = `#/${path.replace(/^\/+/, '')}`;
  if (options.replace) {
    window.history.replaceState(window.history.state, '', hrefFor(path));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}
