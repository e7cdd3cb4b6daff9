/**
 * Accounts: sign-in with throttling (backoff, no hard lock), refresh-token rotation with theft
 * detection, TOTP MFA and password changes behind a step-up (current password and code), and account
 * management for administrators. Every security event is audited; passwords,
 * tokens and TOTP codes never reach the audit log or the logs.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Config } from '../platform/config.js';
import type { DatabaseHandle } from '../platform/db/index.js';
import type { TokenService } from '../platform/auth/tokens.js';
import type { RequestMeta } from '../platform/http/request-meta.js';
import type { EventPublisher } from '../platform/events.js';
import type { SessionEndReason } from '../contracts/realtime.js';
import type {
  AccountUser,
  AdminUser,
  AdminUserListResponse,
  ChangePasswordRequest,
  MfaActivateRequest,
  MfaDisableRequest,
  MfaEnrolRequest,
  MfaEnrolResponse,
  SessionResponse,
  StepUp,
} from '../contracts/auth.js';
import { inTransaction } from '../platform/db/index.js';
import { conflict, forbidden, notFound, unprocessable, validationFailed } from '../platform/errors.js';
import type { AuditEntry } from '../platform/audit/audit.js';
import { isStaffRole, type Principal, type StaffRole } from '../platform/auth/principal.js';
import { signingKeyFor } from '../platform/auth/tokens.js';
import { SecretBox } from '../platform/auth/secret-box.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { LoginThrottle, type LoginThrottleOptions } from '../platform/auth/login-throttle.js';
import { checkTotp, newTotpSecret, totpUri } from '../platform/auth/totp.js';
import { dummyPasswordHash, hashPassword, needsRehash, passwordPolicyProblems, verifyPassword } from '../platform/auth/passwords.js';
import {
  accountDisabled,
  accountGone,
  invalidCredentials,
  invalidCurrentPassword,
  invalidRefreshToken,
  invalidTotp,
  mfaRequired,
  mfaUnavailable,
  rateLimited,
  signInThrottled,
  stepUpTotpInvalid,
  stepUpTotpRequired,
} from '../platform/auth/auth-errors.js';
import { AccountRepository, type UserChanges, type UserRow } from './repository.js';
import { toAccountUser, toAdminUser } from './presenters.js';

export type { RequestMeta };

/** What the account service needs from the rest of the server. */
export interface AccountServiceDeps {
  database: DatabaseHandle;
  config: Pick<Config, 'JWT_SECRET' | 'REFRESH_TOKEN_TTL_SECONDS'> & LoginThrottleConfig;
  tokens: TokenService;
  audit: AuditLog;
  /** `accounts.session-revoked` when every session of an account ends. */
  events: EventPublisher;
  /** Whether a live Practitioner exists (the FHIR domain). */
  practitionerExists(id: string): boolean;
}

/** The sign-in throttle's settings, from the environment (platform/config.ts has the defaults). */
export type LoginThrottleConfig = Pick<
  Config,
  | 'LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS'
  | 'LOGIN_FREE_FAILURES_PER_ADDRESS'
  | 'LOGIN_FREE_FAILURES_PER_ACCOUNT'
  | 'LOGIN_BACKOFF_BASE_SECONDS'
  | 'LOGIN_BACKOFF_MAX_SECONDS'
  | 'LOGIN_FAILURE_MEMORY_SECONDS'
  | 'LOGIN_TRUSTED_ADDRESS_DAYS'
>;

function loginThrottleOptions(c: LoginThrottleConfig): LoginThrottleOptions {
  return {
    freeFailuresPerAccountAddress: c.LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS,
    freeFailuresPerAddress: c.LOGIN_FREE_FAILURES_PER_ADDRESS,
    freeFailuresPerAccount: c.LOGIN_FREE_FAILURES_PER_ACCOUNT,
    baseDelayMs: c.LOGIN_BACKOFF_BASE_SECONDS * 1000,
    maxDelayMs: c.LOGIN_BACKOFF_MAX_SECONDS * 1000,
    forgetAfterMs: c.LOGIN_FAILURE_MEMORY_SECONDS * 1000,
    trustAddressMs: c.LOGIN_TRUSTED_ADDRESS_DAYS * 86_400_000,
  };
}

export interface AccountPolicy {
  /** Wrong MFA codes per account within `mfaWindowMs` (enrolment, step-up) before 429. */
  mfaAttemptsPerWindow: number;
  mfaWindowMs: number;
}

