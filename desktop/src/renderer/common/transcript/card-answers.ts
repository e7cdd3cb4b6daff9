/**
 * Which card each patient's card submission answered: the newest bot message with cards before it.
 * The transcript draws that card with the submitted values in its inputs. Pure.
 */
import { submittedCardValue, type MessageView } from '@carebridge/server/contracts';

/** Submitted inputs by the seq of the bot message whose card they answered. `messages` in seq order. */
export function cardAnswersBySeq(messages: readonly MessageView[]): Map<number, Record<string, unknown>> {
  const answers = new Map<number, Record<string, unknown>>();
  let openCard: number | null = null;
  for (const message of messages) {
    if (message.sender.kind === 'bot') openCard = (message.bot?.attachments?.length ?? 0) > 0 ? message.seq : null;
    else if (message.sender.kind === 'patient' || message.sender.kind === 'visitor') {
      const value = submittedCardValue(message.bot);
      if (value && openCard !== null) answers.set(openCard, value);
      openCard = null;
    }
  }
  return answers;
}
