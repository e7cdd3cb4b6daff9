/**
 * The conversation core: starts conversations (owned by the bot), persists messages (one synchronous
 * transaction per message assigns the next seq; a resend with the same client message id returns the
 * original), resyncs, typing, receipts, ending, state transitions, agent assignment, hand-off and
 * system messages. Staff actions (staff-actions.ts), supervision actions (supervision/) and bot turns
 * (bot-turns.ts) are built on its commands.
 *
 * It never touches sockets: it publishes `conversation.*` events on the bus (conversations/events.ts),
 * which the realtime listeners turn into socket emits and other domains react to.
 *
 * The chat hot path (send, sync, receipts) uses synchronous prepared statements on purpose: one
 * message is one short transaction on the event loop, with no await between the seq and the commit.
 */
import { randomUUID } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import {
  PRECHAT_ANSWER_KEYS,
  STAFF_ONLY_MESSAGE_KINDS,
  SYNC_PAGE_SIZE,
  type AttachmentView,
  type BotContent,
  type ChatCard,
  type ConversationChannel,
  type ConversationSettings,
  type ConversationState,
  type ConversationView,
  type HandoffPacket,
  type MessageKind,
  type MessageView,
  type ParticipantKind,
  type ParticipantView,
  type PrechatAnswers,
} from '../contracts/conversations.js';
import { DEFAULT_PRIORITY, type AssignmentReason } from '../contracts/routing.js';
import type { AuditEntry, AuditLog } from '../platform/audit/audit.js';
import type { AuditBatch, DisclosureLog, DisclosureRecipient, RequestOrigin } from '../platform/audit/batch.js';
import type { Actor } from '../platform/auth/actor.js';
import { inTransaction, type GroupCommit } from '../platform/db/index.js';
import { badRequest, conflict, forbidden, isAppError, notFoundMessage } from '../platform/errors.js';
import type { EventPublisher, PublishedEvent } from '../platform/events.js';
import type { Logger } from '../platform/logging.js';
import type { StaffDirectory } from '../accounts/index.js';
import { ConversationRepository, type ConversationRow, type ParticipantRow } from './repository.js';
import { canTransition, isOpen } from './model.js';
import { queueFor, type HandoffRequest } from './bot.js';
import { DEFAULT_CONVERSATION_SETTINGS } from './settings.js';
import { isSupervisor, membershipKind, mentionedUserIds, STAFF_KINDS } from './policy.js';
import { toConversationView, toMessageView, toParticipantView, toStaffView } from './presenters.js';
import type { StaffRemovalCause } from './events.js';

/** An open conversation as supervisors see it: the staff view plus when it started waiting and routing's stored reason. */
export interface OpenConversation {
  view: ConversationView;
  participants: ParticipantView[];
  waitingSince: string | null;
  storedReason: AssignmentReason | null;
}

/**
 * How a conversation's content reached a staff member: each is one `phi.read` row per staff member
 * and conversation, however many messages follow (see `ConversationCore.disclose`).
 */
export type DisclosurePurpose =
  | 'conversation.offer'
  | 'conversation.accept'
  | 'conversation.join'
  | 'conversation.sync'
  | 'conversation.reconnect'
  | 'conversation.transfer'
  | 'conversation.reassign'
  | 'conversation.consult'
  | 'conversation.supervisor-join'
  | 'conversation.monitor'
  | 'conversation.transcript'
  | 'inbox.list';

const DISCLOSURE_REASONS: Partial<Record<DisclosurePurpose, string>> = {
  'conversation.offer': 'chat offer',
  'conversation.monitor': 'supervision',
  'conversation.supervisor-join': 'supervision',
};

export interface ConversationCoreDeps {
  sqlite: SQLite.Database;
  audit: AuditLog;
  /** Batched audit writes (refusals) and the once-per-purpose disclosure rows, off the message path. */
  auditBatch: AuditBatch;
  disclosures: DisclosureLog;
  logger: Logger;
  events: EventPublisher;
  /** Staff names and roles (the accounts domain). */
  directory: Pick<StaffDirectory, 'displayNameOf' | 'roleOf'>;
  /** The bot that owns new conversations: its participant id and name. */
  bot: { id: string; displayName: string };
  /** Dispositions and whether one is required at close; defaults to DEFAULT_CONVERSATION_SETTINGS. */
  settings?: ConversationSettings;
  /** A queue's own priority for its chats, if it has one (routing's configuration). */
  queuePriority?: (queueId: string) => number | undefined;
  /** The live channel's writes share commits (`sendMessageDurably`). */
  commits: GroupCommit;
  now?: () => Date;
}