export const DEFAULT_ACCOUNT_POLICY: AccountPolicy = {
  mfaAttemptsPerWindow: 5,
  mfaWindowMs: 5 * 60_000,
};

export interface NewAccount {
  email: string;
  role: string;
  displayName: string;
  /** Either a password (checked against the policy) or a ready argon2 hash (demo seeding). */
  password?: string;
  passwordHash?: string;
  patientId?: string | null;
  practitionerId?: string | null;
}

export interface UpdateUserInput {
  role?: StaffRole;
  displayName?: string;
  disabled?: boolean;
  unlock?: true;
  resetMfa?: true;
}

export interface ListUsersInput {
  role?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The principal an account signs in as. */
export function principalFor(user: UserRow): Principal {
  if (user.role === 'patient') {
    if (!user.patient_id) throw new Error(`patient account ${user.id} is not linked to a Patient`);
    return { kind: 'patient', userId: user.id, email: user.email, role: 'patient', patientId: user.patient_id };
  }
  if (!isStaffRole(user.role)) throw new Error(`account ${user.id} has an unknown role`);
  return { kind: 'staff', userId: user.id, email: user.email, role: user.role, practitionerId: user.practitioner_id };
}

export class AccountService {
  readonly repository: AccountRepository;
  private readonly box: SecretBox;
  private readonly loginThrottle: LoginThrottle;
  private readonly mfaLimiter: SlidingWindowLimiter;

  constructor(
    private readonly ctx: AccountServiceDeps,
    readonly policy: AccountPolicy = DEFAULT_ACCOUNT_POLICY,
  ) {
    this.repository = new AccountRepository(ctx.database.sqlite, ctx.database.db);
    this.box = new SecretBox(signingKeyFor(ctx.database.sqlite, ctx.config.JWT_SECRET), 'totp-secret');
    this.loginThrottle = new LoginThrottle(loginThrottleOptions(ctx.config));
    // Made now, so the first unknown or disabled sign-in is not the one slow answer that stands out.
    void dummyPasswordHash();
    this.mfaLimiter = new SlidingWindowLimiter({ limit: policy.mfaAttemptsPerWindow, windowMs: policy.mfaWindowMs });
  }

  // ---------------------------------------------------------------- sign-in

  async login(input: { email: string; password: string; totp?: string }, meta: RequestMeta): Promise<SessionResponse> {
    const email = input.email;
    // Counted before the slow hash, so a burst of parallel guesses is throttled too; a 429 is
    // answered before any check and is not audited (a flood does not flood the audit log).
    const decision = this.loginThrottle.begin(email, meta.ip);
    if (!decision.allowed) throw signInThrottled(decision.retryAfterSeconds);
    const { attempt } = decision;

    const found = this.repository.findByEmail(email);
    if (!found || found.disabled) {
      // An unknown e-mail and a disabled account do the same work as a wrong password (one argon2
      // verification) and get the same answer, so neither is revealed.
      await verifyPassword(await dummyPasswordHash(), input.password);
      return this.failLogin(found, email, found ? 'disabled' : 'unknown_user', meta, invalidCredentials);
    }
    const passwordOk = await verifyPassword(found.password_hash, input.password);
    // Re-read: an administrator may have disabled the account while this request was hashing.
    const user = this.repository.findById(found.id) ?? found;
    if (!passwordOk) return this.failLogin(user, email, 'wrong_password', meta, invalidCredentials);
    if (user.disabled) return this.failLogin(user, email, 'disabled', meta, invalidCredentials);

    let totpStep: number | undefined;
    if (user.totp_enabled) {
      if (!input.totp) {
        // The right password: not a guess. The code that follows is what counts.
        attempt.refund();
        this.auditLogin(user, 'failure', meta, { reason: 'mfa_required' });
        throw mfaRequired();
      }
      const check = await checkTotp(this.totpSecretOf(user), input.totp, user.totp_last_step);
      if (!check.ok) return this.failLogin(user, email, check.reason === 'reused' ? 'totp_reused' : 'wrong_totp', meta, () => invalidTotp(401));
      totpStep = check.step;
    }

    const rehash = needsRehash(user.password_hash) ? await hashPassword(input.password) : undefined;
    const now = new Date().toISOString();
    const refreshToken = inTransaction(this.ctx.database.sqlite, () => {
      if (totpStep !== undefined && !this.repository.claimTotpStep(user.id, totpStep)) return undefined;
      const changes: UserChanges = { failed_logins: 0, locked_until: null, last_login_at: now };
      if (rehash) changes.password_hash = rehash;
      this.repository.update(user.id, changes, now);
      this.repository.deleteExpiredRefreshTokens(user.id, now);
      return this.issueRefreshToken(user.id, now);
    });
    if (!refreshToken) return this.failLogin(user, email, 'totp_reused', meta, () => invalidTotp(401));

    attempt.succeeded();
    this.auditLogin(user, 'success', meta, user.totp_enabled ? { mfa: true } : null);
    return this.session(this.repository.findById(user.id) ?? user, refreshToken);
  }

