/**
 * What the conversations domain publishes on the event bus. Payloads are contract views or ids.
 * Listeners: the conversations module's own socket emits and bot turns, routing glue (assignment),
 * supervision, surveys — see the list in `composition.ts`.
 */
import type { ConversationView, HandoffPacket, MessageView, ParticipantKind } from '../contracts/conversations.js';

/** Why a staff member left a conversation; the first four are told to the desk (`conversation:removed`). */
export type StaffRemovalCause = 'transferred' | 'reassigned' | 'force-closed' | 'requeued' | 'left' | 'handed-back';

declare module '../platform/events.js' {
  interface DomainEvents {
    /** A message was stored (any kind; staff-only kinds never reach patients). */
    'conversation.message': { conversationId: string; message: MessageView };
    /** A note or whisper names colleagues in the conversation (`@Display Name`): tell them. */
    'conversation.mention': { conversationId: string; message: MessageView; userIds: string[] };
    /** State, owner, participants or wrap-up changed. The staff view (patients get `forPatient` of it). */
    'conversation.updated': { conversation: ConversationView };
    /** The bot handed off: routing picks the conversation up from here. */
    'conversation.queued': { conversation: ConversationView; packet: HandoffPacket };
    'conversation.participant-joined': { conversationId: string; userId: string; kind: ParticipantKind };
    'conversation.typing': { conversationId: string; sender: { kind: ParticipantKind; id: string }; typing: boolean; staffOnly: boolean };
    'conversation.receipt': { conversationId: string; userId: string; kind: 'delivered' | 'read'; seq: number };
    /** A conversation became a staff member's without an offer (transfer, reassignment) or they were invited to consult. */
    'conversation.staff-assigned': { conversation: ConversationView; userId: string; byUserId: string; cause: 'transfer' | 'reassign' | 'consult'; note: string | null };
    /** A staff member is no longer in the conversation: their desks leave its room (and are told, unless they left themselves). */
    'conversation.staff-removed': { conversationId: string; userId: string; cause: StaffRemovalCause };
  }
}
