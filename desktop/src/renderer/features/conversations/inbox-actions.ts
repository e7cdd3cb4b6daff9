/**
 * What the agent does in the inbox, as thunks over the live socket: load the inbox, resync
 * transcripts, answer offers, send (and resend) messages, and the conversation actions. Each
 * resolves with an error sentence for the user, or null.
 */
import type { Dispatch } from '@reduxjs/toolkit';
import type { ConversationView, HandoffPacket } from '@carebridge/server/contracts';
import { liveErrorMessage, requestLive } from '../../api/live-requests.js';
import { isLiveSocketConnected } from '../../api/socket.js';
import type { SessionState } from '../../app/session/session-slice.js';
import {
  conversationOpened,
  conversationRemoved,
  conversationUpdated,
  inboxFailed,
  inboxLoaded,
  inboxRequested,
  isFromPatient,
  lastContiguousSeq,
  messageAcked,
  messageFailed,
  messageQueued,
  messageRetrying,
  messagesSynced,
  offerRemoved,
  selectOffers,
  transcriptFailed,
  type InboxState,
  type OpenCause,
  type PendingKind,
} from './inbox-slice.js';

interface State {
  session: SessionState;
  inbox: InboxState;
}
type GetState = () => State;
type Thunk<R> = (dispatch: Dispatch, getState: GetState) => Promise<R>;

const MAX_SYNC_PAGES = 200;
const syncing = new Map<string, Promise<void>>();

/** Every page after the last seq held, until the server has no more. One sync per conversation at a time. */
export function syncTranscript(conversationId: string): Thunk<void> {
  return (dispatch, getState) => {
    const running = syncing.get(conversationId);
    if (running) return running;
    const run = (async () => {
      for (let page = 0; page < MAX_SYNC_PAGES; page++) {
        const entry = getState().inbox.conversations.entities[conversationId];
        if (!entry) return;
        const reply = await requestLive('conversation:sync', { conversationId, afterSeq: lastContiguousSeq(entry.messages) });
        if (!reply.ok) {
          dispatch(transcriptFailed({ conversationId, message: liveErrorMessage('load the transcript', reply.error) }));
          return;
        }
        dispatch(messagesSynced({ conversationId, messages: reply.messages, conversation: reply.conversation, done: !reply.hasMore }));
        if (!reply.hasMore) break;
      }
      const synced = getState().inbox.conversations.entities[conversationId];
      const lastFromPatient = synced?.messages.findLast(isFromPatient);
      if (lastFromPatient) sendReceipt(conversationId, getState().inbox.activeId === conversationId ? 'read' : 'delivered', lastFromPatient.seq);
    })().finally(() => syncing.delete(conversationId));
    syncing.set(conversationId, run);
    return run;
  };
}

/** `inbox:list`, then a resync of every conversation and a resend of what was not acknowledged. */
export function loadInbox(): Thunk<void> {
  return async (dispatch, getState) => {
    dispatch(inboxRequested());
    const reply = await requestLive('inbox:list', {});
    if (!reply.ok) {
      dispatch(inboxFailed(liveErrorMessage('load your conversations', reply.error)));
      return;
    }
    dispatch(inboxLoaded({ conversations: reply.conversations, offers: reply.offers, at: new Date().toISOString() }));
    await Promise.all(getState().inbox.conversations.ids.map((id) => syncTranscript(id)(dispatch, getState)));
    await resendPending()(dispatch, getState);
  };
}

/** Sends again every message the server has not acknowledged; the same client id makes it idempotent. */
export function resendPending(): Thunk<void> {
  return async (dispatch, getState) => {
    const jobs: Promise<unknown>[] = [];
    for (const entry of Object.values(getState().inbox.conversations.entities)) {
      for (const pending of entry.pending) {
        if (pending.status === 'failed') continue;
        jobs.push(deliver(entry.id, pending.clientMessageId)(dispatch, getState));
      }
    }
    await Promise.all(jobs);
  };
}

function deliver(conversationId: string, clientMessageId: string): Thunk<string | null> {
  return async (dispatch, getState) => {
    const pending = getState().inbox.conversations.entities[conversationId]?.pending.find((p) => p.clientMessageId === clientMessageId);
    if (!pending) return null;
    dispatch(messageRetrying({ conversationId, clientMessageId }));
    if (!isLiveSocketConnected()) {
      const error = 'Not sent yet: it goes out when the connection is back.';
      dispatch(messageFailed({ conversationId, clientMessageId, error, offline: true }));
      return null;
    }
    const reply = await requestLive('message:send', { conversationId, clientMessageId, body: pending.body, kind: pending.kind });
    if (reply.ok) {
      dispatch(messageAcked({ conversationId, clientMessageId }));
      const held = getState().inbox.conversations.entities[conversationId]?.messages.some((m) => m.seq === reply.seq);
      if (!held) await syncTranscript(conversationId)(dispatch, getState);
      return null;
    }
    const offline = reply.error.code === 'internal' && !isLiveSocketConnected();
    const error = offline ? 'Not sent yet: it goes out when the connection is back.' : liveErrorMessage('send the message', reply.error);
    dispatch(messageFailed({ conversationId, clientMessageId, error, offline }));
    return offline ? null : error;
  };
}

/** Queues a message with a fresh client id and sends it. */
export function sendMessage(conversationId: string, body: string, kind: PendingKind): Thunk<string | null> {
  return (dispatch, getState) => {
    const clientMessageId = crypto.randomUUID();
    dispatch(messageQueued({ conversationId, message: { clientMessageId, kind, body, createdAt: new Date().toISOString(), status: 'sending', error: null } }));
    return deliver(conversationId, clientMessageId)(dispatch, getState);
  };
}

