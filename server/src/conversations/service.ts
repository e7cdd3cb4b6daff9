/**
 * The conversation service: starts conversations (owned by the bot), persists messages (one
 * synchronous transaction per message assigns the next seq; a resend with the same client message
 * id returns the original), resyncs, receipts, bot turns and handoff, agent assignment and hand-back.
 *
 * It never touches sockets: it emits service events (`message`, `conversation.updated`,
 * `conversation.queued`, `participant.joined`, `typing`, `receipt`) that the realtime layer turns into
 * socket emits, and that routing consumes (`conversation.queued`).
 */
import { randomUUID } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import {
  SYNC_PAGE_SIZE,
  type ConversationChannel,
  type ConversationErrorCode,
  type ConversationState,
  type ConversationView,
  type HandoffPacket,
  type MessageKind,
  type MessageView,
  type ParticipantKind,
} from '../contracts/conversations.js';
import { DEFAULT_PRIORITY } from '../contracts/routing.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Logger } from '../platform/logging.js';
import { inTransaction } from '../platform/db/index.js';
import { ConversationRepository, type ConversationRow, type MessageRow } from './repository.js';
import { canTransition, isOpen } from './model.js';
import { queueFor, type BotContext, type BotParticipant, type BotTurn, type HandoffRequest } from './bot.js';

/** Who acts in a conversation: a signed-in patient, an anonymous visitor, or a staff member. */
export type Actor =
  | { kind: 'patient'; userId: string; patientId: string; displayName: string | null }
  | { kind: 'visitor'; userId: string; displayName: string }
  | { kind: 'staff'; userId: string; role: string; displayName: string | null };

/** A refusal the caller can show: becomes an error acknowledgement (or an HTTP error). */
export class ConversationFailure extends Error {
  constructor(
    readonly code: ConversationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConversationFailure';
  }
}

export interface ConversationEvents {
  message: { message: MessageView; conversationId: string };
  'conversation.updated': { conversation: ConversationRow };
  /** The bot handed off: routing picks the conversation up from here. */
  'conversation.queued': { conversation: ConversationView; packet: HandoffPacket };
  'participant.joined': { conversationId: string; userId: string; kind: ParticipantKind };
  typing: { conversationId: string; sender: { kind: ParticipantKind; id: string }; typing: boolean; staffOnly: boolean };
  receipt: { conversationId: string; userId: string; kind: 'delivered' | 'read'; seq: number };
}
type Listener<E extends keyof ConversationEvents> = (event: ConversationEvents[E]) => void;

const STAFF_KINDS: ReadonlySet<ParticipantKind> = new Set(['agent', 'consultant', 'supervisor']);
const PATIENT_KINDS: ReadonlySet<ParticipantKind> = new Set(['patient', 'visitor']);

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
  };
}

/** Staff see the handoff packet; patients and visitors do not. */
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
  };
}

export interface ConversationServiceDeps {
  sqlite: SQLite.Database;
  audit: AuditLog;
  logger: Logger;
  bot: BotParticipant;
  now?: () => Date;
}

export class ConversationService {
  private readonly repo: ConversationRepository;
  private readonly listeners = new Map<keyof ConversationEvents, Set<Listener<never>>>();
  private readonly now: () => Date;
  /** Bot turns of one conversation run one after another, in message order. */
  private readonly botQueues = new Map<string, Promise<void>>();

  constructor(private readonly deps: ConversationServiceDeps) {
    this.repo = new ConversationRepository(deps.sqlite);
    this.now = deps.now ?? (() => new Date());
  }

  on<E extends keyof ConversationEvents>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  private emit<E extends keyof ConversationEvents>(event: E, payload: ConversationEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch (err) {
        this.deps.logger.error({ err, event }, 'conversation event listener failed');
      }
    }
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  get(conversationId: string): ConversationRow | undefined {
    return this.repo.get(conversationId);
  }

  /** The conversation, or not_found. */
  private require(conversationId: string): ConversationRow {
    const row = this.repo.get(conversationId);
    if (!row) throw new ConversationFailure('not_found', `Conversation ${conversationId} not found.`);
    return row;
  }

  /** The actor's participant kind in the conversation, or forbidden. */
  private membership(row: ConversationRow, actor: Actor): ParticipantKind {
    const participant = this.repo.participant(row.id, actor.userId);
    const allowed = participant && participant.left_at === null && (actor.kind === 'staff' ? STAFF_KINDS : PATIENT_KINDS).has(participant.kind);
    if (!allowed) throw new ConversationFailure('forbidden', 'You are not a participant in this conversation.');
    return participant.kind;
  }

