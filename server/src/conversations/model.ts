/**
 * The conversation life cycle as pure data: which state may follow which. Routing, the desk and
 * the service all ask `canTransition` rather than encoding the rules themselves.
 *
 *   bot → queued → offered → active ⇄ waiting → wrapup → closed
 *
 * plus: a queued/offered conversation can be assigned directly (active); an offer that times out
 * or is declined goes back to queued; an agent can transfer (queued) or hand back to the bot; any
 * open conversation can be closed (the patient ends it, or a supervisor force-closes it).
 */
import type { ConversationState } from '../contracts/conversations.js';

export const TRANSITIONS: Readonly<Record<ConversationState, readonly ConversationState[]>> = {
  bot: ['queued', 'closed'],
  queued: ['offered', 'active', 'bot', 'closed'],
  offered: ['active', 'queued', 'closed'],
  active: ['waiting', 'wrapup', 'queued', 'bot', 'closed'],
  waiting: ['active', 'wrapup', 'queued', 'closed'],
  wrapup: ['closed'],
  closed: [],
};

export function canTransition(from: ConversationState, to: ConversationState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States in which the patient side can still send messages. */
export function isOpen(state: ConversationState): boolean {
  return state !== 'closed' && state !== 'wrapup';
}
