/**
 * Cards staff send into a chat: an appointment confirmation with its calendar link, an article the
 * patient opens in the portal, another notice. A card is a message of kind `card`: it has a place in the
 * transcript, is delivered and resynced like any message, and reads as its text (`cardText`) wherever
 * cards are not drawn. Only the agent or a supervisor in the conversation sends one, while it is open.
 */
import { randomUUID } from 'node:crypto';
import { cardText, chatCardSchema, type ChatCard, type MessageView } from '../contracts/conversations.js';
import type { Actor } from '../platform/auth/actor.js';
import { parseInput } from '../platform/http/validation.js';
import type { ConversationCore } from './core.js';

export class ChatCards {
  constructor(private readonly core: ConversationCore) {}

  /** Sends `card` as `actor`; the same `clientMessageId` sends it once. */
  async send(actor: Actor, conversationId: string, card: ChatCard, clientMessageId: string = randomUUID()): Promise<{ message: MessageView; duplicate: boolean }> {
    const checked = parseInput(chatCardSchema, card);
    return this.core.sendMessageDurably(actor, { conversationId, clientMessageId, kind: 'card', body: cardText(checked), card: checked });
  }
}
