/**
 * The Content-Security-Policy of the bundled renderer (served by the `app://` protocol). Pure.
 */
import { APP_ORIGIN, originOf, websocketOriginOf } from '../origins.js';

/**
 * Where the renderer may connect when no server is configured for this machine: the user types
 * the server address at sign-in, so any https/wss origin (and a server on this machine) is allowed.
 * IT locks this down by configuring `serverUrl` (see desktop/README.md).
 */
const UNCONFIGURED_CONNECT_SOURCES = ['https:', 'wss:', 'http://localhost:*', 'ws://localhost:*', 'http://127.0.0.1:*', 'ws://127.0.0.1:*'];

export function connectSourcesFor(serverUrl: string | null): string[] {
  if (!serverUrl) return UNCONFIGURED_CONNECT_SOURCES;
  const origin = originOf(serverUrl);
  if (!origin || !/^https?:/.test(origin)) return UNCONFIGURED_CONNECT_SOURCES;
  return [origin, websocketOriginOf(origin)];
}

export function buildContentSecurityPolicy(serverUrl: string | null): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['connect-src', ["'self'", ...connectSourcesFor(serverUrl)]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['font-src', ["'self'", 'data:']],
    ['media-src', ["'self'", 'blob:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

/** The origins whose pages are "ours" (permissions, IPC): the bundled renderer and the configured server. */
export function trustedOrigins(serverUrl: string | null): string[] {
  const server = serverUrl ? originOf(serverUrl) : null;
  return server && /^https?:/.test(server) ? [APP_ORIGIN, server] : [APP_ORIGIN];
}
