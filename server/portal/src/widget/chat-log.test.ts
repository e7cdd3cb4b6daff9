import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../src/contracts/conversations.js';
import { ChatLog } from './chat-log.js';

const message = (seq: number, senderId: string, body: string, clientMessageId: string | null = null): MessageView => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  clientMessageId,
  sender: { kind: senderId === 'me' ? 'visitor' : senderId === 'bot' ? 'bot' : 'agent', id: senderId },
  kind: 'text',
  body,
  createdAt: new Date(2025, 0, 1, 12, 0, seq).toISOString(),
});

describe('ChatLog', () => {
  it('holds each message once, whether it comes from start, live delivery or a resync', () => {
    const log = new ChatLog('me', 'visitor');
    expect(log.add(message(1, 'bot', 'Hi'))).toBe(true);
    expect(log.add(message(3, 'agent-1', 'Hello'))).toBe(true);
    expect(log.add(message(1, 'bot', 'Hi'))).toBe(false);
    // A resync from the last seq returns the gap (2 was a staff note the patient never sees).
    for (const m of [message(3, 'agent-1', 'Hello'), message(4, 'agent-1', 'How can I help?')]) log.add(m);
    expect(log.messages().map((m) => m.seq)).toEqual([1, 3, 4]);
    expect(log.lastSeq).toBe(4);
  });

  it('an own message is pending until acknowledged, then stored once whichever of ack and echo comes first', () => {
    const log = new ChatLog('me', 'visitor');
    log.queue('a', 'first');
    log.queue('b', 'second');
    expect(log.unacknowledged().map((p) => p.clientMessageId)).toEqual(['a', 'b']);
    log.acknowledged('a', { seq: 2, messageId: 'm2' });
    log.add(message(2, 'me', 'first', 'a'));
    log.add(message(3, 'me', 'second', 'b'));
    log.acknowledged('b', { seq: 3, messageId: 'm3' });
    expect(log.unacknowledged()).toEqual([]);
    expect(log.messages().map((m) => [m.seq, m.body, m.sender.kind])).toEqual([
      [2, 'first', 'visitor'],
      [3, 'second', 'visitor'],
    ]);
  });

  it('after a reload, the saved unacknowledged messages are resent with their ids; one already stored is dropped on resync', () => {
    const log = new ChatLog('me', 'patient', [
      { clientMessageId: 'x', body: 'made it to the server', state: 'sending' },
      { clientMessageId: 'y', body: 'lost in the reload', state: 'sending' },
      { clientMessageId: 'z', body: 'refused', state: 'failed', error: 'too long' },
    ]);
    log.add({ ...message(5, 'me', 'made it to the server', 'x'), sender: { kind: 'patient', id: 'me' } });
    expect(log.unacknowledged().map((p) => p.clientMessageId)).toEqual(['y']);
    expect(log.pending().map((p) => p.clientMessageId)).toEqual(['y', 'z']);
    log.dismiss('z');
    expect(log.pending().map((p) => p.clientMessageId)).toEqual(['y']);
  });

  it('a refused message is failed and never resent', () => {
    const log = new ChatLog('me', 'visitor');
    log.queue('a', 'x'.repeat(10));
    log.refused('a', 'The conversation is closed: no new messages.');
    expect(log.unacknowledged()).toEqual([]);
    expect(log.pending()).toEqual([{ clientMessageId: 'a', body: 'x'.repeat(10), state: 'failed', error: 'The conversation is closed: no new messages.' }]);
  });

  it("own messages become delivered, then read, from the other side's receipts; own receipts do not count", () => {
    const log = new ChatLog('me', 'visitor');
    log.add(message(1, 'me', 'one', 'a'));
    log.add(message(2, 'me', 'two', 'b'));
    const [one, two] = log.messages();
    expect([log.statusOf(one!), log.statusOf(two!)]).toEqual(['sent', 'sent']);
    log.receipt('me', 'read', 2);
    expect(log.statusOf(two!)).toBe('sent');
    log.receipt('agent-1', 'delivered', 2);
    log.receipt('agent-1', 'read', 1);
    expect([log.statusOf(one!), log.statusOf(two!)]).toEqual(['read', 'delivered']);
    log.receipt('agent-1', 'delivered', 1);
    expect(log.statusOf(two!)).toBe('delivered');
  });

  it('knows the newest message from someone else, for receipts', () => {
    const log = new ChatLog('me', 'visitor');
    expect(log.lastFromOthers()).toBeUndefined();
    log.add(message(1, 'bot', 'Hi'));
    log.add(message(2, 'me', 'hello', 'a'));
    expect(log.lastFromOthers()?.seq).toBe(1);
  });
});