/** What a participant sends. */
export interface SendInput {
  conversationId: string;
  clientMessageId: string;
  body: string;
  kind?: 'text' | 'note' | 'whisper' | 'attachment' | 'card';
  attachment?: AttachmentView;
  card?: ChatCard;
  /** A patient's submitted card inputs (they answer the bot's pending prompt). */
  value?: BotContent['value'];
}

/** A message as stored, before it has its id and seq. */
export interface StoredMessageInput {
  senderKind: ParticipantKind | 'system';
  senderId: string;
  kind: MessageKind;
  body: string;
  clientMessageId?: string | null;
  attachment?: AttachmentView | undefined;
  card?: ChatCard | undefined;
  /** A bot message's cards and choices; a patient's submitted card inputs. */
  bot?: BotContent | undefined;
  at?: string;
}

export class ConversationCore {
  /** The domain's repository: staff actions and bot turns (same folder) share it; other domains never see it. */
  readonly repo: ConversationRepository;
  private readonly now: () => Date;
  private current: ConversationSettings | undefined;

  constructor(private readonly deps: ConversationCoreDeps) {
    this.repo = new ConversationRepository(deps.sqlite);
    this.now = deps.now ?? (() => new Date());
  }

  get settings(): ConversationSettings {
    return this.current ?? this.deps.settings ?? DEFAULT_CONVERSATION_SETTINGS;
  }

  /** New dispositions, quick replies and session limit, in force at once (an admin saved them). */
  updateSettings(next: ConversationSettings): void {
    this.current = next;
  }

  get bot(): { id: string; displayName: string } {
    return this.deps.bot;
  }

  stamp(): string {
    return this.now().toISOString();
  }

  // --- reads ---

  get(conversationId: string): ConversationRow | undefined {
    return this.repo.get(conversationId);
  }

  /** The conversation, or not_found. */
  require(conversationId: string): ConversationRow {
    const row = this.repo.get(conversationId);
    if (!row) throw notFoundMessage(`Conversation ${conversationId} not found.`);
    return row;
  }

  /** The staff view without participants and wrap-up (cheap: one row), or undefined. */
  find(conversationId: string): ConversationView | undefined {
    const row = this.repo.get(conversationId);
    return row ? toConversationView(row, 'staff') : undefined;
  }

  /** The conversation as a client sees it; staff also get its agent, participants and wrap-up. */
  view(row: ConversationRow, audience: 'staff' | 'patient'): ConversationView {
    if (audience === 'patient') return toConversationView(row, 'patient');
    return toStaffView(row, this.repo.participants(row.id), this.repo.wrapup(row.id));
  }

  /** The full staff view by id (after a command), or undefined. */
  staffView(conversationId: string): ConversationView | undefined {
    const row = this.repo.get(conversationId);
    return row ? this.view(row, 'staff') : undefined;
  }

  /** Current participants (those who left excluded). */
  participantsOf(conversationId: string): ParticipantView[] {
    return this.repo
      .participants(conversationId)
      .filter((p) => p.left_at === null)
      .map(toParticipantView);
  }

  /** Everyone who ever took part, those who left included (who the chat ended with, who may answer its survey). */
  participantHistory(conversationId: string): { userId: string; kind: ParticipantKind; joinedAt: string; leftAt: string | null }[] {
    return this.repo.participants(conversationId).map((p) => ({ userId: p.user_id, kind: p.kind, joinedAt: p.joined_at, leftAt: p.left_at }));
  }

  /** Every conversation not closed, with its current participants (two queries), for supervisors. */
  openConversations(): OpenConversation[] {
    const byConversation = new Map<string, ParticipantView[]>();
    for (const p of this.repo.participantsNotClosed()) {
      let list = byConversation.get(p.conversation_id);
      if (!list) byConversation.set(p.conversation_id, (list = []));
      list.push(toParticipantView(p));
    }
    return this.repo.notClosed().map((row) => ({
      view: toConversationView(row, 'staff'),
      participants: byConversation.get(row.id) ?? [],
      waitingSince: row.state === 'queued' || row.state === 'offered' ? (row.queued_at ?? row.updated_at) : null,
      storedReason: parseReason(row.assignment_reason),
    }));
  }

