/**
 * Anonymous chat visitors (the widget on a clinic website) get a short-lived JWT of their own:
 * role `visitor`, a random visitor id as subject, the display name they typed. It is signed with a
 * key derived from the server's signing key (HKDF, own label) and a separate audience, so a visitor
 * token can never pass as an access token, nor the other way round.
 */
import { createSecretKey, hkdfSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'carebridge';
const AUDIENCE = 'carebridge-chat-visitor';

export interface Visitor {
  visitorId: string;
  displayName: string;
}

export class VisitorTokens {
  private readonly key: KeyObject;

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

  /** Throws if the token is not a valid, unexpired visitor token. */
  async verify(token: string): Promise<Visitor & { expiresAtMs: number }> {
    const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (payload.role !== 'visitor' || typeof payload.sub !== 'string' || typeof payload.name !== 'string' || typeof payload.exp !== 'number') {
      throw new Error('not a visitor token');
    }
    return { visitorId: payload.sub, displayName: payload.name, expiresAtMs: payload.exp * 1000 };
  }
}
