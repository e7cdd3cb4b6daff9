import { describe, expect, it } from 'vitest';
import type { MessageView } from '@carebridge/server/contracts';
import { cardAnswersBySeq } from './card-answers.js';

let seq = 0;
const msg = (kind: 'bot' | 'visitor' | 'agent', bot?: MessageView['bot']): MessageView => ({
  id: `m${++seq}`,
  conversationId: 'c',
  seq,
  clientMessageId: null,
  sender: { kind, id: kind },
  kind: 'text',
  body: 'x',
  createdAt: '2026-12-07T00:00:00.000Z',
  ...(bot ? { bot } : {}),
});
const card = { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' as const, content: { type: 'AdaptiveCard' } }] };

describe('cardAnswersBySeq', () => {
  it('pairs a submission with the card just before it, and nothing else', () => {
    const asked = msg('bot', card);
    const answer = msg('visitor', { value: { how: 'email' } });
    const again = msg('bot', card);
    const typed = msg('visitor');
    const late = msg('visitor', { value: { how: 'phone' } });
    const third = msg('bot', card);
    const newer = msg('bot');
    const orphan = msg('visitor', { value: { how: 'sms' } });
    const fourth = msg('bot', card);
    const text = msg('visitor', { value: 'Yes' });
    const answers = cardAnswersBySeq([asked, answer, again, typed, late, third, newer, orphan, fourth, text]);
    expect([...answers]).toEqual([[asked.seq, { how: 'email' }]]);
  });
});
