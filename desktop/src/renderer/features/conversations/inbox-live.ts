/**
 * The inbox's side effects, registered on the session's listener middleware: live events into the
 * inbox slice while signed in, `inbox:list` + resync + resend on every (re)connect, receipts,
 * notifications for offers and patient messages, and the unread count on the badge.
 */
import { subscribeLive } from '../../api/socket.js';
import type { AppListeners } from '../../app/root-state.js';
import type { Settings } from '../../../shared/ipc-contract.js';
import { connectionChanged } from '../../app/connection/connection-slice.js';
import { notifyWhenAway } from '../notifications/index.js';
import { signedIn, signedOut, type SessionState } from '../../app/session/session-slice.js';
import { statusShown, unreadChanged } from '../../app/shell/shell-slice.js';
import { conversationsApi } from './conversations-api.js';
import { forgetReceipts, loadInbox, markRead, sendReceipt, syncTranscript } from './inbox-actions.js';
import {
  activeChanged,
  conversationOpened,
  conversationRemoved,
  conversationUpdated,
  inboxReset,
  inboxSlice,
  isFromPatient,
  messageReceived,
  offerReceived,
  offerRemoved,
  receiptReceived,
  selectAttentionCount,
  typingReceived,
  type InboxState,
} from './inbox-slice.js';

interface State {
  session: SessionState;
  inbox: InboxState;
  shell: { unread: number };
  settings: { values: Settings };
}

/** Roles with the Conversations workspace (see app/workspaces.ts). */
const INBOX_ROLES = new Set(['agent', 'supervisor']);

const REMOVED_TEXT = {
  transferred: 'was transferred to a colleague',
  reassigned: 'was reassigned by a supervisor',
  'force-closed': 'was closed by a supervisor',
  requeued: 'went back to the queue',
} as const;

export function patientLabel(conversation: { visitorName: string | null; patientId: string | null; participants?: { kind: string; displayName: string | null }[] }): string {
  const named = conversation.participants?.find((p) => (p.kind === 'patient' || p.kind === 'visitor') && p.displayName)?.displayName;
  return named ?? conversation.visitorName ?? (conversation.patientId ? 'Patient' : 'Visitor');
}

