/**
 * Authentication middleware: reads `Authorization: Bearer <jwt>` and sets `req.principal`.
 * Routes then call `requirePrincipal`/`requireRole`; nothing PHI-bearing is reachable without them.
 */
import type { Request, RequestHandler } from 'express';
import { forbidden, unauthorized } from '../errors.js';
import type { Principal, Role } from './principal.js';
import { TokenError, type TokenService } from './tokens.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function authenticate(tokens: Pick<TokenService, 'verifyAccessToken'>): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
    if (!match) return next(unauthorized('The Authorization header must be "Bearer <access token>".'));
    try {
      req.principal = await tokens.verifyAccessToken(match[1]!);
      next();
    } catch (err) {
      next(err instanceof TokenError ? unauthorized(err.message) : err);
    }
  };
}

export function requirePrincipal(req: Request): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

export function requireRole(req: Request, roles: readonly Role[]): Principal {
  const principal = requirePrincipal(req);
  if (!roles.includes(principal.role)) throw forbidden(`This needs one of the roles: ${roles.join(', ')}.`);
  return principal;
}
