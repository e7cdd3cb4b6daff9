/**
 * CORS for the origins that are not this server but must call it: the desktop app's bundled
 * renderer (`app://desk`) and any configured extra origins. Bearer tokens, no cookies, so no
 * credentials mode. Everything else gets no CORS headers and the browser blocks it.
 */
import type { RequestHandler } from 'express';

export const DESKTOP_ORIGIN = 'app://desk';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, X-Access-Reason, X-Request-Id, If-Match, Prefer';
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';

export function allowedOrigins(extra: readonly string[] = []): Set<string> {
  return new Set([DESKTOP_ORIGIN, ...extra]);
}

export function cors(origins: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (typeof origin !== 'string' || !origins.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, ETag, Location, Last-Modified, Retry-After');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
