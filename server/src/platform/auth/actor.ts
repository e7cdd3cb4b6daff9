/**
 * Who acts, from what they authenticated with: a signed-in user's access token (patient or staff)
 * or an anonymous chat visitor's token. Shared by the socket handshake and the REST routes that
 * visitors may call (chat files and transcripts).
 */
import type { Principal, StaffRole } from './principal.js';
import type { TokenService } from './tokens.js';
import type { VisitorTokens } from './visitor-tokens.js';

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

export interface ActorResolver {
  /** An access token, else a chat visitor token, as an actor; undefined when neither verifies. */
  actorForToken(token: string): Promise<Actor | undefined>;
}

export function createActorResolver(tokens: Pick<TokenService, 'verifyAccessToken'>, visitorTokens: Pick<VisitorTokens, 'verify'>): ActorResolver {
  return {
    actorForToken: (token) =>
      tokens.verifyAccessToken(token).then(
        (principal) => actorOf(principal),
        () =>
          visitorTokens.verify(token).then(
            (visitor): Actor => ({ kind: 'visitor', userId: visitor.visitorId, displayName: visitor.displayName }),
            () => undefined,
          ),
      ),
  };
}
