/**
 * CORS for the origins that are not this server but must call it: the desktop app's bundled
 * renderer (`app://desk`) and any configured extra origins. Bearer tokens, no cookies, so no
 * credentials mode. Everything else gets no CORS headers and the browser blocks it.
 */
import type { RequestHandler } from 'express';

export const DESKTOP_ORIGIN = 'app://desk';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, X-Access-Reason, X-Request-Id, If-Match, Prefer';
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const EXPOSED_HEADERS = 'X-Request-Id, ETag, Location, Last-Modified, Retry-After';

export function allowedOrigins(extra: readonly string[] = []): Set<string> {
  return new Set([DESKTOP_ORIGIN, ...extra]);
}

/** What one CORS middleware allows. */
export interface CorsRules {
  /** The Access-Control-Allow-Origin value for a request from `origin`, or null: no CORS headers. */
  allowOrigin(origin: string): string | null;
  methods: string;
  allowedHeaders: string;
  exposedHeaders: string;
}

/** Answers preflights (204) and marks allowed responses; other origins pass through untouched. */
export function corsMiddleware(rules: CorsRules): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    const allowOrigin = typeof origin === 'string' ? rules.allowOrigin(origin) : null;
    if (allowOrigin === null) return next();
    res.setHeader('Access-Control-Allow-Origin', allowOrigin);
    res.setHeader('Access-Control-Expose-Headers', rules.exposedHeaders);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', rules.methods);
      res.setHeader('Access-Control-Allow-Headers', rules.allowedHeaders);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

export function cors(origins: ReadonlySet<string>): RequestHandler {
  return corsMiddleware({
    allowOrigin: (origin) => (origins.has(origin) ? origin : null),
    methods: ALLOWED_METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
  });
}