  /** Open conversation ids the user takes part in (a reconnecting socket rejoins their rooms). */
  openConversationIdsOf(userId: string): string[] {
    return this.repo.openConversationIdsOf(userId);
  }

  // --- patient side ---

  async startConversation(actor: Actor, channel: ConversationChannel = 'portal'): Promise<{ conversation: ConversationRow; messages: MessageView[] }> {
    if (actor.kind === 'staff') throw new ConversationFailure('forbidden', 'Only patients and visitors start a chat.');
    const id = randomUUID();
    const at = this.stamp();
    inTransaction(this.deps.sqlite, () => {
      this.repo.insertConversation({
        id,
        channel,
        patientId: actor.kind === 'patient' ? actor.patientId : null,
        visitorName: actor.kind === 'visitor' ? actor.displayName : null,
        state: 'bot',
        at,
      });
      this.repo.addParticipant({ conversationId: id, userId: actor.userId, kind: actor.kind, displayName: actor.displayName, at });
      this.repo.addParticipant({ conversationId: id, userId: this.deps.bot.id, kind: 'bot', displayName: this.deps.bot.displayName, at });
    });
    const turn = await this.deps.bot.onConversationStart(this.botContext(this.repo.get(id)!, actor.displayName));
    const messages = this.applyBotTurn(id, turn);
    return { conversation: this.repo.get(id)!, messages };
  }

  /**
   * Persists a message and returns it; resending the same client message id returns the stored
   * one (`duplicate: true`) without storing or delivering it again. Emits `message` for delivery.
   */
  sendMessage(actor: Actor, input: { conversationId: string; clientMessageId: string; body: string; kind?: 'text' | 'note' }): { message: MessageView; duplicate: boolean } {
    const row = this.require(input.conversationId);
    const kind = this.membership(row, actor);
    const messageKind: MessageKind = input.kind ?? 'text';
    if (messageKind === 'note' && !STAFF_KINDS.has(kind)) throw new ConversationFailure('forbidden', 'Only staff write internal notes.');
    if (kind === 'consultant' && messageKind !== 'note') {
      throw new ConversationFailure('forbidden', 'A consultant writes internal notes only until added to the conversation.');
    }
    const existing = this.repo.findByClientMessageId(row.id, actor.userId, input.clientMessageId);
    if (existing) return { message: toMessageView(existing), duplicate: true };
    if (row.state === 'closed' || (messageKind === 'text' && !isOpen(row.state))) {
      throw new ConversationFailure('conflict', `The conversation is ${row.state === 'closed' ? 'closed' : 'in wrap-up'}: no new messages.`);
    }
    const stored = inTransaction(this.deps.sqlite, () =>
      this.repo.appendMessage({
        id: randomUUID(),
        conversationId: row.id,
        clientMessageId: input.clientMessageId,
        senderKind: kind,
        senderId: actor.userId,
        kind: messageKind,
        body: input.body,
        createdAt: this.stamp(),
      }),
    );
    const message = toMessageView(stored);
    this.emit('message', { message, conversationId: row.id });
    if (PATIENT_KINDS.has(kind) && row.state === 'bot') this.scheduleBotTurn(row.id, message);
    return { message, duplicate: false };
  }

  /** Messages after `afterSeq` (notes only for staff), up to a page; audits staff reads of a patient's chat. */
  sync(actor: Actor, conversationId: string, afterSeq: number): { conversation: ConversationRow; messages: MessageView[]; hasMore: boolean } {
    const row = this.require(conversationId);
    this.membership(row, actor);
    if (actor.kind === 'staff') this.auditRead(actor, row, 'conversation.sync');
    const rows = this.repo.messagesAfter(row.id, afterSeq, SYNC_PAGE_SIZE + 1, { includeNotes: actor.kind === 'staff' });
    const hasMore = rows.length > SYNC_PAGE_SIZE;
    return { conversation: row, messages: rows.slice(0, SYNC_PAGE_SIZE).map(toMessageView), hasMore };
  }

  typing(actor: Actor, conversationId: string, typing: boolean): void {
    const row = this.require(conversationId);
    const kind = this.membership(row, actor);
    this.emit('typing', { conversationId, sender: { kind, id: actor.userId }, typing, staffOnly: kind === 'consultant' || kind === 'supervisor' });
  }