  /** Conversations waiting for a person, longest-waiting first, with when they started waiting (ms). */
  waitingConversations(): { view: ConversationView; queuedAt: number }[] {
    return this.repo.waiting().map((row) => ({ view: toConversationView(row, 'staff'), queuedAt: Date.parse(row.queued_at ?? row.updated_at) }));
  }

  /** Conversations an agent still has (active, waiting or in wrap-up), with when they got it (ms). */
  ownedConversations(): { view: ConversationView & { agentId: string }; assignedAt: number }[] {
    return this.repo.owned().map((row) => ({ view: toConversationView(row, 'staff') as ConversationView & { agentId: string }, assignedAt: Date.parse(row.updated_at) }));
  }

  /** Open conversation ids the user takes part in (a reconnecting socket rejoins their rooms). */
  openConversationIdsOf(userId: string): string[] {
    return this.repo.openConversationIdsOf(userId);
  }

  isBotMuted(conversationId: string): boolean {
    const bot = this.repo.participants(conversationId).find((p) => p.kind === 'bot');
    return !bot || bot.muted === 1;
  }

  /** The actor's participant kind in the conversation, or forbidden. */
  membership(row: ConversationRow, actor: Actor): ParticipantKind {
    return membershipKind(this.repo.participant(row.id, actor.userId), actor);
  }

  receipts(conversationId: string): { userId: string; deliveredSeq: number; readSeq: number }[] {
    return this.repo.receipts(conversationId).map((r) => ({ userId: r.user_id, deliveredSeq: r.delivered_seq, readSeq: r.read_seq }));
  }

  /** Every message of the conversation in order, notes and whispers included when asked. */
  transcript(conversationId: string, options: { includeNotes: boolean }): MessageView[] {
    const messages: MessageView[] = [];
    for (let after = 0; ; ) {
      const page = this.repo.messagesAfter(conversationId, after, SYNC_PAGE_SIZE, options);
      messages.push(...page.map(toMessageView));
      if (page.length < SYNC_PAGE_SIZE) break;
      after = page.at(-1)!.seq;
    }
    return messages;
  }

  // --- patient side ---

  /**
   * A new conversation owned by the bot (the bot's greeting is bot-turns' job), with the widget's
   * pre-chat answers if any: they join the hand-off packet's collected answers.
   */
  createConversation(actor: Actor, channel: ConversationChannel, prechat?: PrechatAnswers): ConversationRow {
    if (actor.kind === 'staff') throw forbidden('Only patients and visitors start a chat.');
    // A signed-in patient's identity (and date of birth) is on record: an unverified one would only mislead.
    if (actor.kind === 'patient' && prechat?.dateOfBirth !== undefined) throw badRequest('Signed-in patients are known: leave the date of birth out.');
    const id = randomUUID();
    const at = this.stamp();
    const displayName = this.patientDisplayName(actor);
    inTransaction(this.deps.sqlite, () => {
      this.repo.insertConversation({
        id,
        channel,
        patientId: actor.kind === 'patient' ? actor.patientId : null,
        visitorName: actor.kind === 'visitor' ? actor.displayName : null,
        state: 'bot',
        at,
        prechat,
      });
      this.repo.addParticipant({ conversationId: id, userId: actor.userId, kind: actor.kind, displayName, at });
      this.repo.addParticipant({ conversationId: id, userId: this.deps.bot.id, kind: 'bot', displayName: this.deps.bot.displayName, at });
    });
    return this.repo.get(id)!;
  }

  /**
   * The name a patient or visitor goes by in a chat: a visitor's own, a signed-in patient's account
   * name (staff see it where the conversation appears; the greeting uses it).
   */
  patientDisplayName(actor: Actor): string | null {
    if (actor.kind === 'patient') return actor.displayName ?? this.deps.directory.displayNameOf(actor.userId) ?? null;
    return actor.displayName;
  }

