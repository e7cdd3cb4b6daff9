/**
 * Which links leave the app for the system browser (`shell.openExternal`). Pure.
 *
 * Only https URLs whose host is on the allowlist (the configured server's host plus the machine
 * configuration's `externalAllowlist`) are opened; everything else is refused. Entries are host
 * names (`docs.example.org`), optionally with a port, or `*.example.org` for any subdomain.
 */
export function isAllowedExternalUrl(url: string, allowlist: readonly string[]): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (url.length > 2000 || url !== url.trim() || /[\u0000-\u001f\u007f\\]/.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return false;
  const host = parsed.host.toLowerCase();
  const hostname = parsed.hostname.toLowerCase();
  return allowlist.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry.startsWith('*.')) {
      const suffix = entry.slice(1);
      return parsed.port === '' && hostname.endsWith(suffix) && hostname.length > suffix.length;
    }
    return entry !== '' && (host === entry || (parsed.port === '' && hostname === entry));
  });
}

export type NavigationDecision = { action: 'deny' } | { action: 'open-external'; url: string };

/**
 * In-window navigation and new windows are always denied; an allowlisted https link is handed to
 * the system browser instead.
 */
export function decideNavigation(url: string, allowlist: readonly string[]): NavigationDecision {
  return isAllowedExternalUrl(url, allowlist) ? { action: 'open-external', url } : { action: 'deny' };
}

/** The external allowlist for a configuration: the server's host plus the configured extra hosts. */
export function externalAllowlistFor(serverUrl: string | null, extra: readonly string[]): string[] {
  const hosts = new Set<string>();
  if (serverUrl) {
    try {
      hosts.add(new URL(serverUrl).host.toLowerCase());
    } catch {
      // an invalid server URL adds nothing
    }
  }
  for (const entry of extra) hosts.add(entry.trim().toLowerCase());
  return [...hosts].filter((h) => h !== '');
}
