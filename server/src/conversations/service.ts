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
  STAFF_ONLY_MESSAGE_KINDS,
  SYNC_PAGE_SIZE,
  type AttachmentView,
  type ConversationChannel,
  type ConversationState,
  type ConversationView,
  type HandoffPacket,
  type MessageKind,
  type MessageView,
  type ParticipantKind,
  type ParticipantView,
  type ConversationSettings,
  type WrapupView,
} from '../contracts/conversations.js';
import { DEFAULT_PRIORITY, type AssignmentReason } from '../contracts/routing.js';
import { SUPERVISOR_ROLES } from '../contracts/supervision.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Logger } from '../platform/logging.js';
import { inTransaction } from '../platform/db/index.js';
import { badRequest, conflict, forbidden, notFoundMessage } from '../platform/errors.js';
import { ConversationRepository, type ConversationRow, type MessageRow, type ParticipantRow } from './repository.js';
import { canTransition, isOpen } from './model.js';
import { queueFor, type BotContext, type BotParticipant, type BotTurn, type HandoffRequest } from './bot.js';
import { DEFAULT_CONVERSATION_SETTINGS } from './settings.js';

/** Who acts in a conversation: a signed-in patient, an anonymous visitor, or a staff member. */
export type Actor =
  | { kind: 'patient'; userId: string; patientId: string; displayName: string | null }
  | { kind: 'visitor'; userId: string; displayName: string }
  | { kind: 'staff'; userId: string; role: string; displayName: string | null };

export interface ConversationEvents {
  message: { message: MessageView; conversationId: string };
  /** A note or whisper names colleagues in the conversation (`@Display Name`): tell them. */
  mention: { conversationId: string; message: MessageView; userIds: string[] };
  'conversation.updated': { conversation: ConversationRow };
  /** The bot handed off: routing picks the conversation up from here. */
  'conversation.queued': { conversation: ConversationView; packet: HandoffPacket };
  'participant.joined': { conversationId: string; userId: string; kind: ParticipantKind };
  typing: { conversationId: string; sender: { kind: ParticipantKind; id: string }; typing: boolean; staffOnly: boolean };
  receipt: { conversationId: string; userId: string; kind: 'delivered' | 'read'; seq: number };
  /** A conversation became a staff member's without an offer (transfer, reassignment) or they were invited to consult. */
  'staff.assigned': { conversation: ConversationRow; userId: string; byUserId: string; cause: 'transfer' | 'reassign' | 'consult'; note: string | null };
  /** A staff member is no longer in the conversation: their desks leave its room (and are told, unless they left themselves). */
  'staff.removed': { conversationId: string; userId: string; cause: StaffRemovalCause };
}

/** Why a staff member left a conversation; the first four are told to the desk (`conversation:removed`). */
export type StaffRemovalCause = 'transferred' | 'reassigned' | 'force-closed' | 'requeued' | 'left' | 'handed-back';
type Listener<E extends keyof ConversationEvents> = (event: ConversationEvents[E]) => void;

const STAFF_KINDS: ReadonlySet<ParticipantKind> = new Set(['agent', 'consultant', 'supervisor']);
const PATIENT_KINDS: ReadonlySet<ParticipantKind> = new Set(['patient', 'visitor']);
/** States in which a person (agent) has the conversation and can transfer, consult or wrap it up. */
const WITH_AN_AGENT: ReadonlySet<ConversationState> = new Set(['active', 'waiting']);
const isSupervisor = (actor: Actor) => actor.kind === 'staff' && (SUPERVISOR_ROLES as readonly string[]).includes(actor.role);

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

const toParticipantView = (p: ParticipantRow): ParticipantView => ({ userId: p.user_id, kind: p.kind, displayName: p.display_name, joinedAt: p.joined_at });

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
    ...(audience === 'staff' ? { agentId: row.agent_id } : {}),
  };
}