export function registerInboxListeners(listeners: AppListeners): void {
  let unsubscribers: Array<() => void> = [];

  listeners.startListening({
    actionCreator: signedIn,
    effect: (action, api) => {
      for (const off of unsubscribers) off();
      // Dispositions, quick replies and queues an admin saved reach every open desk at once.
      unsubscribers = [
        subscribeLive('settings:changed', (event) => {
          if (event.section === 'conversations' || event.section === 'routing') api.dispatch(conversationsApi.util.invalidateTags(['ConversationSettings']));
        }),
      ];
      if (!INBOX_ROLES.has(action.payload.user.role)) return;
      const getState = api.getState as () => State;
      const me = () => getState().session.user?.id ?? '';
      const dispatch = api.dispatch;
      unsubscribers.push(
        subscribeLive('offer:new', (offer) => {
          dispatch(offerReceived({ offer, receivedAt: Date.now() }));
          // Announced on the status line (a polite live region) for screen readers.
          dispatch(statusShown(`New offer from the ${offer.queue} queue${offer.packet?.reason ? `: ${offer.packet.reason}` : ''}. ${/Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl'}+Shift+A accepts it.`));
          notifyWhenAway(
            { kind: 'offer', title: 'New conversation offer', body: offer.packet?.summary?.slice(0, 300) || `A conversation from the ${offer.queue} queue is waiting.`, conversationId: offer.conversationId },
            getState().settings.values.notifications,
          );
        }),
        subscribeLive('offer:withdrawn', (event) => {
          if (!getState().inbox.offers.entities[event.offerId]) return;
          dispatch(offerRemoved(event.offerId));
          dispatch(
            statusShown(
              event.cause === 'expired'
                ? 'An offer expired and went to the next agent.'
                : event.cause === 'reassigned'
                  ? 'A supervisor gave an offered conversation to a colleague.'
                  : 'An offer was withdrawn.',
            ),
          );
        }),
        subscribeLive('conversation:assigned', (event) => {
          dispatch(conversationOpened({ conversation: event.conversation, packet: event.packet, cause: event.cause, at: new Date().toISOString(), note: event.note }));
          void syncTranscript(event.conversation.id)(dispatch, getState);
          const what = event.cause === 'consult' ? 'You were asked to consult on a conversation' : 'A conversation was handed to you';
          dispatch(statusShown(`${what}: ${patientLabel(event.conversation)}.`));
          notifyWhenAway({ kind: 'offer', title: what, body: event.note ?? patientLabel(event.conversation), conversationId: event.conversation.id }, getState().settings.values.notifications);
        }),
        subscribeLive('conversation:removed', (event) => {
          const entry = getState().inbox.conversations.entities[event.conversationId];
          if (!entry) return;
          dispatch(conversationRemoved(event.conversationId));
          dispatch(statusShown(`The conversation with ${patientLabel(entry.conversation)} ${REMOVED_TEXT[event.cause] ?? 'left your inbox'}.`));
        }),
        subscribeLive('message:new', (message) => {
          const state = getState();
          const entry = state.inbox.conversations.entities[message.conversationId];
          if (!entry) return;
          const gap = !entry.loading && message.seq > lastSeqHeld(entry) + 1;
          dispatch(messageReceived({ message, me: me() }));
          if (gap) void syncTranscript(message.conversationId)(dispatch, getState);
          if (!isFromPatient(message)) return;
          const onScreen = state.inbox.activeId === message.conversationId && document.visibilityState === 'visible';
          sendReceipt(message.conversationId, onScreen ? 'read' : 'delivered', message.seq);
          if (!onScreen || !document.hasFocus()) {
            notifyWhenAway(
              { kind: 'message', title: `Message from ${patientLabel(entry.conversation)}`, body: message.kind === 'attachment' ? 'Sent a file.' : message.body.slice(0, 300), conversationId: message.conversationId },
              state.settings.values.notifications,
            );
          }
        }),
        subscribeLive('note:mention', (event) => {
          const entry = getState().inbox.conversations.entities[event.conversationId];
          const where = entry ? ` (${patientLabel(entry.conversation)})` : '';
          dispatch(statusShown(`A colleague mentioned you in a note${where}: “${event.excerpt.slice(0, 120)}”`));
          notifyWhenAway({ kind: 'message', title: `You were mentioned in a note${where}`, body: event.excerpt, conversationId: event.conversationId }, getState().settings.values.notifications);
        }),
        subscribeLive('conversation:updated', (conversation) => dispatch(conversationUpdated(conversation))),
        subscribeLive('typing', (event) => dispatch(typingReceived({ ...event, at: Date.now(), me: me() }))),
        subscribeLive('receipt', (event) => dispatch(receiptReceived({ ...event, me: me() }))),
      );
    },
  });

  listeners.startListening({
    actionCreator: signedOut,
    effect: (_action, api) => {
      for (const off of unsubscribers) off();
      unsubscribers = [];
      forgetReceipts();
      api.dispatch(inboxReset());
    },
  });

  // Every (re)connect: what is ours now, what we missed, what did not go out.
  listeners.startListening({
    actionCreator: connectionChanged,
    effect: (action, api) => {
      const state = api.getState() as State;
      if (action.payload.status !== 'connected' || !INBOX_ROLES.has(state.session.user?.role ?? '')) return;
      void loadInbox()(api.dispatch, api.getState as () => State);
    },
  });

  listeners.startListening({
    actionCreator: activeChanged,
    effect: (action, api) => {
      if (action.payload) void markRead(action.payload)(api.dispatch, api.getState as () => State);
    },
  });

  // The badge: unread messages plus waiting offers.
  listeners.startListening({
    predicate: (action) => typeof action.type === 'string' && action.type.startsWith(`${inboxSlice.name}/`),
    effect: (_action, api) => {
      const state = api.getState() as State;
      const count = selectAttentionCount(state);
      if (count !== state.shell.unread) api.dispatch(unreadChanged(count));
    },
  });
}

function lastSeqHeld(entry: { messages: { seq: number }[] }): number {
  return entry.messages[entry.messages.length - 1]?.seq ?? 0;
}
