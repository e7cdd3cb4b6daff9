import { describe, expect, it } from 'vitest';
import type { ConversationView, MessageView, OfferEvent } from '@carebridge/server/contracts';
import {
  activeChanged,
  conversationOpened,
  conversationRemoved,
  conversationUpdated,
  countsAsUnread,
  emptyInboxState,
  inboxLoaded,
  inboxSlice,
  lastContiguousSeq,
  mergeMessages,
  messageAcked,
  messageFailed,
  messageQueued,
  messageReceived,
  messagesSynced,
  offerReceived,
  offerRemoved,
  receiptReceived,
  selectAttentionCount,
  selectInboxConversations,
  selectOffers,
  typingReceived,
  type InboxState,
} from './inbox-slice.js';

const reduce = (state: InboxState, ...actions: Parameters<typeof inboxSlice.reducer>[1][]) => actions.reduce(inboxSlice.reducer, state);
const root = (inbox: InboxState) => ({ inbox });

const conversation = (id: string, extra: Partial<ConversationView> = {}): ConversationView => ({
  id,
  channel: 'portal',
  state: 'active',
  patientId: null,
  visitorName: 'Vera',
  queue: 'general',
  priority: 2,
  skills: [],
  lastSeq: 0,
  createdAt: '2025-01-01T10:00:00.000Z',
  updatedAt: '2025-01-01T10:00:00.000Z',
  closedAt: null,
  ...extra,
});

let seq = 0;
const message = (conversationId: string, s: number, sender: MessageView['sender'], extra: Partial<MessageView> = {}): MessageView => ({
  id: `m${++seq}`,
  conversationId,
  seq: s,
  clientMessageId: null,
  sender,
  kind: 'text',
  body: `message ${s}`,
  createdAt: '2025-01-01T10:00:00.000Z',
  ...extra,
});
const patient = { kind: 'visitor' as const, id: 'visitor-1' };
const me = { kind: 'agent' as const, id: 'agent-me' };

const offer = (offerId: string, conversationId = `c-${offerId}`): OfferEvent => ({
  offerId,
  conversationId,
  queue: 'general',
  priority: 2,
  packet: null,
  expiresAt: '2025-01-01T10:00:30.000Z',
  reason: {} as OfferEvent['reason'],
});

const opened = (id: string) => conversationOpened({ conversation: conversation(id), packet: null, cause: 'offer', at: '2025-01-01T10:00:00.000Z' });

describe('conversation updates out of order', () => {
  it('never lets an older view (a late sync reply) undo a newer state such as wrap-up', () => {
    let state = reduce(emptyInboxState(), opened('c1'));
    state = reduce(state, conversationUpdated(conversation('c1', { state: 'wrapup', updatedAt: '2025-01-01T10:05:00.000Z' })));
    state = reduce(
      state,
      messagesSynced({ conversationId: 'c1', messages: [], conversation: conversation('c1', { state: 'active', updatedAt: '2025-01-01T10:04:59.000Z' }), done: true }),
      conversationUpdated(conversation('c1', { state: 'active', updatedAt: '2025-01-01T10:04:00.000Z' })),
    );
    expect(state.conversations.entities.c1!.conversation.state).toBe('wrapup');
    // A view as new (or newer) applies, keeping the staff-only fields a patient-facing view lacks.
    state = reduce(state, conversationUpdated(conversation('c1', { state: 'wrapup', agentId: 'agent-me', updatedAt: '2025-01-01T10:05:00.000Z' })));
    state = reduce(state, conversationUpdated(conversation('c1', { state: 'closed', updatedAt: '2025-01-01T10:06:00.000Z' })));
    expect(state.conversations.entities.c1!.conversation).toMatchObject({ state: 'closed', agentId: 'agent-me' });
  });
});

