/**
 * The one error type of the server. Every refusal a client may see is an `AppError` with a code;
 * the code decides the HTTP status (`ERROR_STATUS`) and the socket acknowledgement code
 * (`ackCodeOf`), so a domain failure thrown anywhere — REST route, socket handler, job — reaches its
 * client with the right status. REST clients get `{ error: { code, message, details? } }`; FHIR
 * clients get the same error as an OperationOutcome (fhir/outcome.ts); socket clients get
 * `{ ok: false, error: { code, message } }`. Unexpected errors (anything else) are `internal`.
 */

import { CONVERSATION_ERROR_CODES, type ConversationErrorCode } from '../contracts/conversations.js';

/** Code → HTTP status. Codes are stable: clients branch on them. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  bad_payload: 400,
  invalid_resource: 400,
  invalid_search: 400,
  unsupported_resource_type: 400,
  invalid_totp: 401,
  unauthorized: 401,
  invalid_credentials: 401,
  mfa_required: 401,
  invalid_refresh_token: 401,
  forbidden: 403,
  reason_required: 403,
  account_disabled: 403,
  invalid_current_password: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  mfa_unavailable: 409,
  /** An appointment slot someone else just booked or holds. */
  slot_taken: 409,
  /** Required agent-script steps are left: the conversation cannot be wrapped up or closed yet. */
  script_incomplete: 409,
  gone: 410,
  survey_expired: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  bad_reference: 422,
  locked: 423,
  too_many_requests: 429,
  internal: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** What a socket acknowledgement says (the contracts' error codes), by the HTTP status of the code. */
export type AckErrorCode = ConversationErrorCode;
const ACK_CODE_BY_STATUS: Record<number, AckErrorCode> = {
  400: 'bad_payload',
  401: 'forbidden',
  403: 'forbidden',
  404: 'not_found',
  405: 'bad_payload',
  406: 'bad_payload',
  409: 'conflict',
  410: 'conflict',
  412: 'conflict',
  413: 'bad_payload',
  415: 'bad_payload',
  422: 'bad_payload',
  423: 'conflict',
  429: 'too_many_requests',
};

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /**
     * Only for a code whose meaning differs by step (a wrong authenticator code is 401 at sign-in and
     * 400 when activating MFA); everything else takes the table's status.
     */
    status?: number,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = status ?? ERROR_STATUS[code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** The acknowledgement code of an error on a socket: its code's class, `internal` for anything unexpected. */
export function ackCodeOf(err: AppError): AckErrorCode {
  // A code the acknowledgements name themselves (script_incomplete) is kept as it is.
  if ((CONVERSATION_ERROR_CODES as readonly string[]).includes(err.code)) return err.code as AckErrorCode;
  return ACK_CODE_BY_STATUS[err.status] ?? 'internal';
}

export const badRequest = (message: string, details?: unknown) => new AppError('bad_request', message, details);
export const validationFailed = (message: string, details?: unknown) => new AppError('validation_failed', message, details);
export const unauthorized = (message = 'Sign in first: this needs a valid access token.') => new AppError('unauthorized', message);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError('forbidden', message);
export const reasonRequired = () =>
  new AppError('reason_required', 'Staff must state why they are reading patient data: send an X-Access-Reason header.');
export const notFound = (kind: string, id?: string) => new AppError('not_found', id === undefined ? `${kind} not found.` : `${kind} ${id} not found.`);
/** A not-found whose message is not "<kind> <id> not found." */
export const notFoundMessage = (message: string) => new AppError('not_found', message);
export const conflict = (message: string, details?: unknown) => new AppError('conflict', message, details);
export const gone = (kind: string, id: string) => new AppError('gone', `${kind} ${id} was deleted.`);
export const payloadTooLarge = (limit: number) => new AppError('payload_too_large', `The request body is larger than the ${limit}-byte limit.`);
export const notAcceptable = (message: string) => new AppError('not_acceptable', message);
export const unsupportedMediaType = (message: string) => new AppError('unsupported_media_type', message);
export const unprocessable = (message: string, details?: unknown) => new AppError('unprocessable', message, details);
export const tooManyRequests = (message: string, retryAfterSeconds?: number) =>
  new AppError('too_many_requests', message, retryAfterSeconds ? { retryAfterSeconds } : undefined);
export const locked = (message: string, details?: unknown) => new AppError('locked', message, details);
export const internal = (message = 'The server could not handle this.') => new AppError('internal', message);
