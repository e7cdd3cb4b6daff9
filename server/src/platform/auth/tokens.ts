/**
 * Short-lived access tokens (JWT, HS256 via jose). The signing key comes from JWT_SECRET, or, when
 * that is unset, from a random key kept in the database's meta table so tokens survive restarts
 * without a secret ever landing in the repository or logs.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { isStaffRole, type Principal } from './principal.js';

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
  private readonly verified = new Map<string, { principal: Principal; expiresAtMs: number }>();
  private static readonly VERIFIED_CACHE_SIZE = 10_000;

  constructor(
    key: Uint8Array,
    readonly accessTtlSeconds: number,
  ) {
    this.key = createSecretKey(key);
  }

  async issueAccessToken(principal: Principal): Promise<string> {
    const claims: Record<string, unknown> = { role: principal.role, email: principal.email };
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

  /** Verifies signature, issuer, audience and expiry; throws TokenError with a clear reason. */
  async verifyAccessToken(token: string): Promise<Principal> {
    const cached = this.verified.get(token);
    if (cached) {
      if (Date.now() < cached.expiresAtMs) return cached.principal;
      this.verified.delete(token);
    }
    const { principal, expiresAtMs } = await this.verifyUncached(token);
    if (this.verified.size >= TokenService.VERIFIED_CACHE_SIZE) {
      // Maps iterate in insertion order: drop the oldest entry.
      this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(token, { principal, expiresAtMs });
    return principal;
  }

  private async verifyUncached(token: string): Promise<{ principal: Principal; expiresAtMs: number }> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new TokenError('The access token has expired: refresh it or sign in again.', true);
      throw new TokenError('The access token is invalid.');
    }
    const { sub, role, email, exp } = payload;
    if (typeof sub !== 'string' || typeof role !== 'string' || typeof email !== 'string' || typeof exp !== 'number') {
      throw new TokenError('The access token is invalid.');
    }
    const expiresAtMs = exp * 1000;
    if (role === 'patient') {
      if (typeof payload.patient !== 'string') throw new TokenError('The access token is invalid.');
      return { principal: { kind: 'patient', userId: sub, email, role: 'patient', patientId: payload.patient }, expiresAtMs };
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
    };
  }
}