  /**
   * Persists a message and returns it; resending the same client message id returns the stored
   * one (`duplicate: true`) without storing or delivering it again. Publishes `conversation.message`.
   */
  sendMessage(actor: Actor, input: SendInput): { message: MessageView; duplicate: boolean } {
    const checked = this.checkSend(actor, input);
    if ('duplicate' in checked) return checked.duplicate;
    return this.delivered(actor, checked.row.id, this.storeMessage(checked.row.id, checked.message));
  }

  /**
   * `sendMessage` for the live channel: the write joins this turn's group commit (one fsync for
   * every message that arrived together) and resolves once it is durable; only then is it
   * delivered and acknowledged.
   */
  async sendMessageDurably(actor: Actor, input: SendInput): Promise<{ message: MessageView; duplicate: boolean }> {
    const checked = this.checkSend(actor, input);
    if ('duplicate' in checked) return checked.duplicate;
    const { row, message } = checked;
    const outcome = await this.deps.commits.run((): { duplicate: MessageView } | { stored: MessageView } => {
      // Another write of this turn may have closed the chat or stored the same client message id.
      const existing = this.repo.findByClientMessageId(row.id, actor.userId, input.clientMessageId);
      if (existing) return { duplicate: toMessageView(existing) };
      const now = this.repo.get(row.id);
      if (!now || now.state === 'closed' || ((message.kind === 'text' || message.kind === 'attachment' || message.kind === 'card') && !isOpen(now.state))) {
        throw conflict(`The conversation is ${now?.state === 'closed' ? 'closed' : 'in wrap-up'}: no new messages.`);
      }
      return { stored: this.appendMessageRow(row.id, message) };
    });
    if ('duplicate' in outcome) return { message: outcome.duplicate, duplicate: true };
    return this.delivered(actor, row.id, outcome.stored);
  }

  private checkSend(
    actor: Actor,
    input: SendInput,
  ): { duplicate: { message: MessageView; duplicate: true } } | { row: ConversationRow; message: StoredMessageInput } {
    const row = this.require(input.conversationId);
    const kind = this.membership(row, actor);
    const messageKind: MessageKind = input.kind ?? 'text';
    if ((messageKind === 'attachment') !== (input.attachment !== undefined)) {
      throw badRequest('An attachment message needs its attachment, and only it has one.');
    }
    if ((messageKind === 'card') !== (input.card !== undefined)) throw badRequest('A card message needs its card, and only it has one.');
    if (messageKind === 'card' && kind !== 'agent' && kind !== 'supervisor') throw forbidden('Only the agent or a supervisor in the conversation sends cards.');
    if (messageKind === 'note' && !STAFF_KINDS.has(kind)) throw forbidden('Only staff write internal notes.');
    if (input.value !== undefined && kind !== 'patient' && kind !== 'visitor') throw forbidden('Only the patient answers the bot with card inputs.');
    if (messageKind === 'whisper' && kind !== 'supervisor') throw forbidden('Only a supervisor whispers.');
    if (kind === 'consultant' && messageKind !== 'note') {
      throw forbidden('A consultant writes internal notes only until added to the conversation.');
    }
    const existing = this.repo.findByClientMessageId(row.id, actor.userId, input.clientMessageId);
    if (existing) return { duplicate: { message: toMessageView(existing), duplicate: true } };
    if (row.state === 'closed' || ((messageKind === 'text' || messageKind === 'attachment' || messageKind === 'card') && !isOpen(row.state))) {
      throw conflict(`The conversation is ${row.state === 'closed' ? 'closed' : 'in wrap-up'}: no new messages.`);
    }
    return {
      row,
      message: {
        senderKind: kind,
        senderId: actor.userId,
        kind: messageKind,
        body: input.body,
        clientMessageId: input.clientMessageId,
        attachment: input.attachment,
        card: input.card,
        ...(input.value !== undefined ? { bot: { value: input.value } } : {}),
      },
    };
  }

  /** Publishes a stored message (and the mentions in a staff note). */
  private delivered(actor: Actor, conversationId: string, message: MessageView): { message: MessageView; duplicate: false } {
    const events: PublishedEvent[] = [['conversation.message', { message, conversationId }]];
    if (STAFF_ONLY_MESSAGE_KINDS.includes(message.kind) && message.body.includes('@')) {
      const userIds = mentionedUserIds(message.body, this.staffNames(conversationId), actor.userId);
      if (userIds.length > 0) events.push(['conversation.mention', { conversationId, message, userIds }]);
    }
    this.deps.events.publishAll(events);
    return { message, duplicate: false };
  }

