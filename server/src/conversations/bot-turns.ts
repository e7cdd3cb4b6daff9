/**
 * Bot turns: runs a `BotParticipant` (the greeting bot today; the health-bot engine later) in the
 * conversations it owns. It greets a new conversation, and listens to `conversation.message`: a
 * patient's message in a conversation still with the bot gets the bot's turn, after the message is
 * acknowledged and in message order per conversation. Replies are stored as the bot's messages; a
 * hand-off request queues the conversation for a person.
 */
import { SYNC_PAGE_SIZE, type ConversationChannel, type MessageView, type PrechatAnswers } from '../contracts/conversations.js';
import type { Actor } from '../platform/auth/actor.js';
import { listen, type ListenerRegistration } from '../platform/events.js';
import type { Logger } from '../platform/logging.js';
import type { BotContext, BotParticipant, BotTurn } from './bot.js';
import type { ConversationCore } from './core.js';
import type { ConversationRow } from './repository.js';
import { PATIENT_KINDS } from './policy.js';
import { toMessageView } from './presenters.js';

export class BotTurns {
  /** Bot turns of one conversation run one after another, in message order. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly core: ConversationCore,
    private readonly bot: BotParticipant,
    private readonly logger: Logger,
  ) {}

  /** Starts a conversation with the bot: it is created (with the pre-chat answers), the bot greets, the greeting is returned. */
  async start(
    actor: Actor,
    channel: ConversationChannel = 'portal',
    prechat?: PrechatAnswers,
    start?: BotContext['start'],
  ): Promise<{ conversation: ConversationRow; messages: MessageView[] }> {
    const row = this.core.createConversation(actor, channel, prechat);
    const context = this.context(row, this.core.patientDisplayName(actor), actor.userId);
    const turn = await this.bot.onConversationStart(start ? { ...context, start } : context);
    const messages = await this.apply(row.id, turn);
    return { conversation: this.core.get(row.id)!, messages };
  }

  /** The listener that gives the bot its turn after a patient's message. */
  listener(): ListenerRegistration {
    return listen('conversation.message', 'conversations.bot-turns', ({ conversationId, message }) => {
      if (!PATIENT_KINDS.has(message.sender.kind as never)) return;
      if (this.core.get(conversationId)?.state !== 'bot') return;
      this.schedule(conversationId, message);
    });
  }

  /** Resolves once this conversation's pending bot turns have run (the channel API answers after the bot). */
  async settled(conversationId: string): Promise<void> {
    await this.queues.get(conversationId);
  }

  /** Resolves once pending bot turns have run (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  private context(row: ConversationRow, displayName: string | null, userId: string | undefined): BotContext {
    return {
      conversationId: row.id,
      channel: row.channel,
      displayName,
      ...(userId !== undefined ? { userId } : {}),
      patientId: row.patient_id,
      history: () => this.core.repo.messagesAfter(row.id, 0, SYNC_PAGE_SIZE, { includeNotes: false }).map(toMessageView),
    };
  }

  /** Persists the bot's replies (one group commit: durable, the fsync off the event loop), then hands off if asked. */
  private async apply(conversationId: string, turn: BotTurn): Promise<MessageView[]> {
    const at = this.core.stamp();
    const messages = await this.core.storeMessagesDurably(
      conversationId,
      turn.replies.map((reply) => ({ senderKind: 'bot' as const, senderId: this.bot.id, kind: reply.kind ?? 'text', body: reply.body, at, ...(reply.bot ? { bot: reply.bot } : {}) })),
    );
    this.core.publishAll(messages.map((message) => ['conversation.message', { message, conversationId }]));
    if (turn.handoff) this.core.handoff(conversationId, turn.handoff);
    return messages;
  }

  private schedule(conversationId: string, message: MessageView): void {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const row = this.core.get(conversationId);
        if (!row || row.state !== 'bot' || this.core.isBotMuted(conversationId)) return;
        const participant = this.core.repo.participants(conversationId).find((p) => PATIENT_KINDS.has(p.kind));
        const turn = await this.bot.onPatientMessage(this.context(row, participant?.display_name ?? null, participant?.user_id), message);
        if (this.core.get(conversationId)?.state !== 'bot') return;
        await this.apply(conversationId, turn);
      })
      .catch((err: unknown) => this.logger.error({ err, conversationId }, 'bot turn failed'))
      .finally(() => {
        if (this.queues.get(conversationId) === next) this.queues.delete(conversationId);
      });
    this.queues.set(conversationId, next);
  }
}
