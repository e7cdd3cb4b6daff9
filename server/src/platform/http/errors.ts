/**
 * Every error a client sees is built here and reaches it as
 * `{ error: { code, message, details? } }` with the matching HTTP status.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError(400, 'bad_request', message, details);
export const validationFailed = (message: string, details?: unknown) =>
  new AppError(400, 'validation_failed', message, details);
export const unauthorized = (message = 'Sign in first: this needs a valid access token.') =>
  new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError(403, 'forbidden', message);
export const reasonRequired = () =>
  new AppError(
    403,
    'reason_required',
    'Staff must state why they are reading patient data: send an X-Access-Reason header.',
  );
export const notFound = (kind: string, id?: string) =>
  new AppError(404, 'not_found', id === undefined ? `${kind} not found.` : `${kind} ${id} not found.`);
export const conflict = (message: string, details?: unknown) => new AppError(409, 'conflict', message, details);
export const gone = (kind: string, id: string) => new AppError(410, 'gone', `${kind} ${id} was deleted.`);
export const payloadTooLarge = (limit: number) =>
  new AppError(413, 'payload_too_large', `The request body is larger than the ${limit}-byte limit.`);
export const unsupportedMediaType = (message: string) => new AppError(415, 'unsupported_media_type', message);
export const unprocessable = (message: string, details?: unknown) =>
  new AppError(422, 'unprocessable', message, details);
export const tooManyRequests = (message: string, retryAfterSeconds?: number) =>
  new AppError(429, 'too_many_requests', message, retryAfterSeconds ? { retryAfterSeconds } : undefined);
export const locked = (message: string) => new AppError(423, 'locked', message);

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
