import { describe, expect, it } from 'vitest';
import { CONVERSATION_STATES, type ConversationState } from '../contracts/conversations.js';
import { canTransition, isOpen } from './model.js';

const allowed: ReadonlyArray<readonly [ConversationState, ConversationState]> = [
  ['bot', 'queued'],
  ['bot', 'closed'],
  ['queued', 'offered'],
  ['queued', 'active'],
  ['queued', 'bot'],
  ['queued', 'closed'],
  ['offered', 'active'],
  ['offered', 'queued'],
  ['offered', 'closed'],
  ['active', 'waiting'],
  ['active', 'wrapup'],
  ['active', 'queued'],
  ['active', 'bot'],
  ['active', 'closed'],
  ['waiting', 'active'],
  ['waiting', 'wrapup'],
  ['waiting', 'queued'],
  ['waiting', 'closed'],
  ['wrapup', 'closed'],
];

describe('conversation state transitions', () => {
  const key = (from: string, to: string) => `${from}→${to}`;
  const allowedKeys = new Set(allowed.map(([from, to]) => key(from, to)));
  const everyPair = CONVERSATION_STATES.flatMap((from) => CONVERSATION_STATES.map((to) => [from, to] as const));

  it.each(everyPair)('%s → %s follows the life cycle table', (from, to) => {
    expect(canTransition(from, to)).toBe(allowedKeys.has(key(from, to)));
  });

  it('never leaves closed, and only wrap-up and closed refuse new patient messages', () => {
    expect(CONVERSATION_STATES.filter((to) => canTransition('closed', to))).toEqual([]);
    expect(CONVERSATION_STATES.filter((s) => !isOpen(s))).toEqual(['wrapup', 'closed']);
  });
});
