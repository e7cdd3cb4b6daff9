/**
 * SQL for conversations. Hot paths (append a message, read membership, receipts) use prepared
 * statements on the raw connection, prepared once; the SQL is portable to PostgreSQL
 * (UPDATE … RETURNING, ON CONFLICT … DO UPDATE, CASE instead of MAX(a, b)).
 */
import type SQLite from 'better-sqlite3';
import type { ConversationMessageTable, ConversationParticipantTable, ConversationTable, ConversationWrapupTable } from '../platform/db/schema.js';
import type { ConversationChannel, ConversationState, HandoffPacket, MessageKind, ParticipantKind, PrechatAnswers } from '../contracts/conversations.js';

/** Rows as stored (platform/db/schema.ts), with the text columns narrowed to their contract types. */
export type ConversationRow = Omit<ConversationTable, 'channel' | 'state'> & { channel: ConversationChannel; state: ConversationState };

export type ParticipantRow = Omit<ConversationParticipantTable, 'kind'> & { kind: ParticipantKind };

export type MessageRow = Omit<ConversationMessageTable, 'kind'> & { kind: MessageKind };

export type WrapupRow = ConversationWrapupTable;

export interface NewMessage {
  id: string;
  conversationId: string;
  clientMessageId: string | null;
  senderKind: string;
  senderId: string;
  kind: MessageKind;
  body: string;
  createdAt: string;
  /** JSON of the `AttachmentView`, on `attachment` messages. */
  attachment?: string | null;
  /** JSON of the `ChatCard`, on `card` messages. */
  card?: string | null;
  /** JSON of the `BotContent`: a bot message's cards and choices, a patient's card inputs. */
  botContent?: string | null;
}

export class ConversationRepository {
  private readonly statements;