  /** Seconds until `email` may try to sign in again from `ip` (0 = now). */
  loginRetryAfter(email: string, ip: string | null): number {
    return this.loginThrottle.retryAfterSeconds(email, ip);
  }

  async refresh(refreshToken: string, meta: RequestMeta): Promise<SessionResponse> {
    const tokenHash = hashRefreshToken(refreshToken);
    const now = new Date().toISOString();
    type Outcome =
      | { kind: 'unknown' }
      | { kind: 'reused' | 'expired' | 'disabled' | 'session_ended'; userId: string; role: string | null }
      | { kind: 'ok'; user: UserRow; next: string };
    const outcome = inTransaction(this.ctx.database.sqlite, (): Outcome => {
      const row = this.repository.findRefreshToken(tokenHash);
      if (!row) return { kind: 'unknown' };
      const user = this.repository.findById(row.user_id);
      const role = user?.role ?? null;
      // Issued before the account's sessions were ended (sign-out, disable, role or password change).
      if (user && row.session_version !== user.session_version) return { kind: 'session_ended', userId: row.user_id, role };
      if (row.revoked_at) {
        // A revoked token came back: either it was stolen and already used by someone else, or the
        // thief is using it now. Either way, end every session of the account.
        this.repository.revokeAllRefreshTokens(row.user_id, now);
        return { kind: 'reused', userId: row.user_id, role };
      }
      if (row.expires_at <= now) {
        this.repository.revokeRefreshToken(tokenHash, now);
        return { kind: 'expired', userId: row.user_id, role };
      }
      if (!user || user.disabled) {
        this.repository.revokeAllRefreshTokens(row.user_id, now);
        return { kind: 'disabled', userId: row.user_id, role };
      }
      this.repository.revokeRefreshToken(tokenHash, now);
      return { kind: 'ok', user, next: this.issueRefreshToken(user.id, now) };
    });
    if (outcome.kind === 'unknown') throw invalidRefreshToken();
    // A stolen refresh token: the access tokens issued from the stolen session end too.
    if (outcome.kind === 'reused') this.revokeSessions(outcome.userId, 'revoked');
    if (outcome.kind !== 'ok') {
      this.record(meta, {
        actorId: outcome.userId,
        actorRole: outcome.role,
        action: 'auth.refresh',
        outcome: 'failure',
        resourceType: 'User',
        resourceId: outcome.userId,
        details: { reason: outcome.kind === 'reused' ? 'reuse_detected_all_sessions_revoked' : outcome.kind },
      });
      throw invalidRefreshToken();
    }
    this.record(meta, {
      actorId: outcome.user.id,
      actorRole: outcome.user.role,
      action: 'auth.refresh',
      resourceType: 'User',
      resourceId: outcome.user.id,
    });
    return this.session(outcome.user, outcome.next);
  }

  /**
   * Revokes the refresh token and ends every session of the account: its access tokens, its other
   * refresh tokens and its live sockets (idempotent: unknown or already revoked tokens are fine).
   */
  logout(refreshToken: string, meta: RequestMeta): void {
    const tokenHash = hashRefreshToken(refreshToken);
    const row = this.repository.findRefreshToken(tokenHash);
    if (!row) return;
    if (!this.repository.revokeRefreshToken(tokenHash, new Date().toISOString())) return;
    this.revokeSessions(row.user_id, 'signed-out');
    const user = this.repository.findById(row.user_id);
    this.record(meta, {
      actorId: row.user_id,
      actorRole: user?.role ?? null,
      action: 'auth.logout',
      resourceType: 'User',
      resourceId: row.user_id,
    });
  }

  /** The signed-in account, as stored now. */
  me(principal: Principal): AccountUser {
    const user = this.activeAccountOf(principal);
    return toAccountUser(user);
  }