  /**
   * A message stored without a membership check (the caller checked what it needs): a supervisor's
   * whisper, the bot's replies. Idempotent by client message id when one is given.
   */
  storeMessage(conversationId: string, input: StoredMessageInput): MessageView {
    return inTransaction(this.deps.sqlite, () => this.appendMessageRow(conversationId, input));
  }

  /**
   * Messages stored together in the next group commit (the bot's replies of one turn): durable when
   * it resolves, with the fsync off the event loop like a participant's message.
   */
  storeMessagesDurably(conversationId: string, inputs: readonly StoredMessageInput[]): Promise<MessageView[]> {
    return this.deps.commits.run(() => inputs.map((input) => this.appendMessageRow(conversationId, input)));
  }

  private appendMessageRow(conversationId: string, input: StoredMessageInput): MessageView {
    return toMessageView(
      this.repo.appendMessage({
        id: randomUUID(),
        conversationId,
        clientMessageId: input.clientMessageId ?? null,
        senderKind: input.senderKind,
        senderId: input.senderId,
        kind: input.kind,
        body: input.body,
        createdAt: input.at ?? this.stamp(),
        attachment: input.attachment ? JSON.stringify(input.attachment) : null,
        card: input.card ? JSON.stringify(input.card) : null,
        botContent: input.bot ? JSON.stringify(input.bot) : null,
      }),
    );
  }

  /** The stored message a sender already sent with this client message id, if any. */
  findSent(conversationId: string, senderId: string, clientMessageId: string): MessageView | undefined {
    const existing = this.repo.findByClientMessageId(conversationId, senderId, clientMessageId);
    return existing ? toMessageView(existing) : undefined;
  }

  /**
   * Messages after `afterSeq` (notes only for staff), up to a page. A refusal is audited; a staff
   * member's read is a disclosure (once per conversation and purpose: `audited` resolves when its row
   * is durable, and the caller answers after it). `recordRead: false` when the caller records the read itself.
   */
  sync(
    actor: Actor,
    conversationId: string,
    afterSeq: number,
    options: { origin?: RequestOrigin | null; purpose?: DisclosurePurpose; recordRead?: boolean } = {},
  ): { conversation: ConversationRow; messages: MessageView[]; hasMore: boolean; audited: Promise<void> } {
    const row = this.require(conversationId);
    const { origin = null, purpose = 'conversation.sync', recordRead = true } = options;
    this.readerKind(actor, row, purpose, origin);
    const audited = actor.kind === 'staff' && recordRead ? this.disclose(staffRecipient(actor), row, purpose, origin) : Promise.resolve();
    const rows = this.repo.messagesAfter(row.id, afterSeq, SYNC_PAGE_SIZE + 1, { includeNotes: actor.kind === 'staff' });
    const hasMore = rows.length > SYNC_PAGE_SIZE;
    return { conversation: row, messages: rows.slice(0, SYNC_PAGE_SIZE).map(toMessageView), hasMore, audited };
  }

  typing(actor: Actor, conversationId: string, typing: boolean): void {
    const row = this.require(conversationId);
    const kind = this.membership(row, actor);
    this.deps.events.publish('conversation.typing', { conversationId, sender: { kind, id: actor.userId }, typing, staffOnly: kind === 'consultant' || kind === 'supervisor' });
  }

  receipt(actor: Actor, conversationId: string, kind: 'delivered' | 'read', seq: number): void {
    const row = this.require(conversationId);
    this.membership(row, actor);
    if (seq > row.last_seq) throw badRequest(`There is no message ${seq} yet (last is ${row.last_seq}).`);
    this.repo.recordReceipt(row.id, actor.userId, kind, seq, this.stamp());
    this.deps.events.publish('conversation.receipt', { conversationId, userId: actor.userId, kind, seq });
  }

  endConversation(actor: Actor, conversationId: string): ConversationRow {
    const row = this.require(conversationId);
    this.membership(row, actor);
    if (row.state === 'closed') return row;
    const who = actor.kind === 'staff' ? 'The agent' : 'The patient';
    return this.transition(row, 'closed', `${who} ended the chat.`);
  }

