import { describe, expect, it } from 'vitest';
import type { MessageView } from '@carebridge/server/contracts';
import { formatDuration, liveTabTimer, secondsLeft, tabTimer } from './timers.js';

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [-5000, '0:00'],
    [5_400, '0:05'],
    [65_000, '1:05'],
    [12 * 60_000 + 3000, '12:03'],
    [3_723_000, '1:02:03'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('secondsLeft', () => {
  it('counts down whole seconds to the expiry, never below zero', () => {
    const now = Date.parse('2025-01-01T10:00:00.000Z');
    expect(secondsLeft('2025-01-01T10:00:30.000Z', now)).toBe(30);
    expect(secondsLeft('2025-01-01T10:00:00.400Z', now)).toBe(1);
    expect(secondsLeft('2025-01-01T09:59:00.000Z', now)).toBe(0);
    expect(secondsLeft('not a date', now)).toBe(0);
  });
});

const t = (s: number) => new Date(Date.parse('2025-01-01T10:00:00.000Z') + s * 1000).toISOString();
const msg = (seq: number, kind: MessageView['sender']['kind'], at: number, messageKind: MessageView['kind'] = 'text'): MessageView => ({
  id: `m${seq}`,
  conversationId: 'c',
  seq,
  clientMessageId: null,
  sender: { kind, id: kind },
  kind: messageKind,
  body: '',
  createdAt: t(at),
});

describe('tabTimer', () => {
  const now = Date.parse(t(100));
  it('counts the handle time since the chat came in while the patient is answered', () => {
    expect(tabTimer([], t(10), now)).toEqual({ kind: 'handling', ms: 90_000 });
    expect(tabTimer([msg(1, 'visitor', 20), msg(2, 'agent', 30)], t(10), now)).toEqual({ kind: 'handling', ms: 90_000 });
  });
  it('counts the wait since the first unanswered patient message; notes and system lines do not answer', () => {
    const messages = [msg(1, 'agent', 20), msg(2, 'visitor', 40), msg(3, 'agent', 50, 'note'), msg(4, 'system', 55, 'system'), msg(5, 'visitor', 60)];
    expect(tabTimer(messages, t(10), now)).toEqual({ kind: 'waiting', ms: 60_000 });
  });
  it('an ended chat (wrap-up or closed) has no timer: nobody waits for an answer', () => {
    const messages = [msg(1, 'agent', 20), msg(2, 'visitor', 40)];
    expect(liveTabTimer('active', messages, t(10), now)).toEqual(tabTimer(messages, t(10), now));
    expect(liveTabTimer('active', messages, t(10), now)?.kind).toBe('waiting');
    expect(liveTabTimer('wrapup', messages, t(10), now)).toBeNull();
    expect(liveTabTimer('closed', messages, t(10), now)).toBeNull();
  });
  it('a patient who wrote to the bot before the handoff waits from the moment the chat came in', () => {
    expect(tabTimer([msg(1, 'bot', 0), msg(2, 'visitor', 5), msg(3, 'bot', 6)], t(30), now)).toEqual({ kind: 'waiting', ms: 70_000 });
  });
});
