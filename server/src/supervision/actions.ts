/**
 * What supervisors do to a conversation: monitor it silently (an audited read of the whole
 * transcript), whisper to its staff, join it as a participant, force-close it. Built on the
 * conversations API; every action is audited with the supervisor and the conversation.
 */
import { staffRecipient, type ConversationRow, type ConversationsApi } from '../conversations/index.js';
import type { RequestOrigin } from '../platform/audit/batch.js';
import type { MessageView } from '../contracts/conversations.js';
import type { Actor } from '../platform/auth/actor.js';
import { conflict } from '../platform/errors.js';
import type { PublishedEvent } from '../platform/events.js';

export class SupervisionActions {
  constructor(private readonly conversations: ConversationsApi) {}

  /**
   * Silent monitoring: the whole transcript, notes and whispers included, and the live messages
   * after it. A disclosure, once per supervisor and conversation (`audited` resolves when durable).
   */
  monitor(actor: Actor, conversationId: string, origin: RequestOrigin | null = null): { conversation: ConversationRow; messages: MessageView[]; audited: Promise<void> } {
    const { core } = this.conversations;
    const row = this.requireSupervisorOn(actor, conversationId);
    const audited = core.disclose(staffRecipient(actor), row, 'conversation.monitor', origin);
    return { conversation: row, messages: core.transcript(row.id, { includeNotes: true }), audited };
  }

  /** A supervisor's message to the staff in the conversation only (kind `whisper`); idempotent like any message. */
  whisper(actor: Actor, input: { conversationId: string; clientMessageId: string; body: string }): { message: MessageView; duplicate: boolean } {
    const { core } = this.conversations;
    const row = this.requireSupervisorOn(actor, input.conversationId);
    const existing = core.findSent(row.id, actor.userId, input.clientMessageId);
    if (existing) return { message: existing, duplicate: true };
    if (row.state === 'closed') throw conflict('The conversation is closed: no new messages.');
    const message = core.storeMessage(row.id, { senderKind: 'supervisor', senderId: actor.userId, kind: 'whisper', body: input.body, clientMessageId: input.clientMessageId });
    core.auditAction(actor, row, 'conversation.whisper', { seq: message.seq });
    core.publishAll([['conversation.message', { message, conversationId: row.id }]]);
    return { message, duplicate: false };
  }

  /**
   * The supervisor joins the chat as a participant; the patient reads that a supervisor joined. The
   * supervisor's desks get its live messages: a disclosure (`audited`), besides the action's own row.
   */
  joinAsSupervisor(actor: Actor, conversationId: string, origin: RequestOrigin | null = null): { conversation: ConversationRow; audited: Promise<void> } {
    const { core } = this.conversations;
    const row = this.requireSupervisorOn(actor, conversationId);
    if (!this.conversations.isOpenState(row.state)) throw conflict(`A conversation in state ${row.state} cannot be joined.`);
    if (core.isParticipant(row.id, actor.userId)) throw conflict('You are already in this conversation.');
    const { updated, message } = core.addParticipant(row.id, { userId: actor.userId, kind: 'supervisor', displayName: core.displayNameOf(actor.userId) ?? null }, 'A supervisor joined the chat.');
    core.auditAction(actor, updated, 'conversation.supervisor-join', {});
    const audited = core.disclose(staffRecipient(actor), updated, 'conversation.supervisor-join', origin);
    core.publishAll([
      ['conversation.participant-joined', { conversationId: row.id, userId: actor.userId, kind: 'supervisor' }],
      ['conversation.updated', { conversation: core.view(updated, 'staff') }],
      ['conversation.message', { message, conversationId: row.id }],
    ]);
    return { conversation: updated, audited };
  }

  /** A supervisor closes the conversation in any open state; its staff are told and leave. Routing frees the agent. */
  forceClose(actor: Actor, conversationId: string, reason: string): ConversationRow {
    const { core } = this.conversations;
    const row = this.requireSupervisorOn(actor, conversationId);
    if (row.state === 'closed') throw conflict('The conversation is already closed.');
    const staff = core.activeStaff(row.id).filter((p) => p.user_id !== actor.userId);
    let noteMessage: MessageView | null = null;
    const updated = core.transition(
      row,
      'closed',
      'A supervisor closed this chat.',
      (at) => {
        noteMessage = core.appendStaffNote(row.id, `Closed by ${core.nameOf(actor)}: ${reason}`, at);
        core.removeParticipants(row.id, staff.map((p) => p.user_id), at);
      },
      () => [
        ...(noteMessage ? [['conversation.message', { message: noteMessage, conversationId: row.id }] as PublishedEvent] : []),
        ...core.removedEvents(row.id, staff.map((p) => p.user_id), 'force-closed'),
      ],
    );
    core.auditAction(actor, updated, 'conversation.force-close', { reason });
    return updated;
  }

  private requireSupervisorOn(actor: Actor, conversationId: string): ConversationRow {
    this.conversations.requireSupervisor(actor);
    return this.conversations.core.require(conversationId);
  }
}