  receipt(actor: Actor, conversationId: string, kind: 'delivered' | 'read', seq: number): void {
    const row = this.require(conversationId);
    this.membership(row, actor);
    if (seq > row.last_seq) throw new ConversationFailure('bad_payload', `There is no message ${seq} yet (last is ${row.last_seq}).`);
    this.repo.recordReceipt(row.id, actor.userId, kind, seq, this.stamp());
    this.emit('receipt', { conversationId, userId: actor.userId, kind, seq });
  }

  receipts(conversationId: string): { userId: string; deliveredSeq: number; readSeq: number }[] {
    return this.repo.receipts(conversationId).map((r) => ({ userId: r.user_id, deliveredSeq: r.delivered_seq, readSeq: r.read_seq }));
  }

  endConversation(actor: Actor, conversationId: string): ConversationRow {
    const row = this.require(conversationId);
    this.membership(row, actor);
    if (row.state === 'closed') return row;
    const who = actor.kind === 'staff' ? 'The agent' : 'The patient';
    return this.transition(row, 'closed', `${who} ended the chat.`);
  }

  // --- staff side ---

  /** A staff participant opens the conversation in the desk: audited PHI read for a patient's chat. */
  joinRoom(actor: Actor, conversationId: string): ConversationRow {
    const row = this.require(conversationId);
    this.membership(row, actor);
    this.auditRead(actor, row, 'conversation.join');
    return row;
  }

  /**
   * Routing calls this once an agent accepts: the agent joins, the conversation becomes active,
   * the bot is muted, and a system message says so.
   */
  assignAgent(conversationId: string, agentUserId: string, agentDisplayName: string | null = null): ConversationRow {
    const row = this.require(conversationId);
    if (!canTransition(row.state, 'active')) {
      throw new ConversationFailure('conflict', `A conversation in state ${row.state} cannot be assigned.`);
    }
    const at = this.stamp();
    const { updated, message } = inTransaction(this.deps.sqlite, () => {
      if (!this.repo.setState(row.id, row.state, 'active', at)) throw new ConversationFailure('conflict', 'The conversation changed meanwhile.');
      this.repo.addParticipant({ conversationId: row.id, userId: agentUserId, kind: 'agent', displayName: agentDisplayName, at });
      this.repo.setMuted(row.id, 'bot', true);
      const stored = this.appendSystem(row.id, `${agentDisplayName ?? 'An agent'} joined the chat.`, at);
      return { updated: this.repo.get(row.id)!, message: stored };
    });
    this.emit('participant.joined', { conversationId: row.id, userId: agentUserId, kind: 'agent' });
    this.emit('conversation.updated', { conversation: updated });
    this.emit('message', { message, conversationId: row.id });
    return updated;
  }

  /** The agent gives the conversation back to the bot: the bot is un-muted and owns it again. */
  handBackToBot(conversationId: string, byUserId: string): ConversationRow {
    const row = this.require(conversationId);
    const participant = this.repo.participant(row.id, byUserId);
    if (!participant || participant.kind !== 'agent') throw new ConversationFailure('forbidden', 'Only the assigned agent can hand the chat back.');
    if (!canTransition(row.state, 'bot')) throw new ConversationFailure('conflict', `A conversation in state ${row.state} cannot go back to the bot.`);
    this.repo.setMuted(row.id, 'bot', false);
    return this.transition(row, 'bot', 'The chat is back with the Carebridge assistant.');
  }

  isBotMuted(conversationId: string): boolean {
    const bot = this.repo.participants(conversationId).find((p) => p.kind === 'bot');
    return !bot || bot.muted === 1;
  }

  /**
   * Stores the handoff packet, moves the conversation to `queued` and emits `conversation.queued`
   * for routing. Called when the bot asks for a person.
   */
  handoff(conversationId: string, request: HandoffRequest): ConversationRow {
    const row = this.require(conversationId);
    if (!canTransition(row.state, 'queued')) throw new ConversationFailure('conflict', `A conversation in state ${row.state} cannot be queued.`);
    const packet: HandoffPacket = {
      reason: request.reason,
      intent: request.intent,
      collectedAnswers: request.collectedAnswers,
      ...(request.triageDisposition ? { triageDisposition: request.triageDisposition } : {}),
      summary: request.summary,
      language: request.language,
    };
    const queue = queueFor(request.intent, request.language);
    const skills = request.language === 'es' && queue !== 'spanish' ? [queue, 'spanish'] : [queue];
    const at = this.stamp();
    this.repo.setHandoff(row.id, queue, skills, request.priority ?? DEFAULT_PRIORITY, packet, at);
    const updated = this.transition(this.repo.get(row.id)!, 'queued', 'Waiting for a person from our team.');
    this.emit('conversation.queued', { conversation: toConversationView(updated, 'staff'), packet });
    return updated;
  }