  constructor(private readonly sqlite: SQLite.Database) {
    const s = sqlite;
    this.statements = {
      insertConversation: s.prepare<[string, string, string | null, string | null, string, string, string, string | null]>(
        `INSERT INTO conversations (id, channel, patient_id, visitor_name, state, created_at, updated_at, prechat)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getConversation: s.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?'),
      setState: s.prepare<[string, string, string | null, string, string]>(
        'UPDATE conversations SET state = ?, updated_at = ?, closed_at = ? WHERE id = ? AND state = ?',
      ),
      setHandoff: s.prepare<[string, string, number, string, string, string]>(
        'UPDATE conversations SET queue = ?, skills = ?, priority = ?, handoff = ?, updated_at = ? WHERE id = ?',
      ),
      nextSeq: s.prepare<[string, string], { last_seq: number }>(
        'UPDATE conversations SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? RETURNING last_seq',
      ),
      insertMessage: s.prepare<[string, string, number, string | null, string, string, string, string, string, string | null, string | null, string | null]>(
        `INSERT INTO conversation_messages (id, conversation_id, seq, client_message_id, sender_kind, sender_id, kind, body, created_at, attachment, card, bot_content)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      findByClientId: s.prepare<[string, string, string], MessageRow>(
        'SELECT * FROM conversation_messages WHERE conversation_id = ? AND sender_id = ? AND client_message_id = ?',
      ),
      messagesAfter: s.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM conversation_messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      messagesAfterExcludingStaffOnly: s.prepare<[string, number, number], MessageRow>(
        "SELECT * FROM conversation_messages WHERE conversation_id = ? AND seq > ? AND kind NOT IN ('note', 'whisper') ORDER BY seq LIMIT ?",
      ),
      upsertParticipant: s.prepare<[string, string, string, string | null, number, string]>(
        `INSERT INTO conversation_participants (conversation_id, user_id, kind, display_name, muted, joined_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET kind = excluded.kind, left_at = NULL`,
      ),
      getParticipant: s.prepare<[string, string], ParticipantRow>(
        'SELECT * FROM conversation_participants WHERE conversation_id = ? AND user_id = ?',
      ),
      participants: s.prepare<[string], ParticipantRow>(
        'SELECT * FROM conversation_participants WHERE conversation_id = ? ORDER BY joined_at, user_id',
      ),
      setMutedByKind: s.prepare<[number, string, string]>(
        'UPDATE conversation_participants SET muted = ? WHERE conversation_id = ? AND kind = ?',
      ),
      openConversationsOf: s.prepare<[string], { conversation_id: string }>(
        `SELECT p.conversation_id FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
         WHERE p.user_id = ? AND p.left_at IS NULL AND c.state <> 'closed'`,
      ),
      upsertReceipt: s.prepare<[string, string, number, number, string]>(
        `INSERT INTO conversation_receipts (conversation_id, user_id, delivered_seq, read_seq, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET
           delivered_seq = CASE WHEN excluded.delivered_seq > conversation_receipts.delivered_seq
                                THEN excluded.delivered_seq ELSE conversation_receipts.delivered_seq END,
           read_seq = CASE WHEN excluded.read_seq > conversation_receipts.read_seq
                           THEN excluded.read_seq ELSE conversation_receipts.read_seq END,
           updated_at = excluded.updated_at`,
      ),
      receipts: s.prepare<[string], { user_id: string; delivered_seq: number; read_seq: number }>(
        'SELECT user_id, delivered_seq, read_seq FROM conversation_receipts WHERE conversation_id = ?',
      ),
      setOwner: s.prepare<[string | null, string | null, string, string]>(
        'UPDATE conversations SET agent_id = ?, assignment_reason = ?, updated_at = ? WHERE id = ?',
      ),
      setQueue: s.prepare<[string, string, string, string, string]>(
        'UPDATE conversations SET queue = ?, skills = ?, queued_at = ?, updated_at = ? WHERE id = ?',
      ),
      markQueuedAt: s.prepare<[string, string]>('UPDATE conversations SET queued_at = ? WHERE id = ?'),
      touch: s.prepare<[string, string]>('UPDATE conversations SET updated_at = ? WHERE id = ?'),
      leave: s.prepare<[string, string, string]>(
        'UPDATE conversation_participants SET left_at = ? WHERE conversation_id = ? AND user_id = ? AND left_at IS NULL',
      ),
      insertWrapup: s.prepare<[string, string | null, string | null, string, string]>(
        `INSERT INTO conversation_wrapups (conversation_id, disposition, notes, by_user_id, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET disposition = excluded.disposition, notes = excluded.notes,
           by_user_id = excluded.by_user_id, at = excluded.at`,
      ),
      wrapup: s.prepare<[string], WrapupRow>('SELECT * FROM conversation_wrapups WHERE conversation_id = ?'),
      staffInbox: s.prepare<[string], ConversationRow>(
        `SELECT c.* FROM conversations c JOIN conversation_participants p ON p.conversation_id = c.id
         WHERE p.user_id = ? AND p.left_at IS NULL AND p.kind IN ('agent', 'consultant', 'supervisor') AND c.state <> 'closed'
         ORDER BY c.created_at, c.id`,
      ),
      notClosed: s.prepare<[], ConversationRow>("SELECT * FROM conversations WHERE state <> 'closed' ORDER BY created_at, id"),
      participantsNotClosed: s.prepare<[], ParticipantRow>(
        `SELECT p.* FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
         WHERE c.state <> 'closed' AND p.left_at IS NULL ORDER BY p.conversation_id, p.joined_at, p.user_id`,
      ),
      waiting: s.prepare<[], ConversationRow>("SELECT * FROM conversations WHERE state IN ('queued', 'offered') ORDER BY COALESCE(queued_at, updated_at), id"),
      owned: s.prepare<[], ConversationRow>("SELECT * FROM conversations WHERE state IN ('active', 'waiting', 'wrapup') AND agent_id IS NOT NULL ORDER BY updated_at, id"),
    };
  }

  get connection(): SQLite.Database {
    return this.sqlite;
  }

  insertConversation(row: {
    id: string;
    channel: ConversationChannel;
    patientId: string | null;
    visitorName: string | null;
    state: ConversationState;
    at: string;
    prechat?: PrechatAnswers | undefined;
  }): void {
    const prechat = row.prechat && Object.keys(row.prechat).length > 0 ? JSON.stringify(row.prechat) : null;
    this.statements.insertConversation.run(row.id, row.channel, row.patientId, row.visitorName, row.state, row.at, row.at, prechat);
  }

  get(id: string): ConversationRow | undefined {
    return this.statements.getConversation.get(id);
  }

  /** Compare-and-set on the state, so two racing transitions cannot both win. */
  setState(id: string, from: ConversationState, to: ConversationState, at: string): boolean {
    return this.statements.setState.run(to, at, to === 'closed' ? at : null, id, from).changes === 1;
  }

  setHandoff(id: string, queue: string, skills: readonly string[], priority: number, packet: HandoffPacket, at: string): void {
    this.statements.setHandoff.run(queue, JSON.stringify(skills), priority, JSON.stringify(packet), at, id);
  }

  /** Assigns the next seq and stores the message; call inside a transaction. */
  appendMessage(message: NewMessage): MessageRow {
    const { last_seq: seq } = this.statements.nextSeq.get(message.createdAt, message.conversationId)!;
    this.statements.insertMessage.run(
      message.id,
      message.conversationId,
      seq,
      message.clientMessageId,
      message.senderKind,
      message.senderId,
      message.kind,
      message.body,
      message.createdAt,
      message.attachment ?? null,
      message.card ?? null,
      message.botContent ?? null,
    );
    return {
      id: message.id,
      conversation_id: message.conversationId,
      seq,
      client_message_id: message.clientMessageId,
      sender_kind: message.senderKind,
      sender_id: message.senderId,
      kind: message.kind,
      body: message.body,
      created_at: message.createdAt,
      attachment: message.attachment ?? null,
      card: message.card ?? null,
      bot_content: message.botContent ?? null,
    };
  }

  findByClientMessageId(conversationId: string, senderId: string, clientMessageId: string): MessageRow | undefined {
    return this.statements.findByClientId.get(conversationId, senderId, clientMessageId);
  }

  /** `includeNotes: false` (patients) leaves out the staff-only kinds: notes and whispers. */
  messagesAfter(conversationId: string, afterSeq: number, limit: number, options: { includeNotes: boolean }): MessageRow[] {
    return options.includeNotes
      ? this.statements.messagesAfter.all(conversationId, afterSeq, limit)
      : this.statements.messagesAfterExcludingStaffOnly.all(conversationId, afterSeq, limit);
  }

  addParticipant(p: { conversationId: string; userId: string; kind: ParticipantKind; displayName: string | null; muted?: boolean; at: string }): void {
    this.statements.upsertParticipant.run(p.conversationId, p.userId, p.kind, p.displayName, p.muted ? 1 : 0, p.at);
  }

  participant(conversationId: string, userId: string): ParticipantRow | undefined {
    return this.statements.getParticipant.get(conversationId, userId);
  }

  participants(conversationId: string): ParticipantRow[] {
    return this.statements.participants.all(conversationId);
  }

  setMuted(conversationId: string, kind: ParticipantKind, muted: boolean): void {
    this.statements.setMutedByKind.run(muted ? 1 : 0, conversationId, kind);
  }

  openConversationIdsOf(userId: string): string[] {
    return this.statements.openConversationsOf.all(userId).map((r) => r.conversation_id);
  }

  recordReceipt(conversationId: string, userId: string, kind: 'delivered' | 'read', seq: number, at: string): void {
    // Read implies delivered.
    this.statements.upsertReceipt.run(conversationId, userId, seq, kind === 'read' ? seq : 0, at);
  }

  receipts(conversationId: string): { user_id: string; delivered_seq: number; read_seq: number }[] {
    return this.statements.receipts.all(conversationId);
  }

  /** Who owns the conversation now, and routing's reason (JSON) when routing chose them. */
  setOwner(id: string, agentId: string | null, reason: string | null, at: string): void {
    this.statements.setOwner.run(agentId, reason, at, id);
  }

  /** Back in line in another (or the same) queue, waiting since `at`. */
  setQueue(id: string, queue: string, skills: readonly string[], at: string): void {
    this.statements.setQueue.run(queue, JSON.stringify(skills), at, at, id);
  }

  touch(id: string, at: string): void {
    this.statements.touch.run(at, id);
  }

  markQueuedAt(id: string, at: string): void {
    this.statements.markQueuedAt.run(at, id);
  }

  leave(conversationId: string, userId: string, at: string): boolean {
    return this.statements.leave.run(at, conversationId, userId).changes === 1;
  }

  saveWrapup(w: { conversationId: string; disposition: string | null; notes: string | null; byUserId: string; at: string }): void {
    this.statements.insertWrapup.run(w.conversationId, w.disposition, w.notes, w.byUserId, w.at);
  }

  wrapup(conversationId: string): WrapupRow | undefined {
    return this.statements.wrapup.get(conversationId);
  }

  /** Open conversations a staff member takes part in (agent, consultant or joined supervisor). */
  staffInbox(userId: string): ConversationRow[] {
    return this.statements.staffInbox.all(userId);
  }

  notClosed(): ConversationRow[] {
    return this.statements.notClosed.all();
  }

  /** The current participants of every conversation not closed, in one query. */
  participantsNotClosed(): ParticipantRow[] {
    return this.statements.participantsNotClosed.all();
  }

  /** Conversations waiting for a person, longest-waiting first. */
  waiting(): ConversationRow[] {
    return this.statements.waiting.all();
  }

  /** Conversations an agent still has (active, waiting or in wrap-up). */
  owned(): ConversationRow[] {
    return this.statements.owned.all();
  }
}
