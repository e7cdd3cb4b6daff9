/**
 * Sign-in, tokens, MFA and account management under /api. Each route: access rule (enforced
 * first) → zod validation → AccountService → presenter. See README.md in this folder.
 */
import type { Response, Router } from 'express';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import {
  accountUserSchema,
  adminUserListQuerySchema,
  adminUserListResponseSchema,
  adminUserSchema,
  changePasswordRequestSchema,
  createStaffUserRequestSchema,
  loginRequestSchema,
  logoutRequestSchema,
  mfaActivateRequestSchema,
  mfaDisableRequestSchema,
  mfaEnrolRequestSchema,
  mfaEnrolResponseSchema,
  refreshRequestSchema,
  sessionResponseSchema,
  updateUserRequestSchema,
  userIdParamSchema,
} from '../contracts/auth.js';
import { parseInput } from '../platform/http/validation.js';
import { requirePrincipal } from '../platform/auth/middleware.js';
import { addGuardedRoute, admins, anyone, signedIn } from '../platform/auth/access.js';
import { retryAfterOf } from '../platform/auth/auth-errors.js';
import type { AccountService } from './service.js';

/** Tokens and secrets must not be cached by browsers or proxies. */
function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

/** Passes a 429's wait time on as Retry-After before the error handler answers. */
async function withRetryAfter<T>(res: Response, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const seconds = retryAfterOf(err);
    if (seconds !== undefined) res.setHeader('Retry-After', String(seconds));
    throw err;
  }
}