export function retryMessage(conversationId: string, clientMessageId: string): Thunk<string | null> {
  return deliver(conversationId, clientMessageId);
}

// Receipts are coalesced per conversation (highest seq wins) so a busy chat stays under the rate limit.
const receiptTimers = new Map<string, { kind: 'delivered' | 'read'; seq: number; timer: ReturnType<typeof setTimeout> }>();
const sentReceipts = new Map<string, { delivered: number; read: number }>();

export function sendReceipt(conversationId: string, kind: 'delivered' | 'read', seq: number): void {
  const sent = sentReceipts.get(conversationId) ?? { delivered: 0, read: 0 };
  if (sent[kind] >= seq) return;
  const queued = receiptTimers.get(conversationId);
  if (queued && (queued.kind === 'read' || kind === 'delivered') && queued.seq >= seq) return;
  if (queued) clearTimeout(queued.timer);
  const timer = setTimeout(() => {
    receiptTimers.delete(conversationId);
    const now = sentReceipts.get(conversationId) ?? { delivered: 0, read: 0 };
    sentReceipts.set(conversationId, { delivered: Math.max(now.delivered, seq), read: kind === 'read' ? Math.max(now.read, seq) : now.read });
    void requestLive('receipt', { conversationId, seq, kind });
  }, 250);
  receiptTimers.set(conversationId, { kind, seq, timer });
}

export function forgetReceipts(): void {
  for (const { timer } of receiptTimers.values()) clearTimeout(timer);
  receiptTimers.clear();
  sentReceipts.clear();
}

/** Marks the patient's newest message read (the tab is on screen). */
export function markRead(conversationId: string): Thunk<void> {
  return (_dispatch, getState) => {
    const last = getState().inbox.conversations.entities[conversationId]?.messages.findLast(isFromPatient);
    if (last && document.visibilityState === 'visible') sendReceipt(conversationId, 'read', last.seq);
    return Promise.resolve();
  };
}

export function sendTyping(conversationId: string, typing: boolean): void {
  void requestLive('typing', { conversationId, typing });
}

function opened(conversation: ConversationView, packet: HandoffPacket | null, cause: OpenCause) {
  return conversationOpened({ conversation, packet, cause, at: new Date().toISOString() });
}

export type AcceptOutcome = { ok: true; conversationId: string } | { ok: false; message: string };

export function acceptOffer(offerId: string): Thunk<AcceptOutcome> {
  return async (dispatch, getState) => {
    const reply = await requestLive('offer:accept', { offerId });
    if (!reply.ok) {
      if (reply.error.code === 'not_found' || reply.error.code === 'conflict' || reply.error.code === 'forbidden') dispatch(offerRemoved(offerId));
      return { ok: false, message: liveErrorMessage('accept the offer', reply.error) };
    }
    dispatch(offerRemoved(offerId));
    dispatch(opened(reply.conversation, reply.packet, 'offer'));
    void syncTranscript(reply.conversation.id)(dispatch, getState);
    return { ok: true, conversationId: reply.conversation.id };
  };
}

/** Ctrl/⌘+Shift+A: the offer that has waited longest. */
export function acceptOldestOffer(): Thunk<AcceptOutcome> {
  return (dispatch, getState) => {
    const oldest = selectOffers(getState())[0];
    if (!oldest) return Promise.resolve({ ok: false, message: 'Accept next offer: no offers are waiting.' });
    return acceptOffer(oldest.offerId)(dispatch, getState);
  };
}

export function declineOffer(offerId: string): Thunk<string | null> {
  return async (dispatch) => {
    const reply = await requestLive('offer:decline', { offerId });
    if (reply.ok || reply.error.code === 'not_found') {
      dispatch(offerRemoved(offerId));
      return null;
    }
    return liveErrorMessage('decline the offer', reply.error);
  };
}

type ConversationEvent =
  | 'conversation:transfer'
  | 'conversation:consult'
  | 'conversation:consult-add'
  | 'conversation:leave'
  | 'conversation:wrapup'
  | 'conversation:close'
  | 'conversation:hand-back';

/** Events after which the conversation is no longer this agent's. */
const LEAVES_INBOX: ReadonlySet<ConversationEvent> = new Set(['conversation:transfer', 'conversation:leave', 'conversation:close', 'conversation:hand-back']);

/** One conversation action; resolves with an error sentence or null. */
export function conversationAction(event: ConversationEvent, payload: { conversationId: string } & Record<string, unknown>, what: string): Thunk<string | null> {
  return async (dispatch) => {
    const reply = await requestLive(event, payload);
    if (!reply.ok) return liveErrorMessage(what, reply.error);
    if (LEAVES_INBOX.has(event)) dispatch(conversationRemoved(payload.conversationId));
    else if ('conversation' in reply) dispatch(conversationUpdated(reply.conversation));
    return null;
  };
}

/**
 * Opens a conversation that is not (yet) in the inbox, e.g. from a link or after a supervisor
 * joined it: the server checks that this user takes part (`conversation:join-room`).
 */
export function openConversation(conversationId: string): Thunk<string | null> {
  return async (dispatch, getState) => {
    const reply = await requestLive('conversation:join-room', { conversationId });
    if (!reply.ok) return liveErrorMessage('open the conversation', reply.error);
    dispatch(opened(reply.conversation, reply.conversation.handoff ?? null, 'join'));
    await syncTranscript(conversationId)(dispatch, getState);
    return null;
  };
}
