import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logging.js';
import { type AppError, badRequest, isAppError, notFound, payloadTooLarge, unsupportedMediaType } from '../errors.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Uses a caller's X-Request-Id when it is sane, otherwise a new UUID; echoes it back. */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Maps body-parser failures (malformed JSON, oversized bodies) to our own errors. */
export function toAppError(err: unknown, bodyLimit: number): AppError | undefined {
  if (isAppError(err)) return err;
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed') return badRequest('Malformed JSON in the request body.');
  if (e?.type === 'entity.too.large') return payloadTooLarge(bodyLimit);
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return unsupportedMediaType('Unsupported body encoding.');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return badRequest((err as Error).message || 'Bad request.');
  return undefined;
}

export function jsonErrorHandler(logger: Logger, bodyLimit: number): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = toAppError(err, bodyLimit);
    if (appError) {
      res.status(appError.status).json({
        error: { code: appError.code, message: appError.message, ...(appError.details === undefined ? {} : { details: appError.details }) },
      });
      return;
    }
    const requestId = String(req.id ?? '');
    logger.error({ err, requestId }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: `Something went wrong on the server (request ${requestId}).` } });
  };
}

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(notFound('Route', `${req.method} ${req.path}`));
};
