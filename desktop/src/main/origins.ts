/**
 * Origins the main process trusts. Runtime: main (node). Pure.
 *
 * The bundled renderer is served from `app://desk` (a privileged standard + secure scheme), never
 * from `file://`; the server it talks to is configured per machine or chosen at sign-in.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;
export const DEEP_LINK_SCHEME = 'carebridge';

/**
 * `scheme://host[:port]` of a URL, lower-cased, or null when it does not parse. Node's URL reports
 * `origin: 'null'` for non-special schemes such as `app:`, so the origin is rebuilt by hand.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!parsed.host) return null;
  return `${parsed.protocol}//${parsed.host}`.toLowerCase();
}

/** The websocket origin that goes with an http(s) origin (socket.io upgrades to it). */
export function websocketOriginOf(httpOrigin: string): string {
  return httpOrigin.replace(/^http(s?):/, 'ws$1:');
}
