/**
 * Who acts, from what they authenticated with: a signed-in user's access token (patient or staff)
 * or an anonymous chat visitor's token. Shared by the socket handshake and the REST routes that
 * visitors may call (chat files and transcripts).
 */
import type { Principal, StaffRole } from './principal.js';
import type { SessionCheck } from './sessions.js';
import type { TokenService } from './tokens.js';
import { claimsVisitorAudience, type VisitorTokens } from './visitor-tokens.js';

/** A signed-in patient, an anonymous visitor, or a staff member. */
export type Actor =
  | { kind: 'patient'; userId: string; patientId: string; displayName: string | null }
  | { kind: 'visitor'; userId: string; displayName: string }
  | { kind: 'staff'; userId: string; role: StaffRole | string; displayName: string | null };

export type ActorKind = Actor['kind'];

/** The actor a signed-in principal is. */
export function actorOf(principal: Principal): Extract<Actor, { kind: 'patient' | 'staff' }> {
  return principal.kind === 'patient'
    ? { kind: 'patient', userId: principal.userId, patientId: principal.patientId, displayName: null }
    : { kind: 'staff', userId: principal.userId, role: principal.role, displayName: null };
}

/**
 * An actor with the life of the credential it showed: a live socket is ended when the credential
 * expires, and refuses events as soon as `isCurrent` says the account's sessions were revoked.
 */
export interface ActorSession {
  actor: Actor;
  expiresAtMs: number;
  isCurrent(): boolean;
}

export interface ActorResolver {
  /** An access token, else a chat visitor token, as an actor; undefined when neither verifies. */
  actorForToken(token: string): Promise<Actor | undefined>;
  /** The same, with the credential's expiry and revocation check (the socket handshake). */
  sessionForToken(token: string): Promise<ActorSession | undefined>;
}

type AccessVerifier = Pick<TokenService, 'verifyAccess'> & { sessions: SessionCheck };

/** A signed-in user's socket session: good until the token expires or the account's sessions are revoked. */
export function accessSession(tokens: AccessVerifier, token: string): Promise<ActorSession> {
  return tokens.verifyAccess(token).then(({ principal, expiresAtMs, sessionVersion }) => ({
    actor: actorOf(principal),
    expiresAtMs,
    isCurrent: () => tokens.sessions.isCurrent(principal.userId, sessionVersion),
  }));
}

export function createActorResolver(tokens: AccessVerifier, visitorTokens: Pick<VisitorTokens, 'verify' | 'known'>): ActorResolver {
  const visitorSession = (token: string): Promise<ActorSession | undefined> =>
    visitorTokens.verify(token).then(
      (visitor): ActorSession => ({
        actor: { kind: 'visitor', userId: visitor.visitorId, displayName: visitor.displayName },
        expiresAtMs: visitor.expiresAtMs,
        // A visitor has no account to revoke; the token's expiry is its end.
        isCurrent: () => true,
      }),
      () => undefined,
    );
  // A token that names the visitors' audience is checked with their key only (the access key would
  // refuse it anyway, after computing a signature); any other is an access token, else nothing.
  const sessionForToken = (token: string): Promise<ActorSession | undefined> =>
    visitorTokens.known(token) || claimsVisitorAudience(token)
      ? visitorSession(token)
      : accessSession(tokens, token).then(
          (session) => session,
          () => visitorSession(token),
        );
  return {
    actorForToken: (token) => sessionForToken(token).then((session) => session?.actor),
    sessionForToken,
  };
}
