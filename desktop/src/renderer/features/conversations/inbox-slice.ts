/**
 * The agent's inbox: pending offers and the open conversations (tabs), each with its transcript,
 * unsent messages, unread count, the patient's receipts and who is typing. Fed by live events and
 * acknowledgements (`inbox-live.ts`); pure reducers, unit-tested.
 */
import { createEntityAdapter, createSlice, type EntityState, type PayloadAction } from '@reduxjs/toolkit';
import type { ConversationAssignedEvent, ConversationView, HandoffPacket, MessageView, OfferEvent, ParticipantKind } from '@carebridge/server/contracts';

export type OpenCause = 'offer' | ConversationAssignedEvent['cause'] | 'restored' | 'join';
export type PendingKind = 'text' | 'note';

export interface PendingMessage {
  clientMessageId: string;
  kind: PendingKind;
  body: string;
  createdAt: string;
  /** `offline`: sent again after the next reconnect; `failed`: refused, the agent decides. */
  status: 'sending' | 'offline' | 'failed';
  error: string | null;
}

export interface InboxOffer extends OfferEvent {
  /** Epoch ms the desk received it (the oldest is accepted first). */
  receivedAt: number;
}

export interface InboxConversation {
  id: string;
  conversation: ConversationView;
  packet: HandoffPacket | null;
  /** Sorted by seq, each seq once. */
  messages: MessageView[];
  /** Sent by this desk and not yet seen back from the server. */
  pending: PendingMessage[];
  unread: number;
  /** Highest seq the patient's side reported delivered / read. */
  peerDelivered: number;
  peerRead: number;
  /** Who is typing, by sender id: their kind and when it was said (epoch ms). */
  typing: Record<string, { kind: ParticipantKind; at: number }>;
  /** When it entered this inbox (ISO): the handle timer starts here. */
  openedAt: string;
  cause: OpenCause;
  /** A transfer or consult note from the colleague who sent it here. */
  handoverNote: string | null;
  /** The first transcript page is on its way. */
  loading: boolean;
  error: string | null;
}

export type InboxStatus = 'idle' | 'loading' | 'ready' | 'error';

const offersAdapter = createEntityAdapter<InboxOffer, string>({
  selectId: (o) => o.offerId,
  sortComparer: (a, b) => a.receivedAt - b.receivedAt || a.offerId.localeCompare(b.offerId),
});
// No sort comparer: insertion order is the tab order.
const conversationsAdapter = createEntityAdapter<InboxConversation, string>({ selectId: (c) => c.id });

export interface InboxState {
  status: InboxStatus;
  error: string | null;
  offers: EntityState<InboxOffer, string>;
  conversations: EntityState<InboxConversation, string>;
  /** The tab on screen (null when the Conversations workspace is not shown). */
  activeId: string | null;
}

export const emptyInboxState = (): InboxState => ({
  status: 'idle',
  error: null,
  offers: offersAdapter.getInitialState(),
  conversations: conversationsAdapter.getInitialState(),
  activeId: null,
});

