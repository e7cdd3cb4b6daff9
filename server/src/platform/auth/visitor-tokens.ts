/**
 * Anonymous chat visitors (the widget on a clinic website) get a short-lived JWT of their own:
 * role `visitor`, a random visitor id as subject, the display name they typed. It is signed with a
 * key derived from the server's signing key (HKDF, own label) and a separate audience, so a visitor
 * token can never pass as an access token, nor the other way round.
 */
import { createSecretKey, hkdfSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, jwtVerify } from 'jose';

const ISSUER = 'carebridge';
const AUDIENCE = 'carebridge-chat-visitor';

/**
 * Whether a token claims to be a visitor token (its unverified `aud`), so the caller tries the right
 * key first. Says nothing of its validity: `verify` still checks everything.
 */
export function claimsVisitorAudience(token: string): boolean {
  try {
    return decodeJwt(token).aud === AUDIENCE;
  } catch {
    return false;
  }
}

export interface Visitor {
  visitorId: string;
  displayName: string;
}

export class VisitorTokens {
  private readonly key: KeyObject;
  /** Tokens whose signature and claims were checked, until they expire (a chat polls with one token). */
  private readonly verified = new Map<string, Visitor & { expiresAtMs: number }>();
  private static readonly VERIFIED_CACHE_SIZE = 10_000;

  constructor(
    signingKey: Uint8Array,
    readonly ttlSeconds = 2 * 60 * 60,
  ) {
    this.key = createSecretKey(Buffer.from(hkdfSync('sha256', signingKey, Buffer.alloc(0), 'carebridge chat visitor token', 32)));
  }

  async issue(displayName: string): Promise<{ token: string; visitorId: string }> {
    const visitorId = `visitor-${randomUUID()}`;
    const token = await new SignJWT({ role: 'visitor', name: displayName })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(visitorId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
    return { token, visitorId };
  }

  /** A token this process already verified, while it is unexpired (no signature to compute). */
  known(token: string): (Visitor & { expiresAtMs: number }) | undefined {
    const cached = this.verified.get(token);
    return cached && Date.now() < cached.expiresAtMs ? cached : undefined;
  }

  /** Throws if the token is not a valid, unexpired visitor token. */
  async verify(token: string): Promise<Visitor & { expiresAtMs: number }> {
    const cached = this.verified.get(token);
    if (cached && Date.now() < cached.expiresAtMs) return cached;
    if (cached) this.verified.delete(token);
    const visitor = await this.verifyUncached(token);
    // Maps iterate in insertion order: beyond the bound, drop the oldest entry.
    if (this.verified.size >= VisitorTokens.VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, visitor);
    return visitor;
  }

  private async verifyUncached(token: string): Promise<Visitor & { expiresAtMs: number }> {
    const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (payload.role !== 'visitor' || typeof payload.sub !== 'string' || typeof payload.name !== 'string' || typeof payload.exp !== 'number') {
      throw new Error('not a visitor token');
    }
    return { visitorId: payload.sub, displayName: payload.name, expiresAtMs: payload.exp * 1000 };
  }
}
