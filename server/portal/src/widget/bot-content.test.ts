import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../src/contracts/conversations.js';
import { activeBotMessageSeq } from './bot-content.js';

let seq = 0;
const msg = (kind: 'bot' | 'visitor' | 'agent' | 'system', extra: Partial<MessageView> = {}): MessageView => ({
  id: `m${++seq}`,
  conversationId: 'c',
  seq,
  clientMessageId: null,
  sender: { kind, id: kind === 'visitor' ? 'me' : kind },
  kind: kind === 'system' ? 'system' : 'text',
  body: 'text',
  createdAt: '2026-12-07T00:00:00.000Z',
  ...extra,
});
const choices = { bot: { suggestedActions: [{ title: 'Yes', value: 'Yes' }] } };
const card = { bot: { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' as const, content: { type: 'AdaptiveCard' } }] } };
const withBot = { withBot: true, pendingCount: 0 };

describe('activeBotMessageSeq', () => {
  it('is the newest bot message while it has controls and nobody answered', () => {
    const asked = msg('bot', choices);
    expect(activeBotMessageSeq([msg('visitor'), asked], 'me', withBot)).toBe(asked.seq);
    const carded = msg('bot', card);
    expect(activeBotMessageSeq([asked, msg('system'), carded], 'me', withBot)).toBe(carded.seq);
  });

  it('is none once the patient answered (sent or still sending), a newer bot message came, or the bot left', () => {
    const asked = msg('bot', choices);
    expect(activeBotMessageSeq([asked, msg('visitor')], 'me', withBot)).toBeNull();
    expect(activeBotMessageSeq([asked], 'me', { withBot: true, pendingCount: 1 })).toBeNull();
    expect(activeBotMessageSeq([asked, msg('bot')], 'me', withBot)).toBeNull();
    expect(activeBotMessageSeq([asked], 'me', { withBot: false, pendingCount: 0 })).toBeNull();
    expect(activeBotMessageSeq([asked, msg('agent')], 'me', withBot)).toBe(asked.seq);
    expect(activeBotMessageSeq([], 'me', withBot)).toBeNull();
  });
});