  // ---------------------------------------------------------------- MFA

  async enrolMfa(principal: Principal, input: MfaEnrolRequest, meta: RequestMeta): Promise<MfaEnrolResponse> {
    const user = this.activeAccountOf(principal);
    if (user.totp_enabled) throw conflict('Two-step sign-in is already on. Turn it off first to enrol a new authenticator.');
    await this.verifyStepUp(user, input, 'mfa.enrol', meta);
    const secret = newTotpSecret();
    this.repository.update(user.id, { totp_secret: this.box.seal(secret), totp_enabled: 0, totp_last_step: null }, new Date().toISOString());
    this.record(meta, { actorId: user.id, actorRole: user.role, action: 'auth.mfa.enrol', resourceType: 'User', resourceId: user.id });
    return { secret, otpauthUrl: totpUri(secret, user.email) };
  }

  async activateMfa(principal: Principal, input: MfaActivateRequest, meta: RequestMeta): Promise<AccountUser> {
    const user = this.activeAccountOf(principal);
    if (user.totp_enabled) throw conflict('Two-step sign-in is already on.');
    if (!user.totp_secret) throw conflict('Enrol first: POST /api/auth/mfa/enrol, then confirm with a code.');
    // The new authenticator's code first: it is the time-sensitive one (the slow password check
    // after it cannot push it out of its 30-second window).
    const step = await this.checkMfaCode(user, input.code, null, meta, () => invalidTotp(400));
    await this.verifyStepUp(user, { currentPassword: input.currentPassword }, 'mfa.activate', meta);
    this.repository.update(user.id, { totp_enabled: 1, totp_last_step: step }, new Date().toISOString());
    this.record(meta, { actorId: user.id, actorRole: user.role, action: 'auth.mfa.enable', resourceType: 'User', resourceId: user.id });
    return toAccountUser(this.repository.findById(user.id)!);
  }

  async disableMfa(principal: Principal, input: MfaDisableRequest, meta: RequestMeta): Promise<AccountUser> {
    const user = this.activeAccountOf(principal);
    if (!user.totp_enabled) throw conflict('Two-step sign-in is not on.');
    const step = await this.verifyStepUp(user, input, 'mfa.disable', meta);
    const now = new Date().toISOString();
    const claimed = inTransaction(this.ctx.database.sqlite, () => {
      if (step !== undefined && !this.repository.claimTotpStep(user.id, step)) return false;
      this.repository.update(user.id, { totp_enabled: 0, totp_secret: null, totp_last_step: null }, now);
      return true;
    });
    if (!claimed) throw stepUpTotpInvalid();
    this.record(meta, { actorId: user.id, actorRole: user.role, action: 'auth.mfa.disable', resourceType: 'User', resourceId: user.id });
    return toAccountUser(this.repository.findById(user.id)!);
  }

  // ---------------------------------------------------------------- password

  /**
   * Changes the password after a step-up. Every session of the account ends (its session version
   * moves on: access and refresh tokens are refused, live sockets close); the caller gets a new one.
   */
  async changePassword(principal: Principal, input: ChangePasswordRequest, meta: RequestMeta): Promise<SessionResponse> {
    const user = this.activeAccountOf(principal);
    const problems = passwordPolicyProblems(input.newPassword, user.email);
    if (input.newPassword === input.currentPassword) problems.push('must differ from the current password');
    if (problems.length) {
      throw validationFailed(`Invalid body: newPassword: ${problems[0]}`, {
        issues: problems.map((message) => ({ path: 'newPassword', message })),
      });
    }
    const step = await this.verifyStepUp(user, input, 'password.change', meta);
    const passwordHash = await hashPassword(input.newPassword);
    const now = new Date().toISOString();
    const changed = inTransaction(this.ctx.database.sqlite, () => {
      if (step !== undefined && !this.repository.claimTotpStep(user.id, step)) return false;
      this.repository.update(user.id, { password_hash: passwordHash, failed_logins: 0 }, now);
      return true;
    });
    if (!changed) throw stepUpTotpInvalid();
    this.revokeSessions(user.id, 'password-changed');
    const refreshToken = inTransaction(this.ctx.database.sqlite, () => this.issueRefreshToken(user.id, now));
    this.record(meta, { actorId: user.id, actorRole: user.role, action: 'auth.password.change', resourceType: 'User', resourceId: user.id });
    return this.session(this.repository.findById(user.id) ?? user, refreshToken);
  }