export function registerAccountRoutes(api: Router, ctx: { openapi: OpenApiRegistry; accounts: AccountService }): void {
  const { accounts } = ctx;
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['auth'];
  const adminTags = ['admin'];

  route(
    {
      method: 'post',
      path: '/auth/login',
      summary: 'Sign in with e-mail, password and (when MFA is on) a TOTP code',
      tags,
      access: anyone,
      body: loginRequestSchema,
      responses: {
        200: { description: 'Signed in', schema: sessionResponseSchema },
        401: { description: 'invalid_credentials (also for unknown and disabled accounts), mfa_required or invalid_totp' },
        429: { description: 'too_many_requests: sign-in backoff for this account or address (see Retry-After)' },
      },
    },
    async (req, res) => {
      noStore(res);
      const body = parseInput(loginRequestSchema, req.body);
      res.json(await withRetryAfter(res, () => accounts.login(body, requestMeta(req))));
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/refresh',
      summary: 'Exchange a refresh token for new tokens (the old one is revoked)',
      tags,
      access: anyone,
      body: refreshRequestSchema,
      responses: {
        200: { description: 'New tokens', schema: sessionResponseSchema },
        401: { description: 'invalid_refresh_token' },
      },
    },
    async (req, res) => {
      noStore(res);
      const { refreshToken } = parseInput(refreshRequestSchema, req.body);
      res.json(await accounts.refresh(refreshToken, requestMeta(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/logout',
      summary: 'Revoke a refresh token',
      tags,
      access: anyone,
      body: logoutRequestSchema,
      responses: { 204: { description: 'Signed out' } },
    },
    (req, res) => {
      const { refreshToken } = parseInput(logoutRequestSchema, req.body);
      accounts.logout(refreshToken, requestMeta(req));
      res.status(204).end();
    },
  );

  route(
    {
      method: 'get',
      path: '/auth/me',
      summary: 'The signed-in account',
      tags,
      access: signedIn,
      responses: { 200: { description: 'The account', schema: accountUserSchema } },
    },
    (req, res) => {
      res.json(accounts.me(requirePrincipal(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/mfa/enrol',
      summary: 'Start TOTP enrolment (needs the current password): returns the secret and otpauth URL (not active until confirmed)',
      tags,
      access: signedIn,
      body: mfaEnrolRequestSchema,
      responses: {
        200: { description: 'Secret for the authenticator app', schema: mfaEnrolResponseSchema },
        403: { description: 'invalid_current_password' },
        409: { description: 'MFA is already on' },
        429: { description: 'too_many_requests (see Retry-After)' },
      },
    },
    async (req, res) => {
      noStore(res);
      const principal = requirePrincipal(req);
      const body = parseInput(mfaEnrolRequestSchema, req.body);
      res.json(await withRetryAfter(res, () => accounts.enrolMfa(principal, body, requestMeta(req))));
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/mfa/activate',
      summary: 'Turn TOTP on: the current password and a code from the enrolled authenticator',
      tags,
      access: signedIn,
      body: mfaActivateRequestSchema,
      responses: {
        200: { description: 'MFA is on', schema: accountUserSchema },
        400: { description: 'invalid_totp (the new authenticator\'s code)' },
        403: { description: 'invalid_current_password' },
        409: { description: 'Not enrolled, or already on' },
        429: { description: 'too_many_requests (see Retry-After)' },
      },
    },
    async (req, res) => {
      const principal = requirePrincipal(req);
      const body = parseInput(mfaActivateRequestSchema, req.body);
      res.json(await withRetryAfter(res, () => accounts.activateMfa(principal, body, requestMeta(req))));
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/mfa/disable',
      summary: 'Turn TOTP off: the current password and a current code (administrators: PATCH /api/admin/users/:id resetMfa)',
      tags,
      access: signedIn,
      body: mfaDisableRequestSchema,
      responses: {
        200: { description: 'MFA is off', schema: accountUserSchema },
        403: { description: 'invalid_current_password or invalid_totp' },
        409: { description: 'MFA is not on' },
        429: { description: 'too_many_requests (see Retry-After)' },
      },
    },
    async (req, res) => {
      const principal = requirePrincipal(req);
      const body = parseInput(mfaDisableRequestSchema, req.body);
      res.json(await withRetryAfter(res, () => accounts.disableMfa(principal, body, requestMeta(req))));
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/password',
      summary: 'Change the password: the current one (and a TOTP code when MFA is on) and the new one; every session of the account ends, the caller gets a new one',
      tags,
      access: signedIn,
      body: changePasswordRequestSchema,
      responses: {
        200: { description: 'Changed; a new session for the caller', schema: sessionResponseSchema },
        400: { description: 'validation_failed: the new password breaks the policy' },
        403: { description: 'invalid_current_password, mfa_required or invalid_totp' },
        429: { description: 'too_many_requests (see Retry-After)' },
      },
    },
    async (req, res) => {
      noStore(res);
      const principal = requirePrincipal(req);
      const body = parseInput(changePasswordRequestSchema, req.body);
      res.json(await withRetryAfter(res, () => accounts.changePassword(principal, body, requestMeta(req))));
    },
  );

  route(
    {
      method: 'get',
      path: '/admin/users',
      summary: 'List accounts (filter by role or text; paginated by e-mail)',
      tags: adminTags,
      access: admins,
      query: adminUserListQuerySchema,
      responses: { 200: { description: 'A page of accounts', schema: adminUserListResponseSchema } },
    },
    async (req, res) => {
      const principal = requirePrincipal(req);
      const query = parseInput(adminUserListQuerySchema, req.query, 'query');
      res.json(await accounts.listUsers(principal, query));
    },
  );

  route(
    {
      method: 'post',
      path: '/admin/users',
      summary: 'Create a staff account with a role',
      tags: adminTags,
      access: admins,
      body: createStaffUserRequestSchema,
      responses: {
        201: { description: 'Created', schema: adminUserSchema },
        409: { description: 'The e-mail address is taken' },
      },
    },
    async (req, res) => {
      const principal = requirePrincipal(req);
      const body = parseInput(createStaffUserRequestSchema, req.body);
      res.status(201).json(await accounts.createStaffUser(principal, body, requestMeta(req)));
    },
  );

  route(
    {
      method: 'get',
      path: '/admin/users/:id',
      summary: 'One account',
      tags: adminTags,
      access: admins,
      responses: { 200: { description: 'The account', schema: adminUserSchema } },
    },
    (req, res) => {
      const principal = requirePrincipal(req);
      const id = parseInput(userIdParamSchema, req.params.id, 'id');
      res.json(accounts.getUser(principal, id));
    },
  );

  route(
    {
      method: 'patch',
      path: '/admin/users/:id',
      summary: 'Change role, display name or disabled; unlock; reset MFA (audited as permission.change)',
      tags: adminTags,
      access: admins,
      body: updateUserRequestSchema,
      responses: {
        200: { description: 'The updated account', schema: adminUserSchema },
        403: { description: 'Administrators cannot demote or disable themselves' },
        404: { description: 'No such account' },
      },
    },
    (req, res) => {
      const principal = requirePrincipal(req);
      const id = parseInput(userIdParamSchema, req.params.id, 'id');
      const body = parseInput(updateUserRequestSchema, req.body);
      res.json(accounts.updateUser(principal, id, body, requestMeta(req)));
    },
  );

}