/** Merges messages by seq (the server's order); a seq already held is kept once. */
export function mergeMessages(existing: MessageView[], incoming: readonly MessageView[]): MessageView[] {
  if (incoming.length === 0) return existing;
  const last = existing[existing.length - 1]?.seq ?? 0;
  const sortedIncoming = [...incoming].sort((a, b) => a.seq - b.seq);
  if (sortedIncoming[0]!.seq > last) {
    const out = [...existing];
    for (const m of sortedIncoming) if (m.seq > (out[out.length - 1]?.seq ?? 0)) out.push(m);
    return out;
  }
  const bySeq = new Map(existing.map((m) => [m.seq, m]));
  for (const m of sortedIncoming) if (!bySeq.has(m.seq)) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The highest seq held without a gap from the start (what to resync after). */
export function lastContiguousSeq(messages: readonly MessageView[]): number {
  let seq = 0;
  for (const m of messages) {
    if (m.seq === seq + 1) seq = m.seq;
    else if (m.seq > seq + 1) break;
  }
  return seq;
}

/** A message that should raise the unread count when it arrives in a tab not on screen. */
export function countsAsUnread(message: MessageView, me: string): boolean {
  if (message.sender.id === me) return false;
  if (message.sender.kind === 'system' || message.sender.kind === 'bot') return false;
  return message.kind === 'text' || message.kind === 'attachment' || message.kind === 'note' || message.kind === 'whisper' || message.kind === 'card';
}

/** Patient and visitor messages: the ones a desk acknowledges with receipts and notifies about. */
export const isFromPatient = (message: MessageView) => message.sender.kind === 'patient' || message.sender.kind === 'visitor';

function newConversation(conversation: ConversationView, packet: HandoffPacket | null, cause: OpenCause, at: string, note: string | null): InboxConversation {
  return {
    id: conversation.id,
    conversation,
    packet: packet ?? conversation.handoff ?? null,
    messages: [],
    pending: [],
    unread: 0,
    peerDelivered: 0,
    peerRead: 0,
    typing: {},
    openedAt: at,
    cause,
    handoverNote: note,
    loading: true,
    error: null,
  };
}

/**
 * A newer view of the conversation over the one held; an older one (a sync reply that was answered
 * before a state change but arrived after it) is ignored, so a closed or wrapped-up chat never
 * flips back. ISO timestamps of the same format compare as strings.
 */
export function mergeConversation(current: ConversationView, incoming: ConversationView): ConversationView {
  if (incoming.updatedAt < current.updatedAt) return current;
  return { ...current, ...incoming };
}

export const inboxSlice = createSlice({
  name: 'inbox',
  initialState: emptyInboxState,
  reducers: {
    inboxRequested(state) {
      if (state.status !== 'ready') state.status = 'loading';
      state.error = null;
    },
    inboxFailed(state, action: PayloadAction<string>) {
      state.status = state.status === 'ready' ? 'ready' : 'error';
      state.error = action.payload;
    },
    /** `inbox:list`: what the server says is ours now. Transcripts already held are kept. */
    inboxLoaded(state, action: PayloadAction<{ conversations: ConversationView[]; offers: OfferEvent[]; at: string }>) {
      const { conversations, offers, at } = action.payload;
      state.status = 'ready';
      state.error = null;
      const receivedAt = Date.parse(at);
      const known = new Map(Object.values(state.offers.entities).map((o) => [o.offerId, o.receivedAt]));
      offersAdapter.setAll(
        state.offers,
        offers.map((o, i) => ({ ...o, receivedAt: known.get(o.offerId) ?? receivedAt + i })),
      );
      const keep = new Set(conversations.map((c) => c.id));
      conversationsAdapter.removeMany(
        state.conversations,
        state.conversations.ids.filter((id) => !keep.has(id)),
      );
      for (const view of conversations) {
        const existing = state.conversations.entities[view.id];
        if (existing) {
          existing.conversation = view;
          existing.packet = existing.packet ?? view.handoff ?? null;
        } else {
          const joinedAt = view.participants?.find((p) => p.kind === 'agent' || p.kind === 'consultant' || p.kind === 'supervisor')?.joinedAt;
          conversationsAdapter.addOne(state.conversations, newConversation(view, null, 'restored', joinedAt ?? view.updatedAt, null));
        }
      }
    },
    offerReceived(state, action: PayloadAction<{ offer: OfferEvent; receivedAt: number }>) {
      offersAdapter.upsertOne(state.offers, { ...action.payload.offer, receivedAt: action.payload.receivedAt });
    },
    /** Withdrawn by the server, declined or accepted here. */
    offerRemoved(state, action: PayloadAction<string>) {
      offersAdapter.removeOne(state.offers, action.payload);
    },
    conversationOpened(
      state,
      action: PayloadAction<{ conversation: ConversationView; packet: HandoffPacket | null; cause: OpenCause; at: string; note?: string | null }>,
    ) {
      const { conversation, packet, cause, at, note } = action.payload;
      for (const offer of Object.values(state.offers.entities)) if (offer.conversationId === conversation.id) offersAdapter.removeOne(state.offers, offer.offerId);
      const existing = state.conversations.entities[conversation.id];
      if (existing) {
        existing.conversation = conversation;
        existing.packet = packet ?? existing.packet;
        existing.cause = cause;
        existing.handoverNote = note ?? existing.handoverNote;
        return;
      }
      conversationsAdapter.addOne(state.conversations, newConversation(conversation, packet, cause, at, note ?? null));
    },
    conversationRemoved(state, action: PayloadAction<string>) {
      conversationsAdapter.removeOne(state.conversations, action.payload);
      if (state.activeId === action.payload) state.activeId = null;
    },
    conversationUpdated(state, action: PayloadAction<ConversationView>) {
      const entry = state.conversations.entities[action.payload.id];
      if (!entry) return;
      // Patient-facing events may lack the staff-only fields: keep what we know.
      entry.conversation = mergeConversation(entry.conversation, action.payload);
      if (!entry.packet && action.payload.handoff) entry.packet = action.payload.handoff;
    },
    /** A page of `conversation:sync` (or the monitor/accept reply). */
    messagesSynced(state, action: PayloadAction<{ conversationId: string; messages: MessageView[]; conversation?: ConversationView; done: boolean }>) {
      const entry = state.conversations.entities[action.payload.conversationId];
      if (!entry) return;
      entry.messages = mergeMessages(entry.messages, action.payload.messages);
      if (action.payload.conversation) entry.conversation = mergeConversation(entry.conversation, action.payload.conversation);
      const seen = new Set(action.payload.messages.map((m) => m.clientMessageId).filter(Boolean));
      entry.pending = entry.pending.filter((p) => !seen.has(p.clientMessageId));
      if (action.payload.done) entry.loading = false;
      entry.error = null;
    },
    transcriptFailed(state, action: PayloadAction<{ conversationId: string; message: string }>) {
      const entry = state.conversations.entities[action.payload.conversationId];
      if (!entry) return;
      entry.loading = false;
      entry.error = action.payload.message;
    },
    messageReceived(state, action: PayloadAction<{ message: MessageView; me: string }>) {
      const { message, me } = action.payload;
      const entry = state.conversations.entities[message.conversationId];
      if (!entry) return;
      if (entry.messages.some((m) => m.seq === message.seq)) return;
      entry.messages = mergeMessages(entry.messages, [message]);
      if (message.seq > entry.conversation.lastSeq) entry.conversation.lastSeq = message.seq;
      if (message.clientMessageId && message.sender.id === me) entry.pending = entry.pending.filter((p) => p.clientMessageId !== message.clientMessageId);
      delete entry.typing[message.sender.id];
      if (state.activeId !== entry.id && countsAsUnread(message, me)) entry.unread += 1;
    },
    activeChanged(state, action: PayloadAction<string | null>) {
      state.activeId = action.payload;
      const entry = action.payload ? state.conversations.entities[action.payload] : undefined;
      if (entry) entry.unread = 0;
    },
    messageQueued(state, action: PayloadAction<{ conversationId: string; message: PendingMessage }>) {
      const entry = state.conversations.entities[action.payload.conversationId];
      if (!entry || entry.pending.some((p) => p.clientMessageId === action.payload.message.clientMessageId)) return;
      entry.pending.push(action.payload.message);
    },
    /** The server stored it: it shows from the transcript (message:new or the next sync). */
    messageAcked(state, action: PayloadAction<{ conversationId: string; clientMessageId: string }>) {
      const entry = state.conversations.entities[action.payload.conversationId];
      if (!entry) return;
      const held = entry.messages.some((m) => m.clientMessageId === action.payload.clientMessageId);
      if (held) entry.pending = entry.pending.filter((p) => p.clientMessageId !== action.payload.clientMessageId);
    },
    messageFailed(state, action: PayloadAction<{ conversationId: string; clientMessageId: string; error: string; offline: boolean }>) {
      const pending = state.conversations.entities[action.payload.conversationId]?.pending.find((p) => p.clientMessageId === action.payload.clientMessageId);
      if (!pending) return;
      pending.status = action.payload.offline ? 'offline' : 'failed';
      pending.error = action.payload.error;
    },
    messageRetrying(state, action: PayloadAction<{ conversationId: string; clientMessageId: string }>) {
      const pending = state.conversations.entities[action.payload.conversationId]?.pending.find((p) => p.clientMessageId === action.payload.clientMessageId);
      if (!pending) return;
      pending.status = 'sending';
      pending.error = null;
    },
    messageDiscarded(state, action: PayloadAction<{ conversationId: string; clientMessageId: string }>) {
      const entry = state.conversations.entities[action.payload.conversationId];
      if (entry) entry.pending = entry.pending.filter((p) => p.clientMessageId !== action.payload.clientMessageId);
    },
    typingReceived(state, action: PayloadAction<{ conversationId: string; sender: { kind: ParticipantKind; id: string }; typing: boolean; at: number; me: string }>) {
      const { conversationId, sender, typing, at, me } = action.payload;
      const entry = state.conversations.entities[conversationId];
      if (!entry || sender.id === me) return;
      if (typing) entry.typing[sender.id] = { kind: sender.kind, at };
      else delete entry.typing[sender.id];
    },
    receiptReceived(state, action: PayloadAction<{ conversationId: string; userId: string; kind: 'delivered' | 'read'; seq: number; me: string }>) {
      const { conversationId, userId, kind, seq, me } = action.payload;
      const entry = state.conversations.entities[conversationId];
      if (!entry || userId === me) return;
      // Only the patient's side counts for the ticks on our messages.
      const patientSide = entry.messages.some((m) => m.sender.id === userId && isFromPatient(m)) || userId === entry.conversation.patientId;
      if (!patientSide) return;
      entry.peerDelivered = Math.max(entry.peerDelivered, seq);
      if (kind === 'read') entry.peerRead = Math.max(entry.peerRead, seq);
    },
    inboxReset() {
      return emptyInboxState();
    },
  },
});

declare module '../../app/root-state.js' {
  interface RootState {
    inbox: InboxState;
  }
}

export const {
  inboxRequested,
  inboxFailed,
  inboxLoaded,
  offerReceived,
  offerRemoved,
  conversationOpened,
  conversationRemoved,
  conversationUpdated,
  messagesSynced,
  transcriptFailed,
  messageReceived,
  activeChanged,
  messageQueued,
  messageAcked,
  messageFailed,
  messageRetrying,
  messageDiscarded,
  typingReceived,
  receiptReceived,
  inboxReset,
} = inboxSlice.actions;

type WithInbox = { inbox: InboxState };
const offerSelectors = offersAdapter.getSelectors((state: WithInbox) => state.inbox.offers);
const conversationSelectors = conversationsAdapter.getSelectors((state: WithInbox) => state.inbox.conversations);

export const selectInbox = (state: WithInbox) => state.inbox;
/** Oldest first. */
export const selectOffers = offerSelectors.selectAll;
/** In tab order. */
export const selectInboxConversations = conversationSelectors.selectAll;
export const selectInboxConversation = (state: WithInbox, id: string) => conversationSelectors.selectById(state, id) as InboxConversation | undefined;
/** What the badge shows: unread messages plus offers waiting for an answer. */
export const selectAttentionCount = (state: WithInbox) =>
  state.inbox.offers.ids.length + state.inbox.conversations.ids.reduce((sum, id) => sum + (state.inbox.conversations.entities[id]?.unread ?? 0), 0);
