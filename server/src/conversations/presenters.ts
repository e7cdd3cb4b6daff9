/** Rows of the conversations tables as the API shapes clients and other domains see. */
import type { AttachmentView, BotContent, ChatCard, ConversationView, HandoffPacket, MessageView, ParticipantView, WrapupView } from '../contracts/conversations.js';
import type { ConversationRow, MessageRow, ParticipantRow, WrapupRow } from './repository.js';

export const toParticipantView = (p: ParticipantRow): ParticipantView => ({ userId: p.user_id, kind: p.kind, displayName: p.display_name, joinedAt: p.joined_at });

export function toMessageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    clientMessageId: row.client_message_id,
    sender: { kind: row.sender_kind as MessageView['sender']['kind'], id: row.sender_id },
    kind: row.kind,
    body: row.body,
    createdAt: row.created_at,
    ...(row.attachment ? { attachment: JSON.parse(row.attachment) as AttachmentView } : {}),
    ...(row.card ? { card: JSON.parse(row.card) as ChatCard } : {}),
    ...(row.bot_content ? { bot: JSON.parse(row.bot_content) as BotContent } : {}),
  };
}

/** Staff see the handoff packet and the agent; patients and visitors do not. */
export function toConversationView(row: ConversationRow, audience: 'staff' | 'patient'): ConversationView {
  return {
    id: row.id,
    channel: row.channel,
    state: row.state,
    patientId: row.patient_id,
    visitorName: row.visitor_name,
    queue: row.queue,
    priority: row.priority,
    skills: JSON.parse(row.skills) as string[],
    ...(audience === 'staff' ? { handoff: row.handoff ? (JSON.parse(row.handoff) as HandoffPacket) : null } : {}),
    lastSeq: row.last_seq,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    ...(audience === 'staff' ? { agentId: row.agent_id } : {}),
  };
}

/** The whole staff view: participants who have not left, and the wrap-up once recorded. */
export function toStaffView(row: ConversationRow, participants: readonly ParticipantRow[], wrapup: WrapupRow | undefined): ConversationView {
  return {
    ...toConversationView(row, 'staff'),
    participants: participants.filter((p) => p.left_at === null).map(toParticipantView),
    wrapup: wrapup ? ({ disposition: wrapup.disposition, notes: wrapup.notes, byUserId: wrapup.by_user_id, at: wrapup.at } satisfies WrapupView) : null,
  };
}

/** What a patient or visitor may see of a staff view: no hand-off packet, agent id, participants or wrap-up. */
export function forPatient(view: ConversationView): ConversationView {
  const { handoff: _handoff, agentId: _agentId, participants: _participants, wrapup: _wrapup, ...visible } = view;
  return visible;
}