export interface ConversationServiceDeps {
  sqlite: SQLite.Database;
  audit: AuditLog;
  logger: Logger;
  bot: BotParticipant;
  /** Dispositions and whether one is required at close; defaults to DEFAULT_CONVERSATION_SETTINGS. */
  settings?: ConversationSettings;
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

  get settings(): ConversationSettings {
    return this.deps.settings ?? DEFAULT_CONVERSATION_SETTINGS;
  }

  /** The conversation as a client sees it; staff also get its agent, participants and wrap-up. */
  view(row: ConversationRow, audience: 'staff' | 'patient'): ConversationView {
    const base = toConversationView(row, audience);
    if (audience === 'patient') return base;
    const wrapup = this.repo.wrapup(row.id);
    return {
      ...base,
      participants: this.participantsOf(row.id),
      wrapup: wrapup ? { disposition: wrapup.disposition, notes: wrapup.notes, byUserId: wrapup.by_user_id, at: wrapup.at } satisfies WrapupView : null,
    };
  }

  /** Current participants (those who left excluded). */
  participantsOf(conversationId: string): ParticipantView[] {
    return this.repo
      .participants(conversationId)
      .filter((p) => p.left_at === null)
      .map(toParticipantView);
  }

  /** Current participants of every conversation not closed, by conversation id (one query). */
  participantsOfOpenConversations(): Map<string, ParticipantView[]> {
    const byConversation = new Map<string, ParticipantView[]>();
    for (const p of this.repo.participantsNotClosed()) {
      let list = byConversation.get(p.conversation_id);
      if (!list) byConversation.set(p.conversation_id, (list = []));
      list.push(toParticipantView(p));
    }
    return byConversation;
  }

  /** Conversations not closed (the supervisor's view). */
  openConversations(): ConversationRow[] {
    return this.repo.notClosed();
  }

  /** An account's display name, if it exists. */
  displayNameOf(userId: string): string | undefined {
    return this.repo.displayNameOf(userId);
  }

  /** The conversation, or not_found. */
  private require(conversationId: string): ConversationRow {
    const row = this.repo.get(conversationId);
    if (!row) throw notFoundMessage(`Conversation ${conversationId} not found.`);
    return row;
  }

  /** The actor's participant kind in the conversation, or forbidden. */
  private membership(row: ConversationRow, actor: Actor): ParticipantKind {
    const participant = this.repo.participant(row.id, actor.userId);
    const allowed = participant && participant.left_at === null && (actor.kind === 'staff' ? STAFF_KINDS : PATIENT_KINDS).has(participant.kind);
    if (!allowed) throw forbidden('You are not a participant in this conversation.');
    return participant.kind;
  }

  /** Open conversation ids the user takes part in (a reconnecting socket rejoins their rooms). */
  openConversationIdsOf(userId: string): string[] {
    return this.repo.openConversationIdsOf(userId);
  }

  // --- patient side ---