  // ---------------------------------------------------------------- accounts

  /**
   * Creates an account. Returns undefined when the e-mail is already taken (so seeding can be
   * idempotent); routes turn that into 409. Passwords are checked against the policy.
   */
  async createAccount(input: NewAccount): Promise<UserRow | undefined> {
    const email = input.email.trim().toLowerCase();
    let passwordHash = input.passwordHash;
    if (!passwordHash) {
      const problems = passwordPolicyProblems(input.password ?? '', email);
      if (problems.length) {
        throw validationFailed(`Invalid body: password: ${problems[0]}`, {
          issues: problems.map((message) => ({ path: 'password', message })),
        });
      }
      passwordHash = await hashPassword(input.password!);
    }
    if (input.role === 'patient' ? !input.patientId : !isStaffRole(input.role)) {
      throw unprocessable('A patient account needs a patientId; a staff account a staff role.');
    }
    const id = randomUUID();
    const inserted = this.repository.insert({
      id,
      email,
      passwordHash,
      role: input.role,
      displayName: input.displayName,
      patientId: input.patientId ?? null,
      practitionerId: input.practitionerId ?? null,
      now: new Date().toISOString(),
    });
    return inserted ? this.repository.findById(id) : undefined;
  }

  async createStaffUser(
    actor: Principal,
    input: { email: string; displayName: string; role: StaffRole; password: string; practitionerId?: string },
    meta: RequestMeta,
  ): Promise<AdminUser> {
    this.requireActiveAdmin(actor);
    if (input.practitionerId) {
      if (!this.ctx.practitionerExists(input.practitionerId)) throw unprocessable(`Practitioner ${input.practitionerId} does not exist.`);
    }
    if (this.repository.findByEmail(input.email)) throw conflict('An account with this e-mail address already exists.');
    const created = await this.createAccount({ ...input, practitionerId: input.practitionerId ?? null });
    if (!created) throw conflict('An account with this e-mail address already exists.');
    this.record(meta, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'permission.change',
      resourceType: 'User',
      resourceId: created.id,
      details: {
        change: 'account.create',
        before: null,
        after: { email: created.email, role: created.role, displayName: created.display_name, practitionerId: created.practitioner_id },
      },
    });
    return toAdminUser(created);
  }

  async listUsers(actor: Principal, input: ListUsersInput): Promise<AdminUserListResponse> {
    this.requireActiveAdmin(actor);
    let afterEmail: string | undefined;
    if (input.cursor) {
      afterEmail = Buffer.from(input.cursor, 'base64url').toString('utf8');
      if (!afterEmail || afterEmail.length > 254) throw validationFailed('Invalid query: cursor: is not a cursor from a previous page');
    }
    const rows = await this.repository.list({
      limit: input.limit + 1,
      ...(input.role ? { role: input.role } : {}),
      ...(input.q ? { q: input.q } : {}),
      ...(afterEmail ? { afterEmail } : {}),
    });
    const page = rows.slice(0, input.limit);
    const now = Date.now();
    return {
      items: page.map((r) => toAdminUser(r, now)),
      nextCursor: rows.length > input.limit ? Buffer.from(page[page.length - 1]!.email, 'utf8').toString('base64url') : null,
    };
  }

  getUser(actor: Principal, id: string): AdminUser {
    this.requireActiveAdmin(actor);
    const user = this.repository.findById(id);
    if (!user) throw notFound('User', id);
    return toAdminUser(user);
  }

