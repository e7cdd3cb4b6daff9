/** Who may do what in a conversation: the rules every conversation command checks, in one place. */
import type { ConversationState, ParticipantKind } from '../contracts/conversations.js';
import { SUPERVISOR_ROLES } from '../contracts/supervision.js';
import type { Actor } from '../platform/auth/actor.js';
import { forbidden } from '../platform/errors.js';
import type { ConversationRow, ParticipantRow } from './repository.js';

export const STAFF_KINDS: ReadonlySet<ParticipantKind> = new Set(['agent', 'consultant', 'supervisor']);
export const PATIENT_KINDS: ReadonlySet<ParticipantKind> = new Set(['patient', 'visitor']);
/** States in which a person (agent) has the conversation and can transfer, consult or wrap it up. */
export const WITH_AN_AGENT: ReadonlySet<ConversationState> = new Set(['active', 'waiting']);

export const isSupervisor = (actor: Actor) => actor.kind === 'staff' && (SUPERVISOR_ROLES as readonly string[]).includes(actor.role);

/** The actor's participant kind in the conversation, or forbidden. */
export function membershipKind(participant: ParticipantRow | undefined, actor: Actor): ParticipantKind {
  const allowed = participant && participant.left_at === null && (actor.kind === 'staff' ? STAFF_KINDS : PATIENT_KINDS).has(participant.kind);
  if (!allowed) throw forbidden('You are not a participant in this conversation.');
  return participant.kind;
}

/** The conversation, acted on by its owning agent. */
export function requireOwner(actor: Actor, row: ConversationRow, what: string): void {
  if (actor.kind !== 'staff' || row.agent_id !== actor.userId) throw forbidden(`Only the conversation's agent can ${what}.`);
}

export function requireOwnerOrSupervisor(actor: Actor, row: ConversationRow): void {
  if (actor.kind !== 'staff' || (row.agent_id !== actor.userId && !isSupervisor(actor))) {
    throw forbidden("Only the conversation's agent or a supervisor can transfer it.");
  }
}

export function requireSupervisor(actor: Actor): void {
  if (!isSupervisor(actor)) throw forbidden('Only supervisors and admins can do this.');
}

/**
 * The colleagues a note names: `@` followed by a participant's display name (any case), not followed
 * by a letter or digit. The author is never notified of their own mention.
 */
export function mentionedUserIds(body: string, staff: readonly { userId: string; displayName: string }[], authorId: string): string[] {
  const text = body.toLocaleLowerCase();
  const found: string[] = [];
  for (const { userId, displayName } of staff) {
    if (userId === authorId || displayName.trim() === '') continue;
    const needle = `@${displayName.toLocaleLowerCase()}`;
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      const next = text.charAt(at + needle.length);
      if (!/[\p{L}\p{N}]/u.test(next)) {
        found.push(userId);
        break;
      }
    }
  }
  return found;
}
