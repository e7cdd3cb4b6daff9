/**
 * FHIR errors: the few error factories the platform set lacks (412, 405, bad reference, invalid
 * resource), and the translation of every error into an OperationOutcome with the right status.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Logger } from '../platform/logging.js';
import { AppError, notFound } from '../platform/errors.js';
import { toAppError } from '../platform/http/middleware.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The coding system under which an OperationOutcome carries Carebridge's own error code. */
export const ERROR_CODE_SYSTEM = 'urn:carebridge:error-code';

export const preconditionFailed = (message: string) => new AppError('precondition_failed', message);
export const methodNotAllowed = (method: string, path: string) =>
  new AppError('method_not_allowed', `${method} is not supported on ${path}.`);

/** A resource failed structural validation; `issues` are FHIR issues with their expressions. */
export const invalidResource = (message: string, issues: OperationOutcomeIssue[]) =>
  new AppError('invalid_resource', message, { issues });

/** A reference that does not resolve to a resource in the store (or in the same transaction). */
export const badReference = (message: string, expression?: string) =>
  new AppError('bad_reference', message, {
    issues: [issue('error', 'processing', message, expression)],
  });

export const unsupportedType = (type: string, status: 400 | 404) =>
  new AppError(
    status === 404 ? 'not_found' : 'unsupported_resource_type',
    `Resource type "${type}" is not supported here. See GET /fhir/R4/metadata for the supported types.`,
  );

export function issue(
  severity: OperationOutcomeIssue['severity'],
  code: OperationOutcomeIssue['code'],
  text: string,
  expression?: string,
): OperationOutcomeIssue {
  return { severity, code, diagnostics: text, ...(expression ? { expression: [expression] } : {}) };
}

const ISSUE_CODE_BY_STATUS: Record<number, OperationOutcomeIssue['code']> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  406: 'not-supported',
  409: 'conflict',
  410: 'deleted',
  412: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  422: 'processing',
  423: 'lock-error',
  429: 'throttled',
};

function isFhirIssue(value: unknown): value is OperationOutcomeIssue {
  return typeof value === 'object' && value !== null && 'severity' in value && 'code' in value;
}

/** The OperationOutcome for an application error: its issues if it carries any, else one issue. */
export function outcomeFor(err: AppError): OperationOutcome {
  const code = ISSUE_CODE_BY_STATUS[err.status] ?? 'processing';
  const details = { coding: [{ system: ERROR_CODE_SYSTEM, code: err.code }], text: err.message };
  const raw = (err.details as { issues?: unknown } | undefined)?.issues;
  const issues: OperationOutcomeIssue[] = [];
  if (Array.isArray(raw)) {
    for (const item of raw.slice(0, 100)) {
      if (isFhirIssue(item)) {
        issues.push(item);
      } else if (item && typeof item === 'object' && 'message' in item) {
        // zod issues from parseInput: { path, message }
        const { path, message } = item as { path?: unknown; message: unknown };
        issues.push(issue('error', code, String(message), typeof path === 'string' ? path : undefined));
      }
    }
  }
  if (issues.length === 0) return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details, diagnostics: err.message }] };
  const only = issues.length === 1 ? issues[0]! : undefined;
  if (only && (only.diagnostics === err.message || only.details?.text === err.message)) {
    return { resourceType: 'OperationOutcome', issue: [{ ...only, details: { ...details, text: err.message }, diagnostics: err.message }] };
  }
  // The first issue states the overall error; the rest say where.
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, details, diagnostics: err.message }, ...issues],
  };
}

export function sendOutcome(res: Response, status: number, outcome: OperationOutcome): void {
  const body = JSON.stringify(outcome);
  res.status(status);
  res.setHeader('Content-Type', FHIR_JSON);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * Turns every error under /fhir/R4 into an OperationOutcome: our AppErrors, body-parser failures
 * (malformed JSON, oversized body) and unexpected errors, which are logged with the request id and
 * never leak details.
 */
export function fhirErrorHandler(logger: Logger, bodyLimit: number): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    // Refused before its body was read (401, 403, 413): rather than reading and discarding megabytes
    // to keep the connection, close it once the answer is out (the client may then see a reset
    // before it reads the answer; only for bodies no client of ours sends). Bodies up to 1 MiB are
    // drained, so a client that overshot a limit reliably gets its 413.
    if (!req.complete && unreadBodyIsLarge(req.headers)) res.setHeader('Connection', 'close');
    const appError = toAppError(err, bodyLimit);
    if (appError) {
      if (appError.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      sendOutcome(res, appError.status, outcomeFor(appError));
      return;
    }
    const requestId = String(req.id ?? '');
    logger.error({ err, requestId }, 'unhandled error in the FHIR API');
    sendOutcome(res, 500, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'fatal', code: 'exception', diagnostics: `Something went wrong on the server (request ${requestId}).` }],
    });
  };
}

/** Bodies above this size that are still unread when an error is answered close the connection. */
const DRAIN_BYTES = 1024 * 1024;

function unreadBodyIsLarge(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  return Number(headers['content-length'] ?? 0) > DRAIN_BYTES;
}

export const fhirNotFound: RequestHandler = (req, _res, next) => {
  next(notFound('FHIR endpoint', `${req.method} ${req.baseUrl}${req.path}`));
};