  /** Role, display name, disabled, unlock, reset MFA; audited as one permission.change. */
  updateUser(actor: Principal, id: string, input: UpdateUserInput, meta: RequestMeta): AdminUser {
    this.requireActiveAdmin(actor);
    const target = this.repository.findById(id);
    if (!target) throw notFound('User', id);
    if (target.id === actor.userId) {
      if (input.role !== undefined && input.role !== 'admin') throw forbidden('Administrators cannot remove their own admin role.');
      if (input.disabled === true) throw forbidden('Administrators cannot disable their own account.');
      // Turning one's own MFA off asks for the password and the code (POST /api/auth/mfa/disable); a stolen admin token must not skip that.
      if (input.resetMfa === true) throw forbidden('Turn off your own two-step sign-in from your account (it asks for your password and a code), not here.');
    }
    if (input.role !== undefined && target.role === 'patient') {
      throw unprocessable('Patient accounts keep the patient role; create a staff account instead.');
    }

    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const changes: UserChanges = {};
    const nowMs = Date.now();
    if (input.role !== undefined && input.role !== target.role) {
      before.role = target.role;
      after.role = input.role;
      changes.role = input.role;
    }
    if (input.displayName !== undefined && input.displayName !== target.display_name) {
      before.displayName = target.display_name;
      after.displayName = input.displayName;
      changes.display_name = input.displayName;
    }
    if (input.disabled !== undefined && input.disabled !== (target.disabled === 1)) {
      before.disabled = target.disabled === 1;
      after.disabled = input.disabled;
      changes.disabled = input.disabled ? 1 : 0;
    }
    if (input.unlock && (this.isLocked(target, nowMs) || target.failed_logins > 0)) {
      before.lockedUntil = this.isLocked(target, nowMs) ? target.locked_until : null;
      before.failedLogins = target.failed_logins;
      after.lockedUntil = null;
      after.failedLogins = 0;
      changes.locked_until = null;
      changes.failed_logins = 0;
    }
    if (input.resetMfa && (target.totp_enabled === 1 || target.totp_secret !== null)) {
      before.mfaEnabled = target.totp_enabled === 1;
      after.mfaEnabled = false;
      changes.totp_enabled = 0;
      changes.totp_secret = null;
      changes.totp_last_step = null;
    }

    if (Object.keys(changes).length > 0) {
      const now = new Date(nowMs).toISOString();
      inTransaction(this.ctx.database.sqlite, () => {
        this.repository.update(target.id, changes, now);
        // A disabled account's sessions end now; refresh also re-checks, so this is belt and braces.
        if (changes.disabled === 1) this.repository.revokeAllRefreshTokens(target.id, now);
      });
      this.record(meta, {
        actorId: actor.userId,
        actorRole: actor.role,
        action: 'permission.change',
        resourceType: 'User',
        resourceId: target.id,
        details: { change: 'account.update', email: target.email, before, after },
      });
    }
    if (input.unlock) this.loginThrottle.clearAccount(target.email);
    if (changes.disabled === 1) this.revokeSessions(target.id, 'disabled');
    else if (changes.role !== undefined) this.revokeSessions(target.id, 'role-changed');
    return toAdminUser(this.repository.findById(target.id)!);
  }

  /**
   * Ends every session of the account at once: its session version moves on, so access tokens
   * already issued are refused on the next request (REST or socket event), refresh tokens no longer
   * refresh, and listeners disconnect its live sockets (`accounts.session-revoked`).
   */
  revokeSessions(userId: string, reason: SessionEndReason): void {
    const now = new Date().toISOString();
    const version = inTransaction(this.ctx.database.sqlite, () => {
      const next = this.repository.bumpSessionVersion(userId, now);
      this.repository.revokeAllRefreshTokens(userId, now);
      return next;
    });
    if (version !== undefined) this.ctx.events.publish('accounts.session-revoked', { userId, version, reason });
  }

  // ---------------------------------------------------------------- helpers

  private session(user: UserRow, refreshToken: string): Promise<SessionResponse> {
    return this.ctx.tokens.issueAccessToken(principalFor(user), user.session_version).then((accessToken) => ({
      accessToken,
      tokenType: 'Bearer' as const,
      expiresIn: this.ctx.tokens.accessTtlSeconds,
      refreshToken,
      user: toAccountUser(user),
    }));
  }

  /** Creates and stores a refresh token (only its SHA-256); call inside a transaction. */
  private issueRefreshToken(userId: string, nowIso: string): string {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.parse(nowIso) + this.ctx.config.REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString();
    this.repository.insertRefreshToken(hashRefreshToken(token), userId, expiresAt, nowIso, this.repository.sessionVersionOf(userId) ?? 0);
    return token;
  }

  private isLocked(user: UserRow, now = Date.now()): boolean {
    return user.locked_until !== null && Date.parse(user.locked_until) > now;
  }