  async startConversation(actor: Actor, channel: ConversationChannel = 'portal'): Promise<{ conversation: ConversationRow; messages: MessageView[] }> {
    if (actor.kind === 'staff') throw forbidden('Only patients and visitors start a chat.');
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
  sendMessage(
    actor: Actor,
    input: { conversationId: string; clientMessageId: string; body: string; kind?: 'text' | 'note' | 'whisper' | 'attachment'; attachment?: AttachmentView },
  ): { message: MessageView; duplicate: boolean } {
    const row = this.require(input.conversationId);
    const kind = this.membership(row, actor);
    const messageKind: MessageKind = input.kind ?? 'text';
    if ((messageKind === 'attachment') !== (input.attachment !== undefined)) {
      throw badRequest('An attachment message needs its attachment, and only it has one.');
    }
    if (messageKind === 'note' && !STAFF_KINDS.has(kind)) throw forbidden('Only staff write internal notes.');
    if (messageKind === 'whisper' && kind !== 'supervisor') throw forbidden('Only a supervisor whispers.');
    if (kind === 'consultant' && messageKind !== 'note') {
      throw forbidden('A consultant writes internal notes only until added to the conversation.');
    }
    const existing = this.repo.findByClientMessageId(row.id, actor.userId, input.clientMessageId);
    if (existing) return { message: toMessageView(existing), duplicate: true };
    if (row.state === 'closed' || ((messageKind === 'text' || messageKind === 'attachment') && !isOpen(row.state))) {
      throw conflict(`The conversation is ${row.state === 'closed' ? 'closed' : 'in wrap-up'}: no new messages.`);
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
        attachment: input.attachment ? JSON.stringify(input.attachment) : null,
      }),
    );
    const message = toMessageView(stored);
    this.emit('message', { message, conversationId: row.id });
    if (STAFF_ONLY_MESSAGE_KINDS.includes(messageKind) && message.body.includes('@')) {
      const userIds = mentionedUserIds(message.body, this.repo.staffNames(row.id), actor.userId);
      if (userIds.length > 0) this.emit('mention', { conversationId: row.id, message, userIds });
    }
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
    if (seq > row.last_seq) throw badRequest(`There is no message ${seq} yet (last is ${row.last_seq}).`);
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
  assignAgent(conversationId: string, agentUserId: string, agentDisplayName: string | null = null, reason: AssignmentReason | null = null): ConversationRow {
    const row = this.require(conversationId);
    if (!canTransition(row.state, 'active')) {
      throw conflict(`A conversation in state ${row.state} cannot be assigned.`);
    }
    agentDisplayName ??= this.repo.displayNameOf(agentUserId) ?? null;
    const at = this.stamp();
    const { updated, message } = inTransaction(this.deps.sqlite, () => {
      if (!this.repo.setState(row.id, row.state, 'active', at)) throw conflict('The conversation changed meanwhile.');
      this.repo.setOwner(row.id, agentUserId, reason ? JSON.stringify(reason) : null, at);
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
    if (!participant || participant.left_at !== null || participant.kind !== 'agent') {
      throw forbidden('Only the assigned agent can hand the chat back.');
    }
    if (!canTransition(row.state, 'bot')) throw conflict(`A conversation in state ${row.state} cannot go back to the bot.`);
    const staff = this.activeStaff(row.id);
    const updated = this.transition(row, 'bot', 'The chat is back with the Carebridge assistant.', (at) => {
      this.repo.setMuted(row.id, 'bot', false);
      this.repo.setOwner(row.id, null, null, at);
      for (const p of staff) this.repo.leave(row.id, p.user_id, at);
    });
    for (const p of staff) this.emit('staff.removed', { conversationId: row.id, userId: p.user_id, cause: 'handed-back' });
    return updated;
  }

  // --- staff operations: transfer, consult, wrap-up, close (issue 4) ---

  /**
   * Routing offered the conversation to an agent (`queued` → `offered`), or the offer ended without an
   * answer (`offered` → `queued`). No chat line: the patient's view only shows the state.
   */
  markOffered(conversationId: string, offered: boolean): void {
    const row = this.repo.get(conversationId);
    const [from, to]: ConversationState[] = offered ? ['queued', 'offered'] : ['offered', 'queued'];
    if (!row || row.state !== from) return;
    if (this.repo.setState(row.id, from!, to!, this.stamp())) this.emit('conversation.updated', { conversation: this.repo.get(row.id)! });
  }

  /** Open conversations the staff member takes part in; audited for signed-in patients' chats. */
  inbox(actor: Actor): ConversationRow[] {
    const rows = this.repo.staffInbox(actor.userId);
    for (const row of rows) this.auditRead(actor, row, 'inbox.list');
    return rows;
  }

  /** Refuses (not_found, forbidden, conflict) a transfer or reassignment the actor may not make now; checks nothing about the target. */
  authorizeTransfer(actor: Actor, conversationId: string, cause: 'transfer' | 'reassign'): ConversationRow {
    const row = cause === 'reassign' ? this.requireSupervisorOn(actor, conversationId) : this.requireOwnerOrSupervisor(actor, conversationId);
    this.requireWithAgent(row, cause === 'reassign' ? 'reassigned' : 'transferred');
    return row;
  }

  /**
   * The conversation's agent (or a supervisor) gives it to another agent, who has it at once: the
   * previous agent leaves, the patient reads who they chat with now. `reassign` is the supervisor's.
   */
  transferToAgent(
    actor: Actor,
    conversationId: string,
    toAgentId: string,
    options: { cause: 'transfer' | 'reassign'; note?: string | undefined },
  ): { conversation: ConversationRow; fromAgentId: string | null } {
    const row = this.authorizeTransfer(actor, conversationId, options.cause);
    if (row.agent_id === toAgentId) throw conflict('The conversation is already with that agent.');
    const fromAgentId = row.agent_id;
    const name = this.repo.displayNameOf(toAgentId) ?? null;
    const note = options.note?.trim() ? options.note.trim() : null;
    const at = this.stamp();
    const messages = inTransaction(this.deps.sqlite, () => {
      if (!this.repo.setState(row.id, row.state, 'active', at)) throw conflict('The conversation changed meanwhile.');
      this.repo.setOwner(row.id, toAgentId, null, at);
      if (fromAgentId !== null) this.repo.leave(row.id, fromAgentId, at);
      this.repo.addParticipant({ conversationId: row.id, userId: toAgentId, kind: 'agent', displayName: name, at });
      const stored = [this.appendSystem(row.id, `You are now chatting with ${name ?? 'another member of our team'}.`, at)];
      const verb = options.cause === 'reassign' ? 'Reassigned' : 'Transferred';
      if (note !== null) stored.push(this.appendStaffNote(row.id, `${verb} by ${this.nameOf(actor)}: ${note}`, at));
      return stored;
    });
    const updated = this.repo.get(row.id)!;
    this.auditAction(actor, updated, `conversation.${options.cause}`, { fromAgentId, toAgentId });
    this.emit('participant.joined', { conversationId: row.id, userId: toAgentId, kind: 'agent' });
    if (fromAgentId !== null) this.emit('staff.removed', { conversationId: row.id, userId: fromAgentId, cause: options.cause === 'reassign' ? 'reassigned' : 'transferred' });
    this.emit('conversation.updated', { conversation: updated });
    for (const message of messages) this.emit('message', { message, conversationId: row.id });
    this.emit('staff.assigned', { conversation: updated, userId: toAgentId, byUserId: actor.userId, cause: options.cause, note });
    return { conversation: updated, fromAgentId };
  }

  /**
   * Back in line in a queue (same priority): the agent leaves, the patient reads that they wait for
   * the next person. The caller (routing glue) checks the queue exists and enqueues it.
   */
  transferToQueue(
    actor: Actor,
    conversationId: string,
    target: { queueId: string; queueName: string; skills: readonly string[]; note?: string | undefined },
  ): { conversation: ConversationRow; fromAgentId: string | null } {
    const row = this.authorizeTransfer(actor, conversationId, 'transfer');
    const fromAgentId = row.agent_id;
    const staff = this.activeStaff(row.id);
    const note = target.note?.trim() ? target.note.trim() : null;
    let noteMessage: MessageView | null = null;
    const updated = this.transition(row, 'queued', `You are being transferred to ${target.queueName}. Please wait for the next person.`, (at) => {
      this.repo.setQueue(row.id, target.queueId, target.skills, at);
      this.repo.setOwner(row.id, null, null, at);
      for (const p of staff) this.repo.leave(row.id, p.user_id, at);
      if (note !== null) noteMessage = this.appendStaffNote(row.id, `Transferred to ${target.queueName} by ${this.nameOf(actor)}: ${note}`, at);
    });
    this.auditAction(actor, updated, 'conversation.transfer', { fromAgentId, toQueueId: target.queueId });
    if (noteMessage) this.emit('message', { message: noteMessage, conversationId: row.id });
    for (const p of staff) this.emit('staff.removed', { conversationId: row.id, userId: p.user_id, cause: 'transferred' });
    return { conversation: updated, fromAgentId };
  }

  /**
   * Routing took the conversation from an agent who stopped responding or went offline: it is back in
   * line (routing already put it there), the agent leaves. A conversation in wrap-up stays as it is.
   */
  requeueFromAgent(conversationId: string, fromAgentId: string): ConversationRow | undefined {
    const row = this.repo.get(conversationId);
    if (!row || !WITH_AN_AGENT.has(row.state) || row.agent_id !== fromAgentId) return undefined;
    const staff = this.activeStaff(row.id);
    const updated = this.transition(row, 'queued', 'Your agent is no longer available. You are back in line for the next person.', (at) => {
      this.repo.setOwner(row.id, null, null, at);
      for (const p of staff) this.repo.leave(row.id, p.user_id, at);
    });
    for (const p of staff) this.emit('staff.removed', { conversationId: row.id, userId: p.user_id, cause: 'requeued' });
    return updated;
  }

  /** The agent invites a colleague to consult: they read everything, notes included, and write notes only. */
  consult(actor: Actor, conversationId: string, agentId: string, note?: string): ConversationRow {
    const row = this.requireOwner(actor, conversationId, 'invite a consultant');
    this.requireWithAgent(row, 'consulted on');
    if (agentId === actor.userId) throw conflict('You cannot consult yourself.');
    const existing = this.repo.participant(row.id, agentId);
    if (existing && existing.left_at === null) throw conflict('That colleague is already in the conversation.');
    const name = this.repo.displayNameOf(agentId) ?? null;
    const text = note?.trim() ? note.trim() : null;
    const at = this.stamp();
    const message = inTransaction(this.deps.sqlite, () => {
      this.repo.addParticipant({ conversationId: row.id, userId: agentId, kind: 'consultant', displayName: name, at });
      return this.appendStaffNote(row.id, `${this.nameOf(actor)} asked ${name ?? agentId} to consult${text ? `: ${text}` : '.'}`, at);
    });
    const updated = this.repo.get(row.id)!;
    this.auditAction(actor, updated, 'conversation.consult', { consultantId: agentId });
    this.emit('participant.joined', { conversationId: row.id, userId: agentId, kind: 'consultant' });
    this.emit('conversation.updated', { conversation: updated });
    this.emit('message', { message, conversationId: row.id });
    this.emit('staff.assigned', { conversation: updated, userId: agentId, byUserId: actor.userId, cause: 'consult', note: text });
    return updated;
  }

  /** The agent adds the consultant to the conversation: a second agent, who may now write to the patient. */
  consultAdd(actor: Actor, conversationId: string, agentId: string): ConversationRow {
    const row = this.requireOwner(actor, conversationId, 'add a consultant');
    this.requireWithAgent(row, 'changed');
    const consultant = this.repo.participant(row.id, agentId);
    if (!consultant || consultant.left_at !== null || consultant.kind !== 'consultant') {
      throw conflict('That colleague is not consulting on this conversation.');
    }
    const name = consultant.display_name;
    const at = this.stamp();
    const message = inTransaction(this.deps.sqlite, () => {
      this.repo.addParticipant({ conversationId: row.id, userId: agentId, kind: 'agent', displayName: name, at });
      this.repo.touch(row.id, at);
      return this.appendSystem(row.id, `${name ?? 'Another member of our team'} joined the chat.`, at);
    });
    const updated = this.repo.get(row.id)!;
    this.auditAction(actor, updated, 'conversation.consult-add', { agentId });
    this.emit('conversation.updated', { conversation: updated });
    this.emit('message', { message, conversationId: row.id });
    return updated;
  }

  /** A consultant, a second agent or a joined supervisor leaves; the owning agent transfers or wraps up instead. */
  leave(actor: Actor, conversationId: string): void {
    const row = this.require(conversationId);
    const kind = this.membership(row, actor);
    if (row.agent_id === actor.userId) {
      throw conflict('The conversation is yours: transfer it or wrap it up instead of leaving.');
    }
    const who = kind === 'supervisor' ? 'The supervisor' : (this.repo.participant(row.id, actor.userId)?.display_name ?? 'A member of our team');
    const at = this.stamp();
    const message = inTransaction(this.deps.sqlite, () => {
      this.repo.leave(row.id, actor.userId, at);
      this.repo.touch(row.id, at);
      // A consultant was never visible to the patient: only staff read that they left.
      return kind === 'consultant' ? this.appendStaffNote(row.id, `${this.nameOf(actor)} stopped consulting.`, at) : this.appendSystem(row.id, `${who} left the chat.`, at);
    });
    const updated = this.repo.get(row.id)!;
    this.auditAction(actor, updated, 'conversation.leave', { as: kind });
    this.emit('staff.removed', { conversationId: row.id, userId: actor.userId, cause: 'left' });
    this.emit('conversation.updated', { conversation: updated });
    this.emit('message', { message, conversationId: row.id });
  }

  /** The agent ends the chat for the patient: wrap-up (the patient can no longer write; a survey may follow). */
  wrapup(actor: Actor, conversationId: string): ConversationRow {
    const row = this.requireOwner(actor, conversationId, 'wrap it up');
    this.requireWithAgent(row, 'wrapped up');
    const updated = this.transition(row, 'wrapup', 'The agent ended the chat. Thank you for contacting us.');
    this.auditAction(actor, updated, 'conversation.wrapup', {});
    return updated;
  }

  /**
   * The agent closes the conversation, after wrap-up or directly, with a disposition code (required
   * when the settings say so) and notes. Routing frees the agent (on `conversation.updated`).
   */
  close(actor: Actor, input: { conversationId: string; disposition?: string | undefined; notes?: string | undefined }): ConversationRow {
    const row = this.requireOwner(actor, input.conversationId, 'close it');
    // The patient may have ended the chat first: the agent still records the wrap-up, once.
    const alreadyClosed = row.state === 'closed' && this.repo.wrapup(row.id) === undefined;
    if (!WITH_AN_AGENT.has(row.state) && row.state !== 'wrapup' && !alreadyClosed) {
      throw conflict(`A conversation in state ${row.state} cannot be closed by its agent.`);
    }
    const { dispositions, requireDisposition } = this.settings;
    if (input.disposition === undefined && requireDisposition) {
      throw badRequest(`A disposition is required: one of ${dispositions.map((d) => d.code).join(', ')}.`);
    }
    if (input.disposition !== undefined && !dispositions.some((d) => d.code === input.disposition)) {
      throw badRequest(`Unknown disposition "${input.disposition}": use one of ${dispositions.map((d) => d.code).join(', ')}.`);
    }
    const notes = input.notes?.trim() ? input.notes.trim() : null;
    const save = (at: string) => this.repo.saveWrapup({ conversationId: row.id, disposition: input.disposition ?? null, notes, byUserId: actor.userId, at });
    if (alreadyClosed) {
      inTransaction(this.deps.sqlite, () => {
        const at = this.stamp();
        save(at);
        this.repo.touch(row.id, at);
      });
      const updated = this.repo.get(row.id)!;
      this.auditAction(actor, updated, 'conversation.close', { disposition: input.disposition ?? null });
      this.emit('conversation.updated', { conversation: updated });
      return updated;
    }
    const updated = this.transition(row, 'closed', 'This conversation is closed.', save);
    this.auditAction(actor, updated, 'conversation.close', { disposition: input.disposition ?? null });
    return updated;
  }

  // --- supervision ---

  /** Silent monitoring: the whole transcript, notes and whispers included. An audited PHI read. */
  monitor(actor: Actor, conversationId: string): { conversation: ConversationRow; messages: MessageView[] } {
    const row = this.requireSupervisorOn(actor, conversationId);
    this.auditAction(actor, row, 'phi.read', { purpose: 'supervisor.monitor' });
    const messages: MessageView[] = [];
    for (let after = 0; ; ) {
      const page = this.repo.messagesAfter(row.id, after, SYNC_PAGE_SIZE, { includeNotes: true });
      messages.push(...page.map(toMessageView));
      if (page.length < SYNC_PAGE_SIZE) break;
      after = page.at(-1)!.seq;
    }
    return { conversation: row, messages };
  }

  /** A supervisor's message to the staff in the conversation only (kind `whisper`); idempotent like any message. */
  whisper(actor: Actor, input: { conversationId: string; clientMessageId: string; body: string }): { message: MessageView; duplicate: boolean } {
    const row = this.requireSupervisorOn(actor, input.conversationId);
    const existing = this.repo.findByClientMessageId(row.id, actor.userId, input.clientMessageId);
    if (existing) return { message: toMessageView(existing), duplicate: true };
    if (row.state === 'closed') throw conflict('The conversation is closed: no new messages.');
    const stored = inTransaction(this.deps.sqlite, () =>
      this.repo.appendMessage({
        id: randomUUID(),
        conversationId: row.id,
        clientMessageId: input.clientMessageId,
        senderKind: 'supervisor',
        senderId: actor.userId,
        kind: 'whisper',
        body: input.body,
        createdAt: this.stamp(),
      }),
    );
    const message = toMessageView(stored);
    this.auditAction(actor, row, 'conversation.whisper', { seq: message.seq });
    this.emit('message', { message, conversationId: row.id });
    return { message, duplicate: false };
  }

  /** The supervisor joins the chat as a participant; the patient reads that a supervisor joined. */
  joinAsSupervisor(actor: Actor, conversationId: string): ConversationRow {
    const row = this.requireSupervisorOn(actor, conversationId);
    if (!isOpen(row.state)) throw conflict(`A conversation in state ${row.state} cannot be joined.`);
    const existing = this.repo.participant(row.id, actor.userId);
    if (existing && existing.left_at === null) throw conflict('You are already in this conversation.');
    const at = this.stamp();
    const message = inTransaction(this.deps.sqlite, () => {
      this.repo.addParticipant({ conversationId: row.id, userId: actor.userId, kind: 'supervisor', displayName: this.repo.displayNameOf(actor.userId) ?? null, at });
      this.repo.touch(row.id, at);
      return this.appendSystem(row.id, 'A supervisor joined the chat.', at);
    });
    const updated = this.repo.get(row.id)!;
    this.auditAction(actor, updated, 'conversation.supervisor-join', {});
    this.emit('participant.joined', { conversationId: row.id, userId: actor.userId, kind: 'supervisor' });
    this.emit('conversation.updated', { conversation: updated });
    this.emit('message', { message, conversationId: row.id });
    return updated;
  }

  /** A supervisor closes the conversation in any open state; its staff are told and leave. Routing frees the agent. */
  forceClose(actor: Actor, conversationId: string, reason: string): ConversationRow {
    const row = this.requireSupervisorOn(actor, conversationId);
    if (row.state === 'closed') throw conflict('The conversation is already closed.');
    const staff = this.activeStaff(row.id).filter((p) => p.user_id !== actor.userId);
    let noteMessage: MessageView | null = null;
    const updated = this.transition(row, 'closed', 'A supervisor closed this chat.', (at) => {
      noteMessage = this.appendStaffNote(row.id, `Closed by ${this.nameOf(actor)}: ${reason}`, at);
      for (const p of staff) this.repo.leave(row.id, p.user_id, at);
    });
    this.auditAction(actor, updated, 'conversation.force-close', { reason });
    if (noteMessage) this.emit('message', { message: noteMessage, conversationId: row.id });
    for (const p of staff) this.emit('staff.removed', { conversationId: row.id, userId: p.user_id, cause: 'force-closed' });
    return updated;
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
    if (!canTransition(row.state, 'queued')) throw conflict(`A conversation in state ${row.state} cannot be queued.`);
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

  /** Changes the state (compare-and-set), runs `alsoInTransaction`, stores the system line; then emits. */
  private transition(row: ConversationRow, to: ConversationState, systemText: string, alsoInTransaction?: (at: string) => void): ConversationRow {
    if (!canTransition(row.state, to)) throw conflict(`A conversation cannot go from ${row.state} to ${to}.`);
    const at = this.stamp();
    const { updated, message } = inTransaction(this.deps.sqlite, () => {
      if (!this.repo.setState(row.id, row.state, to, at)) throw conflict('The conversation changed meanwhile.');
      if (to === 'queued' && row.state !== 'offered') this.repo.markQueuedAt(row.id, at);
      alsoInTransaction?.(at);
      const stored = this.appendSystem(row.id, systemText, at);
      return { updated: this.repo.get(row.id)!, message: stored };
    });
    this.emit('conversation.updated', { conversation: updated });
    this.emit('message', { message, conversationId: row.id });
    return updated;
  }

  /** The conversation, acted on by its owning agent. */
  private requireOwner(actor: Actor, conversationId: string, what: string): ConversationRow {
    const row = this.require(conversationId);
    if (actor.kind !== 'staff' || row.agent_id !== actor.userId) throw forbidden(`Only the conversation's agent can ${what}.`);
    return row;
  }

  private requireOwnerOrSupervisor(actor: Actor, conversationId: string): ConversationRow {
    const row = this.require(conversationId);
    if (actor.kind !== 'staff' || (row.agent_id !== actor.userId && !isSupervisor(actor))) {
      throw forbidden("Only the conversation's agent or a supervisor can transfer it.");
    }
    return row;
  }

  private requireSupervisorOn(actor: Actor, conversationId: string): ConversationRow {
    if (!isSupervisor(actor)) throw forbidden('Only supervisors and admins can do this.');
    return this.require(conversationId);
  }

  private requireWithAgent(row: ConversationRow, what: string): void {
    if (!WITH_AN_AGENT.has(row.state)) throw conflict(`A conversation in state ${row.state} cannot be ${what}.`);
  }

  /** Staff participants who have not left. */
  private activeStaff(conversationId: string) {
    return this.repo.participants(conversationId).filter((p) => STAFF_KINDS.has(p.kind) && p.left_at === null);
  }

  private nameOf(actor: Actor): string {
    return actor.displayName ?? this.repo.displayNameOf(actor.userId) ?? actor.userId;
  }

  /** An internal line only staff see (kind `note`, from the system). */
  private appendStaffNote(conversationId: string, body: string, at: string): MessageView {
    return toMessageView(
      this.repo.appendMessage({ id: randomUUID(), conversationId, clientMessageId: null, senderKind: 'system', senderId: 'system', kind: 'note', body, createdAt: at }),
    );
  }

  /** A staff action on a conversation, audited with the actor and (for a signed-in patient) the patient. */
  private auditAction(actor: Actor, row: ConversationRow, action: string, details: Record<string, unknown>): void {
    if (actor.kind !== 'staff') return;
    this.deps.audit.record({
      actorId: actor.userId,
      actorRole: actor.role,
      action,
      resourceType: 'Conversation',
      resourceId: row.id,
      patientId: row.patient_id,
      reason: isSupervisor(actor) && row.agent_id !== actor.userId ? 'supervision' : 'conversation participant',
      details,
    });
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
