/**
 * Request ids and one access-log line per request. Lighter than pino-http (no per-request child
 * logger or serializers), which matters on the FHIR hot path; the line carries the request id so
 * it can be matched with error logs and audit rows.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../logging.js';
import { requestIdFor } from './middleware.js';

declare module 'http' {
  interface IncomingMessage {
    /** Set for every request by `requestLogger`. */
    id?: string;
  }
}

export interface RequestLogOptions {
  /** Paths not logged at all (health probes). */
  ignore?: (path: string) => boolean;
  /** Rewrites a path before it is logged, e.g. to mask a secret carried in it. */
  redact?: (path: string) => string;
}

export function requestLogger(logger: Logger, options: RequestLogOptions = {}): RequestHandler {
  return (req, res, next) => {
    const id = requestIdFor(req.headers['x-request-id']);
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      // The path only: query strings can carry search terms about patients.
      const raw = req.originalUrl.split('?', 1)[0]!;
      if (options.ignore?.(raw)) return;
      const path = options.redact ? options.redact(raw) : raw;
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger[level]({ reqId: id, method: req.method, path, status, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