  /** A system line in the chat (e.g. a closed queue's message): stored, so a resync shows it, and delivered. */
  postSystemMessage(conversationId: string, body: string): MessageView {
    const message = inTransaction(this.deps.sqlite, () => this.appendSystem(conversationId, body, this.stamp()));
    this.emit('message', { message, conversationId });
    return message;
  }

  // --- internals ---

  private transition(row: ConversationRow, to: ConversationState, systemText: string): ConversationRow {
    if (!canTransition(row.state, to)) throw new ConversationFailure('conflict', `A conversation cannot go from ${row.state} to ${to}.`);
    const at = this.stamp();
    const { updated, message } = inTransaction(this.deps.sqlite, () => {
      if (!this.repo.setState(row.id, row.state, to, at)) throw new ConversationFailure('conflict', 'The conversation changed meanwhile.');
      const stored = this.appendSystem(row.id, systemText, at);
      return { updated: this.repo.get(row.id)!, message: stored };
    });
    this.emit('conversation.updated', { conversation: updated });
    this.emit('message', { message, conversationId: row.id });
    return updated;
  }

  private appendSystem(conversationId: string, body: string, at: string): MessageView {
    return toMessageView(
      this.repo.appendMessage({ id: randomUUID(), conversationId, clientMessageId: null, senderKind: 'system', senderId: 'system', kind: 'system', body, createdAt: at }),
    );
  }

  private auditRead(actor: Actor, row: ConversationRow, purpose: string): void {
    if (actor.kind !== 'staff' || row.patient_id === null) return;
    this.deps.audit.record({
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'phi.read',
      resourceType: 'Conversation',
      resourceId: row.id,
      patientId: row.patient_id,
      reason: 'conversation participant',
      details: { purpose },
    });
  }

  private botContext(row: ConversationRow, displayName: string | null): BotContext {
    return {
      conversationId: row.id,
      channel: row.channel,
      displayName,
      history: () => this.repo.messagesAfter(row.id, 0, SYNC_PAGE_SIZE, { includeNotes: false }).map(toMessageView),
    };
  }

  /** Persists the bot's replies, then hands off if asked. */
  private applyBotTurn(conversationId: string, turn: BotTurn): MessageView[] {
    const at = this.stamp();
    const messages = inTransaction(this.deps.sqlite, () =>
      turn.replies.map((reply) =>
        toMessageView(
          this.repo.appendMessage({
            id: randomUUID(),
            conversationId,
            clientMessageId: null,
            senderKind: 'bot',
            senderId: this.deps.bot.id,
            kind: reply.kind ?? 'text',
            body: reply.body,
            createdAt: at,
          }),
        ),
      ),
    );
    for (const message of messages) this.emit('message', { message, conversationId });
    if (turn.handoff) this.handoff(conversationId, turn.handoff);
    return messages;
  }

  /** Runs the bot on a patient message after the message is acknowledged, in order per conversation. */
  private scheduleBotTurn(conversationId: string, message: MessageView): void {
    const previous = this.botQueues.get(conversationId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const row = this.repo.get(conversationId);
        if (!row || row.state !== 'bot' || this.isBotMuted(conversationId)) return;
        const participant = this.repo.participants(conversationId).find((p) => PATIENT_KINDS.has(p.kind));
        const turn = await this.deps.bot.onPatientMessage(this.botContext(row, participant?.display_name ?? null), message);
        if (this.repo.get(conversationId)?.state !== 'bot') return;
        this.applyBotTurn(conversationId, turn);
      })
      .catch((err: unknown) => this.deps.logger.error({ err, conversationId }, 'bot turn failed'))
      .finally(() => {
        if (this.botQueues.get(conversationId) === next) this.botQueues.delete(conversationId);
      });
    this.botQueues.set(conversationId, next);
  }

  /** Resolves once pending bot turns have run (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.botQueues.values()]);
  }
}