describe('mergeMessages and lastContiguousSeq', () => {
  it('keeps each seq once, in order, whatever order pages and events arrive in', () => {
    const a = [1, 2, 3].map((s) => message('c', s, patient));
    const merged = mergeMessages(a, [message('c', 5, patient), message('c', 3, patient), message('c', 4, patient)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(mergeMessages(merged, []).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(mergeMessages([message('c', 4, patient)], [message('c', 1, patient)]).map((m) => m.seq)).toEqual([1, 4]);
  });
  it.each([
    [[], 0],
    [[1, 2, 3], 3],
    [[1, 2, 4, 5], 2],
    [[2, 3], 0],
  ])('the resync point of %j is %i', (seqs, expected) => {
    expect(lastContiguousSeq(seqs.map((s) => message('c', s, patient)))).toBe(expected);
  });
});

describe('unread counting', () => {
  it.each([
    [{ sender: patient, kind: 'text' }, true],
    [{ sender: patient, kind: 'attachment' }, true],
    [{ sender: { kind: 'agent', id: 'colleague' }, kind: 'note' }, true],
    [{ sender: { kind: 'supervisor', id: 'boss' }, kind: 'whisper' }, true],
    [{ sender: me, kind: 'text' }, false],
    [{ sender: { kind: 'bot', id: 'bot:greeting' }, kind: 'text' }, false],
    [{ sender: { kind: 'system', id: 'system' }, kind: 'system' }, false],
  ] as const)('%j counts: %s', (partial, expected) => {
    expect(countsAsUnread(message('c', 1, partial.sender, { kind: partial.kind }), me.id)).toBe(expected);
  });

  it('counts messages in background tabs only, and clears when the tab comes on screen', () => {
    let state = reduce(emptyInboxState(), opened('a'), opened('b'), activeChanged('a'));
    state = reduce(
      state,
      messageReceived({ message: message('a', 1, patient), me: me.id }),
      messageReceived({ message: message('b', 1, patient), me: me.id }),
      messageReceived({ message: message('b', 2, patient), me: me.id }),
      // The same message again (event and sync) counts once.
      messageReceived({ message: message('b', 2, patient), me: me.id }),
      messageReceived({ message: message('b', 3, me), me: me.id }),
      offerReceived({ offer: offer('o1'), receivedAt: 1 }),
    );
    const [a, b] = selectInboxConversations(root(state));
    expect([a!.unread, b!.unread]).toEqual([0, 2]);
    expect(selectAttentionCount(root(state))).toBe(3);
    state = reduce(state, activeChanged('b'));
    expect(selectInboxConversations(root(state))[1]!.unread).toBe(0);
    expect(selectAttentionCount(root(state))).toBe(1);
  });
});

describe('offers', () => {
  it('lists offers oldest first; accepting one removes it and opens the tab', () => {
    let state = reduce(emptyInboxState(), offerReceived({ offer: offer('late'), receivedAt: 20 }), offerReceived({ offer: offer('early'), receivedAt: 10 }));
    expect(selectOffers(root(state)).map((o) => o.offerId)).toEqual(['early', 'late']);
    state = reduce(state, conversationOpened({ conversation: conversation('c-early'), packet: null, cause: 'offer', at: '2025-01-01T10:00:00.000Z' }));
    expect(selectOffers(root(state)).map((o) => o.offerId)).toEqual(['late']);
    state = reduce(state, offerRemoved('late'));
    expect(selectOffers(root(state))).toEqual([]);
    expect(selectInboxConversations(root(state)).map((c) => c.id)).toEqual(['c-early']);
  });
});

describe('inbox:list after a reconnect', () => {
  it('keeps transcripts already held, drops conversations that are no longer ours, adds new ones, replaces offers', () => {
    let state = reduce(emptyInboxState(), opened('kept'), opened('gone'), messagesSynced({ conversationId: 'kept', messages: [message('kept', 1, patient)], done: true }));
    state = reduce(state, offerReceived({ offer: offer('old'), receivedAt: 1 }));
    state = reduce(
      state,
      inboxLoaded({
        conversations: [conversation('kept', { lastSeq: 4 }), conversation('new', { participants: [{ userId: me.id, kind: 'agent', displayName: 'Me', joinedAt: '2025-01-01T09:00:00.000Z' }] })],
        offers: [offer('fresh')],
        at: '2025-01-01T10:00:00.000Z',
      }),
    );
    const list = selectInboxConversations(root(state));
    expect(list.map((c) => c.id)).toEqual(['kept', 'new']);
    expect(list[0]!.messages).toHaveLength(1);
    expect(list[0]!.conversation.lastSeq).toBe(4);
    expect(list[1]!.openedAt).toBe('2025-01-01T09:00:00.000Z');
    expect(list[1]!.loading).toBe(true);
    expect(selectOffers(root(state)).map((o) => o.offerId)).toEqual(['fresh']);
    expect(state.status).toBe('ready');
  });
});

describe('sending', () => {
  const pending = (clientMessageId: string) => messageQueued({ conversationId: 'a', message: { clientMessageId, kind: 'text', body: 'hi', createdAt: 'x', status: 'sending', error: null } });

  it('shows a message as pending until the server echoes it, once, whether the ack or the echo comes first', () => {
    let state = reduce(emptyInboxState(), opened('a'), pending('u1'), pending('u1'), pending('u2'));
    expect(selectInboxConversations(root(state))[0]!.pending.map((p) => p.clientMessageId)).toEqual(['u1', 'u2']);
    // u1: echo first, then ack.
    state = reduce(state, messageReceived({ message: message('a', 1, me, { clientMessageId: 'u1' }), me: me.id }), messageAcked({ conversationId: 'a', clientMessageId: 'u1' }));
    // u2: ack first (kept pending until the transcript has it), then the sync brings it.
    state = reduce(state, messageAcked({ conversationId: 'a', clientMessageId: 'u2' }));
    expect(selectInboxConversations(root(state))[0]!.pending.map((p) => p.clientMessageId)).toEqual(['u2']);
    state = reduce(state, messagesSynced({ conversationId: 'a', messages: [message('a', 2, me, { clientMessageId: 'u2' })], done: true }));
    const entry = selectInboxConversations(root(state))[0]!;
    expect(entry.pending).toEqual([]);
    expect(entry.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('marks a refused message failed and an offline one as waiting for the connection', () => {
    let state = reduce(emptyInboxState(), opened('a'), pending('u1'), pending('u2'));
    state = reduce(
      state,
      messageFailed({ conversationId: 'a', clientMessageId: 'u1', error: 'Could not send the message: closed.', offline: false }),
      messageFailed({ conversationId: 'a', clientMessageId: 'u2', error: 'Not sent yet', offline: true }),
    );
    expect(selectInboxConversations(root(state))[0]!.pending.map((p) => p.status)).toEqual(['failed', 'offline']);
  });
});

describe('receipts and typing', () => {
  it('takes the highest seq the patient received or read; read implies delivered; our own receipts are ignored', () => {
    let state = reduce(emptyInboxState(), opened('a'), messageReceived({ message: message('a', 1, patient), me: me.id }));
    state = reduce(
      state,
      receiptReceived({ conversationId: 'a', userId: patient.id, kind: 'delivered', seq: 3, me: me.id }),
      receiptReceived({ conversationId: 'a', userId: patient.id, kind: 'read', seq: 2, me: me.id }),
      receiptReceived({ conversationId: 'a', userId: patient.id, kind: 'delivered', seq: 2, me: me.id }),
      receiptReceived({ conversationId: 'a', userId: me.id, kind: 'read', seq: 9, me: me.id }),
      receiptReceived({ conversationId: 'a', userId: 'a-colleague', kind: 'read', seq: 9, me: me.id }),
    );
    const entry = selectInboxConversations(root(state))[0]!;
    expect([entry.peerDelivered, entry.peerRead]).toEqual([3, 2]);
    state = reduce(state, receiptReceived({ conversationId: 'a', userId: patient.id, kind: 'read', seq: 5, me: me.id }));
    expect(selectInboxConversations(root(state))[0]!.peerDelivered).toBe(5);
  });

  it('shows who types until they stop or their message arrives', () => {
    let state = reduce(emptyInboxState(), opened('a'), typingReceived({ conversationId: 'a', sender: patient, typing: true, at: 5, me: me.id }));
    state = reduce(state, typingReceived({ conversationId: 'a', sender: me, typing: true, at: 5, me: me.id }));
    expect(Object.keys(selectInboxConversations(root(state))[0]!.typing)).toEqual([patient.id]);
    state = reduce(state, messageReceived({ message: message('a', 1, patient), me: me.id }));
    expect(selectInboxConversations(root(state))[0]!.typing).toEqual({});
  });

  it('removing the tab on screen leaves no tab on screen', () => {
    const state = reduce(emptyInboxState(), opened('a'), activeChanged('a'), conversationRemoved('a'));
    expect(state.activeId).toBeNull();
    expect(selectInboxConversations(root(state))).toEqual([]);
  });
});
