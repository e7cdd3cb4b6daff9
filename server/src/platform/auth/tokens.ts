/**
 * Short-lived access tokens (JWT, HS256 via jose). The signing key comes from JWT_SECRET, or, when
 * that is unset, from a random key kept in the database's meta table so tokens survive restarts
 * without a secret ever landing in the repository or logs. Each token carries its account's session
 * version (`sv`); one whose version is no longer current (the account signed out, was disabled, got
 * another role or password) is refused at once (sessions.ts).
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { isStaffRole, type Principal } from './principal.js';
import type { SessionCheck } from './sessions.js';

const ISSUER = 'carebridge';
const AUDIENCE = 'carebridge-api';

export class TokenError extends Error {
  constructor(
    message: string,
    readonly expired = false,
  ) {
    super(message);
  }
}

/** A verified access token: who, until when, and at which session version. */
export interface VerifiedAccess {
  principal: Principal;
  expiresAtMs: number;
  sessionVersion: number;
}

export const SESSION_ENDED_MESSAGE = 'The session has ended (signed out, or the account changed): sign in again.';
export const TOKEN_EXPIRED_MESSAGE = 'The access token has expired: refresh it or sign in again.';

export function signingKeyFor(sqlite: SQLite.Database, configured?: string): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  const row = sqlite.prepare("SELECT value FROM meta WHERE key = 'jwt_signing_key'").get() as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'base64');
  const key = randomBytes(48);
  sqlite.prepare("INSERT INTO meta (key, value) VALUES ('jwt_signing_key', ?) ON CONFLICT (key) DO NOTHING").run(key.toString('base64'));
  const stored = sqlite.prepare("SELECT value FROM meta WHERE key = 'jwt_signing_key'").get() as { value: string };
  return Buffer.from(stored.value, 'base64');
}

export class TokenService {
  /** Imported once: jose would otherwise import a raw key on every verification. */
  private readonly key: KeyObject;
  /**
   * Tokens that already verified, with their expiry: a client sends the same token with every
   * request for its lifetime, and WebCrypto's HMAC check (asynchronous, through a worker hop) was a
   * sixth of a FHIR search's CPU time. Only verified tokens enter; expiry is still checked each time.
   */
  private readonly verified = new Map<string, VerifiedAccess>();
  private static readonly VERIFIED_CACHE_SIZE = 10_000;

  constructor(
    key: Uint8Array,
    readonly accessTtlSeconds: number,
    readonly sessions: SessionCheck,
  ) {
    this.key = createSecretKey(key);
  }

  /** `sessionVersion`: the account's current session version (users.session_version). */
  async issueAccessToken(principal: Principal, sessionVersion: number): Promise<string> {
    const claims: Record<string, unknown> = { role: principal.role, email: principal.email, sv: sessionVersion };
    if (principal.kind === 'patient') claims.patient = principal.patientId;
    if (principal.kind === 'staff' && principal.practitionerId) claims.practitioner = principal.practitionerId;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtlSeconds}s`)
      .sign(this.key);
  }

  /** Verifies signature, issuer, audience, expiry and session version; throws TokenError with a clear reason. */
  async verifyAccessToken(token: string): Promise<Principal> {
    return (await this.verifyAccess(token)).principal;
  }

  /** As `verifyAccessToken`, with the token's expiry and session version (sockets watch both). */
  async verifyAccess(token: string): Promise<VerifiedAccess> {
    let verified = this.verified.get(token);
    if (verified && Date.now() >= verified.expiresAtMs) {
      this.verified.delete(token);
      verified = undefined;
    }
    if (!verified) {
      verified = await this.verifyUncached(token);
      if (this.verified.size >= TokenService.VERIFIED_CACHE_SIZE) {
        // Maps iterate in insertion order: drop the oldest entry.
        this.verified.delete(this.verified.keys().next().value!);
      }
      this.verified.set(token, verified);
    }
    // Checked on every use, not cached: a revocation applies to tokens that already verified.
    if (!this.sessions.isCurrent(verified.principal.userId, verified.sessionVersion)) throw new TokenError(SESSION_ENDED_MESSAGE);
    return verified;
  }

  private async verifyUncached(token: string): Promise<VerifiedAccess> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new TokenError(TOKEN_EXPIRED_MESSAGE, true);
      throw new TokenError('The access token is invalid.');
    }
    const { sub, role, email, exp } = payload;
    if (typeof sub !== 'string' || typeof role !== 'string' || typeof email !== 'string' || typeof exp !== 'number') {
      throw new TokenError('The access token is invalid.');
    }
    const expiresAtMs = exp * 1000;
    // Tokens issued before session versions existed count as version 0, the column's default.
    const sessionVersion = payload.sv === undefined ? 0 : payload.sv;
    if (typeof sessionVersion !== 'number' || !Number.isSafeInteger(sessionVersion)) throw new TokenError('The access token is invalid.');
    if (role === 'patient') {
      if (typeof payload.patient !== 'string') throw new TokenError('The access token is invalid.');
      return { principal: { kind: 'patient', userId: sub, email, role: 'patient', patientId: payload.patient }, expiresAtMs, sessionVersion };
    }
    if (!isStaffRole(role)) throw new TokenError('The access token is invalid.');
    return {
      principal: {
        kind: 'staff',
        userId: sub,
        email,
        role,
        practitionerId: typeof payload.practitioner === 'string' ? payload.practitioner : null,
      },
      expiresAtMs,
      sessionVersion,
    };
  }
}
