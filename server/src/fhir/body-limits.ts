/**
 * Request bodies under /fhir/R4 are read only after the caller is known and allowed to write
 * there (routes.ts), and never beyond the caller's limit: patients send small resources, staff
 * moderate ones, admins and Bundle imports large ones. A body whose Content-Length is over the
 * limit is refused with 413 before a byte of it is read; a chunked one as soon as it passes it.
 * Parsing and validating a multi-megabyte body blocks the event loop for a second or more, so
 * this is what keeps the server responsive while someone sends such bodies.
 */
import express, { type Request, type RequestHandler } from 'express';
import type { Config } from '../platform/config.js';
import { AppError, badRequest, unauthorized } from '../platform/errors.js';
import type { Principal } from '../platform/auth/principal.js';
import { MAX_JSON_DEPTH, jsonTextTooDeep } from '../platform/http/json-depth.js';

export type BodyLimitConfig = Pick<Config, 'MAX_BODY_BYTES' | 'FHIR_PATIENT_MAX_BODY_BYTES' | 'FHIR_STAFF_MAX_BODY_BYTES'>;

/** What the body is: one resource (create/update), a Bundle (transaction/batch), or operation Parameters. */
export type BodyKind = 'resource' | 'bundle' | 'parameters';

/** Operation parameters ($everything's _since/_type/_count) are small for everyone. */
export const PARAMETERS_MAX_BODY_BYTES = 64 * 1024;

/** The largest body `principal` may send to a route taking `kind`. */
export function bodyLimitFor(config: BodyLimitConfig, principal: Principal, kind: BodyKind): number {
  if (kind === 'parameters') return Math.min(PARAMETERS_MAX_BODY_BYTES, config.MAX_BODY_BYTES);
  if (principal.kind === 'patient') return Math.min(config.FHIR_PATIENT_MAX_BODY_BYTES, config.MAX_BODY_BYTES);
  if (principal.role === 'admin' || kind === 'bundle') return config.MAX_BODY_BYTES;
  return Math.min(config.FHIR_STAFF_MAX_BODY_BYTES, config.MAX_BODY_BYTES);
}

export function bodyTooLarge(limit: number, principal: Principal, kind: BodyKind): AppError {
  const who = principal.kind === 'patient' ? 'patients' : principal.role === 'admin' ? 'admins' : `the ${principal.role} role`;
  const what = kind === 'bundle' ? 'Bundles' : kind === 'parameters' ? 'operation parameters' : 'resources';
  return new AppError('payload_too_large', `The request body is too large: ${what} sent by ${who} are limited to ${formatBytes(limit)} (${limit} bytes).`, {
    limitBytes: limit,
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  return `${+(n / 1024).toFixed(1)} KiB`;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * The JSON body parser for one kind of route, with the principal's limit (set `req.principal`
 * first: run it after authentication and authorization). One express.json per distinct limit.
 * With `raw`, the body stays bytes (a Bundle is parsed where it is prepared, off the request thread).
 */
export function fhirJsonBody(config: BodyLimitConfig, kind: BodyKind, options: { raw?: boolean } = {}): RequestHandler {
  const parsers = new Map<number, RequestHandler>();
  const parserFor = (limit: number) => {
    let parser = parsers.get(limit);
    if (!parser) {
      parser = options.raw
        ? express.raw({ limit, type: JSON_TYPES })
        : express.json({
            limit,
            type: JSON_TYPES,
            strict: true,
            // Refused before parsing: validation and reference rewriting walk bodies recursively.
            verify: (_req, _res, body) => {
              if (jsonTextTooDeep(body)) throw badRequest(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`);
            },
          });
      parsers.set(limit, parser);
    }
    return parser;
  };
  return (req: Request, res, next) => {
    const principal = req.principal;
    if (!principal) return next(unauthorized());
    const limit = bodyLimitFor(config, principal, kind);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return next(bodyTooLarge(limit, principal, kind));
    parserFor(limit)(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === 'entity.too.large') return next(bodyTooLarge(limit, principal, kind));
      next(err);
    });
  };
}
