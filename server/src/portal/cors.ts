/**
 * Cross-origin access for the embeddable chat widget. A clinic's website (another origin) loads
 * /widget.js and then calls this server: the widget's configuration, availability and offline
 * messages, the visitor token endpoint, the attachment and transcript endpoints of its
 * conversation, and the /patient socket.io namespace. Only those, and only from the
 * origins in WIDGET_ORIGINS (`*`: any site, when the clinic chooses so). Bearer tokens, no cookies:
 * never credentials mode, so a page cannot ride on anyone's session.
 */
import type { RequestHandler } from 'express';
import type { Config } from '../platform/config.js';
import { allowedOrigins, corsMiddleware } from '../platform/http/cors.js';

/** The REST paths the widget calls (prefixes: attachment downloads sit below `/attachments`). */
export const WIDGET_API_PATHS = [
  '/api/chat/visitor',
  '/api/chat/widget-config',
  '/api/chat/availability',
  '/api/chat/offline-messages',
  '/api/conversations/:conversationId/attachments',
  '/api/conversations/:conversationId/transcript',
];

const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept';
const ALLOWED_METHODS = 'GET, POST';
const EXPOSED_HEADERS = 'Content-Disposition, Content-Length, Content-Type, Retry-After, X-Request-Id';

export interface WidgetOriginPolicy {
  anyOrigin: boolean;
  origins: ReadonlySet<string>;
}

export function widgetOriginPolicy(config: Pick<Config, 'WIDGET_ORIGINS'>): WidgetOriginPolicy {
  return { anyOrigin: config.WIDGET_ORIGINS.includes('*'), origins: new Set(config.WIDGET_ORIGINS.filter((o) => o !== '*')) };
}

/** CORS for the widget's REST calls; other origins pass through untouched (the API's own CORS applies). */
export function widgetCors(policy: WidgetOriginPolicy): RequestHandler {
  return corsMiddleware({
    allowOrigin: (origin) => (policy.anyOrigin ? '*' : policy.origins.has(origin) ? origin : null),
    methods: ALLOWED_METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
  });
}

/**
 * socket.io's `cors.origin` (it covers the polling transport of every namespace; websockets are not
 * subject to CORS). Staff namespaces stay safe with a wider list: they need a staff bearer token.
 */
export function realtimeCorsOrigin(config: Pick<Config, 'CORS_ORIGINS' | 'WIDGET_ORIGINS'>): string | string[] {
  const policy = widgetOriginPolicy(config);
  if (policy.anyOrigin) return '*';
  return [...allowedOrigins(config.CORS_ORIGINS), ...policy.origins];
}


/** Masks the secret some paths carry (a survey link's token) before the access log writes them. */
export function redactTokenPath(path: string): string {
  return path.replace(/^(\/survey\/|\/api\/surveys\/by-token\/)[^/]+/, '$1:token');
}
