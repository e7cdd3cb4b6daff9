/**
 * Who acts in a conversation, from what they authenticated with: a signed-in user's access token
 * (patient or staff) or an anonymous chat visitor's token. Shared by the socket handshakes and the
 * REST routes of conversations (attachments, transcripts).
 */
import type { AppContext } from '../app.js';
import type { Principal } from '../platform/auth/principal.js';
import type { Actor } from './service.js';

/** The conversation actor a signed-in principal is. */
export function actorOf(principal: Principal): Extract<Actor, { kind: 'patient' | 'staff' }> {
  return principal.kind === 'patient'
    ? { kind: 'patient', userId: principal.userId, patientId: principal.patientId, displayName: null }
    : { kind: 'staff', userId: principal.userId, role: principal.role, displayName: null };
}

/** An access token, else a chat visitor token, as an actor; undefined when neither verifies. */
export function actorForToken(ctx: Pick<AppContext, 'tokens' | 'visitorTokens'>, token: string): Promise<Actor | undefined> {
  return ctx.tokens.verifyAccessToken(token).then(
    (principal) => actorOf(principal),
    () =>
      ctx.visitorTokens.verify(token).then(
        (visitor): Actor => ({ kind: 'visitor', userId: visitor.visitorId, displayName: visitor.displayName }),
        () => undefined,
      ),
  );
}