  // --- routing glue ---

  /**
   * Routing calls this once an agent accepts: the agent joins, the conversation becomes active,
   * the bot is muted, and a system message says so.
   */
  assignAgent(conversationId: string, agentUserId: string, agentDisplayName: string | null = null, reason: AssignmentReason | null = null): ConversationRow {
    const row = this.require(conversationId);
    if (!canTransition(row.state, 'active')) {
      throw conflict(`A conversation in state ${row.state} cannot be assigned.`);
    }
    agentDisplayName ??= this.deps.directory.displayNameOf(agentUserId) ?? null;
    const at = this.stamp();
    const message = inTransaction(this.deps.sqlite, () => {
      if (!this.repo.setState(row.id, row.state, 'active', at)) throw conflict('The conversation changed meanwhile.');
      this.repo.setOwner(row.id, agentUserId, reason ? JSON.stringify(reason) : null, at);
      this.repo.addParticipant({ conversationId: row.id, userId: agentUserId, kind: 'agent', displayName: agentDisplayName, at });
      this.repo.setMuted(row.id, 'bot', true);
      return this.appendSystem(row.id, `${agentDisplayName ?? 'An agent'} joined the chat.`, at);
    });
    const updated = this.repo.get(row.id)!;
    this.deps.events.publishAll([
      ['conversation.participant-joined', { conversationId: row.id, userId: agentUserId, kind: 'agent' }],
      ['conversation.updated', { conversation: this.view(updated, 'staff') }],
      ['conversation.message', { message, conversationId: row.id }],
    ]);
    return updated;
  }

  /**
   * Routing offered the conversation to an agent (`queued` → `offered`), or the offer ended without an
   * answer (`offered` → `queued`). No chat line: the patient's view only shows the state.
   */
  markOffered(conversationId: string, offered: boolean): void {
    const row = this.repo.get(conversationId);
    const [from, to]: ConversationState[] = offered ? ['queued', 'offered'] : ['offered', 'queued'];
    if (!row || row.state !== from) return;
    if (this.repo.setState(row.id, from!, to!, this.stamp())) this.deps.events.publish('conversation.updated', { conversation: this.view(this.repo.get(row.id)!, 'staff') });
  }

  /**
   * Stores the handoff packet, moves the conversation to `queued` and publishes `conversation.queued`
   * for routing. Called when the bot asks for a person.
   */
  handoff(conversationId: string, request: HandoffRequest): ConversationRow {
    const row = this.require(conversationId);
    if (!canTransition(row.state, 'queued')) throw conflict(`A conversation in state ${row.state} cannot be queued.`);
    const packet: HandoffPacket = {
      reason: request.reason,
      intent: request.intent,
      // What the pre-chat form asked comes first; the bot's own answers follow.
      collectedAnswers: { ...prechatCollectedAnswers(row.prechat), ...request.collectedAnswers },
      ...(request.triageDisposition ? { triageDisposition: request.triageDisposition } : {}),
      summary: request.summary,
      language: request.language,
    };
    const queue = queueFor(request.intent, request.language);
    const skills = request.language === 'es' && queue !== 'spanish' ? [queue, 'spanish'] : [queue];
    const at = this.stamp();
    this.repo.setHandoff(row.id, queue, skills, request.priority ?? this.deps.queuePriority?.(queue) ?? DEFAULT_PRIORITY, packet, at);
    const updated = this.transition(this.repo.get(row.id)!, 'queued', 'Waiting for a person from our team.', undefined, (view) => [
      ['conversation.queued', { conversation: view, packet }],
    ]);
    return updated;
  }

  /** A system line in the chat (e.g. a closed queue's message): stored, so a resync shows it, and delivered. */
  postSystemMessage(conversationId: string, body: string): MessageView {
    const message = inTransaction(this.deps.sqlite, () => this.appendSystem(conversationId, body, this.stamp()));
    this.deps.events.publish('conversation.message', { message, conversationId });
    return message;
  }

  // --- commands the staff actions, supervision and bot turns build on ---