  /**
   * Records a failed sign-in (the throttle already counted it when the attempt began) and throws the
   * answer. The audit row says when this failure put the e-mail or address into backoff.
   */
  private failLogin(user: UserRow | undefined, email: string, reason: string, meta: RequestMeta, error: () => Error): never {
    const backoffSeconds = this.loginThrottle.retryAfterSeconds(email, meta.ip);
    const details: Record<string, unknown> = { reason, ...(backoffSeconds > 0 ? { backoffSeconds } : {}) };
    if (user) {
      this.repository.countFailedLogin(user.id, new Date().toISOString());
      this.auditLogin(user, 'failure', meta, details);
    } else {
      this.record(meta, { action: 'auth.login', outcome: 'failure', details: { email, ...details } });
    }
    throw error();
  }

  private auditLogin(user: UserRow, outcome: 'success' | 'failure', meta: RequestMeta, details: Record<string, unknown> | null): void {
    this.record(meta, {
      actorId: user.id,
      actorRole: user.role,
      action: 'auth.login',
      outcome,
      resourceType: 'User',
      resourceId: user.id,
      details,
    });
  }

  private record(meta: RequestMeta, entry: AuditEntry): void {
    this.ctx.audit.record({ ...entry, ip: meta.ip, requestId: meta.requestId });
  }

  private totpSecretOf(user: UserRow): string {
    const secret = user.totp_secret ? this.box.open(user.totp_secret) : undefined;
    if (!secret) throw mfaUnavailable();
    return secret;
  }

  /** Checks an MFA code (activation, step-up), throttled per account. */
  private async checkMfaCode(user: UserRow, code: string, lastStep: number | null, meta: RequestMeta, wrong: () => Error): Promise<number> {
    const key = user.id;
    const retryAfter = this.mfaLimiter.retryAfterSeconds(key);
    if (retryAfter > 0) throw rateLimited(retryAfter);
    const check = await checkTotp(this.totpSecretOf(user), code, lastStep);
    if (!check.ok) {
      this.mfaLimiter.hit(key);
      this.record(meta, {
        actorId: user.id,
        actorRole: user.role,
        action: 'auth.mfa.verify',
        outcome: 'failure',
        resourceType: 'User',
        resourceId: user.id,
        details: { reason: check.reason },
      });
      throw wrong();
    }
    this.mfaLimiter.reset(key);
    return check.step;
  }

  /**
   * Step-up before a sensitive change: the current password, and the current TOTP code when two-step
   * sign-in is on, so an access token alone (stolen from a browser, a log, a shared screen) cannot
   * take the account over. Wrong passwords count against the same throttle as sign-in, so this is no
   * side door for guessing. Returns the TOTP step to claim with the change (undefined without MFA).
   */
  private async verifyStepUp(user: UserRow, proof: StepUp, purpose: string, meta: RequestMeta): Promise<number | undefined> {
    const decision = this.loginThrottle.begin(user.email, meta.ip);
    if (!decision.allowed) throw signInThrottled(decision.retryAfterSeconds);
    const fail = (reason: string, error: Error): never => {
      this.record(meta, {
        actorId: user.id,
        actorRole: user.role,
        action: 'auth.step_up',
        outcome: 'failure',
        resourceType: 'User',
        resourceId: user.id,
        details: { purpose, reason },
      });
      throw error;
    };
    if (!(await verifyPassword(user.password_hash, proof.currentPassword))) {
      this.repository.countFailedLogin(user.id, new Date().toISOString());
      return fail('wrong_password', invalidCurrentPassword());
    }
    if (!user.totp_enabled) {
      decision.attempt.succeeded();
      return undefined;
    }
    // The password was right: a missing or wrong code is not a password guess (the MFA limiter
    // counts wrong codes).
    if (!proof.totpCode) {
      decision.attempt.refund();
      return fail('mfa_required', stepUpTotpRequired());
    }
    let step: number;
    try {
      step = await this.checkMfaCode(user, proof.totpCode, user.totp_last_step, meta, stepUpTotpInvalid);
    } catch (err) {
      decision.attempt.refund();
      throw err;
    }
    decision.attempt.succeeded();
    return step;
  }

  /** The principal's account, which must still exist and be enabled. */
  private activeAccountOf(principal: Principal): UserRow {
    const user = this.repository.findById(principal.userId);
    if (!user) throw accountGone();
    if (user.disabled) throw accountDisabled();
    return user;
  }

  /**
   * The acting administrator as the database has it now: an access token outlives a demotion by up
   * to its lifetime, but account management checks the current role.
   */
  private requireActiveAdmin(actor: Principal): UserRow {
    const user = this.activeAccountOf(actor);
    if (user.role !== 'admin') throw forbidden('This needs one of the roles: admin.');
    return user;
  }
}
