/**
 * Who may call a route, stated where the route is registered:
 *
 *   api.get('/admin/users', allow(roles('admin')), handler)
 *
 * `allow` runs before the handler, so an unauthenticated caller gets 401 and a caller with the
 * wrong role 403 before any input is parsed or any data is touched. Handlers then read the
 * principal with `requirePrincipal(req)` (or `requirePatient`/`requireStaff` for a narrowed type).
 */
import type { Request, RequestHandler, Router } from 'express';
import { forbidden, unauthorized } from '../errors.js';
import type { OpenApiRegistry, RouteDoc } from '../http/openapi.js';
import type { Principal, Role, StaffRole } from './principal.js';
import { STAFF_ROLES } from './principal.js';

export type AccessRule =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | { kind: 'roles'; roles: readonly Role[] };

/** Anyone, signed in or not (sign-in itself, health). */
export const anyone: AccessRule = { kind: 'public' };
/** Any signed-in user, staff or patient. */
export const signedIn: AccessRule = { kind: 'signed-in' };
/** Only these roles. */
export const roles = (...allowed: Role[]): AccessRule => ({ kind: 'roles', roles: allowed });
/** Any staff role. */
export const staff: AccessRule = roles(...STAFF_ROLES);
/** Patients only (their own data). */
export const patients: AccessRule = roles('patient');
export const admins: AccessRule = roles('admin');

/** Throws 401/403 unless `principal` satisfies `rule`. */
export function authorize(principal: Principal | undefined, rule: AccessRule): void {
  if (rule.kind === 'public') return;
  if (!principal) throw unauthorized();
  if (rule.kind === 'roles' && !rule.roles.includes(principal.role)) {
    throw forbidden(`This needs one of the roles: ${rule.roles.join(', ')}.`);
  }
}

/** Route middleware enforcing `rule`; put it first in the route's handler list. */
export function allow(rule: AccessRule): RequestHandler {
  return (req, _res, next) => {
    authorize(req.principal, rule);
    next();
  };
}

/** Words for the OpenAPI summary, so the document says who may call each route. */
export function describeAccess(rule: AccessRule): string {
  if (rule.kind === 'public') return 'public';
  if (rule.kind === 'signed-in') return 'any signed-in user';
  return rule.roles.join(', ');
}

export function requirePatient(req: Request): Extract<Principal, { kind: 'patient' }> {
  const principal = req.principal;
  if (!principal) throw unauthorized();
  if (principal.kind !== 'patient') throw forbidden('Only patients can do this.');
  return principal;
}

export function requireStaff(req: Request, allowed: readonly StaffRole[] = STAFF_ROLES): Extract<Principal, { kind: 'staff' }> {
  const principal = req.principal;
  if (!principal) throw unauthorized();
  if (principal.kind !== 'staff' || !allowed.includes(principal.role)) {
    throw forbidden(`This needs one of the roles: ${allowed.join(', ')}.`);
  }
  return principal;
}

export interface GuardedRoute extends Omit<RouteDoc, 'auth' | 'path'> {
  /** Path relative to the router, e.g. '/admin/users/:id'. */
  path: string;
  /** Who may call it; enforced before the handlers run and shown in the OpenAPI summary. */
  access: AccessRule;
}

/**
 * Registers a route with its access rule and its OpenAPI entry in one statement, so no route can be
 * added without saying who may call it. `mount` is where the router is mounted (default /api).
 */
export function addGuardedRoute(
  router: Router,
  openapi: OpenApiRegistry,
  route: GuardedRoute,
  handler: RequestHandler,
  mount = '/api',
): void {
  const { access, path, ...doc } = route;
  openapi.add({ ...doc, path: `${mount}${path}`, summary: `${doc.summary} (${describeAccess(access)})`, auth: access.kind !== 'public' });
  router[route.method](path, allow(access), handler);
}