  /**
   * Changes the state (compare-and-set), runs `alsoInTransaction`, stores the system line; then
   * publishes `conversation.updated` and the line (and `more` events of the same command, with the
   * updated staff view) as one batch.
   */
  transition(
    row: ConversationRow,
    to: ConversationState,
    systemText: string,
    alsoInTransaction?: (at: string) => void,
    more?: (view: ConversationView) => PublishedEvent[],
  ): ConversationRow {
    if (!canTransition(row.state, to)) throw conflict(`A conversation cannot go from ${row.state} to ${to}.`);
    const at = this.stamp();
    const { updated, message } = inTransaction(this.deps.sqlite, () => {
      if (!this.repo.setState(row.id, row.state, to, at)) throw conflict('The conversation changed meanwhile.');
      if (to === 'queued' && row.state !== 'offered') this.repo.markQueuedAt(row.id, at);
      alsoInTransaction?.(at);
      const stored = this.appendSystem(row.id, systemText, at);
      return { updated: this.repo.get(row.id)!, message: stored };
    });
    const view = this.view(updated, 'staff');
    this.deps.events.publishAll([['conversation.updated', { conversation: view }], ['conversation.message', { message, conversationId: row.id }], ...(more?.(view) ?? [])]);
    return updated;
  }

  /** Whether the user takes part in the conversation now (joined and not left). */
  isParticipant(conversationId: string, userId: string): boolean {
    const participant = this.repo.participant(conversationId, userId);
    return participant !== undefined && participant.left_at === null;
  }

  /** Adds a participant with a system line for everyone, in one transaction (the caller publishes). */
  addParticipant(conversationId: string, participant: { userId: string; kind: ParticipantKind; displayName: string | null }, systemLine: string): { updated: ConversationRow; message: MessageView } {
    const at = this.stamp();
    const message = inTransaction(this.deps.sqlite, () => {
      this.repo.addParticipant({ conversationId, ...participant, at });
      this.repo.touch(conversationId, at);
      return this.appendSystem(conversationId, systemLine, at);
    });
    return { updated: this.repo.get(conversationId)!, message };
  }

  /** Inside a transaction: the users leave the conversation. */
  removeParticipants(conversationId: string, userIds: readonly string[], at: string): void {
    for (const userId of userIds) this.repo.leave(conversationId, userId, at);
  }

  /** Staff participants who have not left. */
  activeStaff(conversationId: string): ParticipantRow[] {
    return this.repo.participants(conversationId).filter((p) => STAFF_KINDS.has(p.kind) && p.left_at === null);
  }

  nameOf(actor: Actor): string {
    return actor.displayName ?? this.deps.directory.displayNameOf(actor.userId) ?? actor.userId;
  }

  displayNameOf(userId: string): string | undefined {
    return this.deps.directory.displayNameOf(userId);
  }

  /** A staff member who is not the actor, as the recipient of a disclosure (role from the directory). */
  recipient(userId: string): DisclosureRecipient {
    return { userId, role: this.deps.directory.roleOf(userId) ?? null };
  }

  /** An internal line only staff see (kind `note`, from the system). */
  appendStaffNote(conversationId: string, body: string, at: string): MessageView {
    return toMessageView(
      this.repo.appendMessage({ id: randomUUID(), conversationId, clientMessageId: null, senderKind: 'system', senderId: 'system', kind: 'note', body, createdAt: at }),
    );
  }

  appendSystem(conversationId: string, body: string, at: string): MessageView {
    return toMessageView(
      this.repo.appendMessage({ id: randomUUID(), conversationId, clientMessageId: null, senderKind: 'system', senderId: 'system', kind: 'system', body, createdAt: at }),
    );
  }

  /** Runs `work` in one transaction of the conversations database. */
  inTransaction<T>(work: () => T): T {
    return inTransaction(this.deps.sqlite, work);
  }

  publishAll(events: readonly PublishedEvent[]): void {
    this.deps.events.publishAll(events);
  }

  /** Tells the staff members' desks they are out of the conversation (after the transaction). */
  removedEvents(conversationId: string, userIds: readonly string[], cause: StaffRemovalCause): PublishedEvent[] {
    return userIds.map((userId) => ['conversation.staff-removed', { conversationId, userId, cause }] as PublishedEvent);
  }

