/**
 * Which bot message's buttons and card still answer the bot: the newest bot message, while the bot
 * has the chat and the patient has not written since (a sent or sending message answers it). Older
 * cards and suggested actions stay on screen, inactive. Pure; DOM-free.
 */
import type { MessageView } from '../../../src/contracts/conversations.js';

export function hasBotControls(message: MessageView): boolean {
  return message.sender.kind === 'bot' && ((message.bot?.attachments?.length ?? 0) > 0 || (message.bot?.suggestedActions?.length ?? 0) > 0);
}

/** The seq of the bot message whose controls are active, or null. `messages` in seq order. */
export function activeBotMessageSeq(messages: readonly MessageView[], selfId: string, options: { withBot: boolean; pendingCount: number }): number | null {
  if (!options.withBot || options.pendingCount > 0) return null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.sender.id === selfId) return null;
    if (message.sender.kind === 'bot') return hasBotControls(message) ? message.seq : null;
  }
  return null;
}