  /** A staff action on a conversation, audited with the actor and (for a signed-in patient) the patient. */
  auditAction(actor: Actor, row: ConversationRow, action: string, details: Record<string, unknown>): void {
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

  /**
   * The conversation's content reached a staff member (an offer's hand-off packet, an accepted or
   * opened chat, a resync, monitoring, and the live messages that follow any of them): one `phi.read`
   * row per staff member, conversation and purpose, not one per message. Batched off the message
   * path; resolves once the row is durable (callers that answer with the content await it). Visitors'
   * chats are recorded too, without a patient id.
   */
  disclose(staff: DisclosureRecipient, row: Pick<ConversationRow, 'id' | 'patient_id'>, purpose: DisclosurePurpose, origin: RequestOrigin | null = null, details: Record<string, unknown> = {}): Promise<void> {
    return this.deps.disclosures.once(staff.userId, row.id, purpose, (): AuditEntry => ({
      actorId: staff.userId,
      actorRole: staff.role,
      action: 'phi.read',
      resourceType: 'Conversation',
      resourceId: row.id,
      patientId: row.patient_id,
      reason: DISCLOSURE_REASONS[purpose] ?? 'conversation participant',
      ip: origin?.ip ?? null,
      requestId: origin?.requestId ?? null,
      details: { purpose, ...details },
    }));
  }

  /** `disclose` for pushes nobody waits on (an offer, a transfer): a failed write is logged by the batch. */
  discloseInBackground(staff: DisclosureRecipient, row: Pick<ConversationRow, 'id' | 'patient_id'>, purpose: DisclosurePurpose, origin: RequestOrigin | null = null, details: Record<string, unknown> = {}): void {
    this.disclose(staff, row, purpose, origin, details).catch(() => {});
  }

  /** The user left the conversation: a later return is a new disclosure. */
  forgetDisclosures(userId: string, conversationId: string): void {
    this.deps.disclosures.forget(userId, conversationId);
  }

  /** A refused read of the conversation: a `phi.read` row with outcome `denied` (batched; the refusal carries no content). */
  auditDenied(actor: Actor, row: Pick<ConversationRow, 'id' | 'patient_id'>, purpose: string, origin: RequestOrigin | null, message: string): void {
    this.deps.auditBatch
      .record([
        {
          actorId: actor.userId,
          actorRole: actor.kind === 'staff' ? actor.role : actor.kind,
          action: 'phi.read',
          outcome: 'denied',
          resourceType: 'Conversation',
          resourceId: row.id,
          patientId: row.patient_id,
          reason: message,
          ip: origin?.ip ?? null,
          requestId: origin?.requestId ?? null,
          details: { purpose },
        },
      ])
      .catch(() => {});
  }

  /** The actor's part in the conversation for reading it, or forbidden — and then an audited refusal. */
  readerKind(actor: Actor, row: ConversationRow, purpose: string, origin: RequestOrigin | null): ParticipantKind {
    try {
      return this.membership(row, actor);
    } catch (err) {
      if (isAppError(err) && err.code === 'forbidden') this.auditDenied(actor, row, purpose, origin, err.message);
      throw err;
    }
  }

  /** Staff participants' current names, for mentions. */
  private staffNames(conversationId: string): { userId: string; displayName: string }[] {
    return this.activeStaff(conversationId).flatMap((p) => {
      const displayName = this.deps.directory.displayNameOf(p.user_id);
      return displayName === undefined ? [] : [{ userId: p.user_id, displayName }];
    });
  }

}

/** A staff actor as the recipient of a disclosure. */
export function staffRecipient(actor: Actor): DisclosureRecipient {
  return { userId: actor.userId, role: actor.kind === 'staff' ? actor.role : null };
}

function parseReason(stored: string | null): AssignmentReason | null {
  if (stored === null) return null;
  try {
    return JSON.parse(stored) as AssignmentReason;
  } catch {
    return null;
  }
}

/** The stored pre-chat answers as the hand-off packet's collected answers, labelled for staff. */
export function prechatCollectedAnswers(stored: string | null): Record<string, string> {
  if (!stored) return {};
  const answers = JSON.parse(stored) as PrechatAnswers;
  const collected: Record<string, string> = {};
  for (const key of Object.keys(PRECHAT_ANSWER_KEYS) as Array<keyof PrechatAnswers>) {
    const value = answers[key];
    if (value !== undefined) collected[PRECHAT_ANSWER_KEYS[key]] = value;
  }
  return collected;
}
