/**
 * Conversations on the sockets. Client events: `/patient` (patients and visitors: start, send, sync,
 * typing, receipts, end) and `/staff` (staff: open, send, sync, typing, receipts and the staff
 * actions), bound by the platform's binder. Listeners turn `conversation.*` events into emits to
 * per-conversation rooms, so a message is serialized once per namespace and slow sockets only buffer
 * their own copies. Staff-only kinds (notes, whispers) never reach `/patient`.
 */
import {
  STAFF_ONLY_MESSAGE_KINDS,
  patientConversationEvents,
  staffConversationEvents,
  type ConversationAssignedEvent,
  type ConversationRemovedEvent,
} from '../contracts/conversations.js';
import { listen, type ListenerRegistration } from '../platform/events.js';
import { onEvent, type LiveSocket, type SocketEventHandler } from '../platform/realtime/binder.js';
import { eventOrigin } from '../platform/realtime/origin.js';
import { userRoom, type RealtimeHub } from '../platform/realtime/hub.js';
import type { SocketContribution } from '../platform/module.js';
import { staffRecipient, type ConversationCore } from './core.js';
import type { StaffActions } from './staff-actions.js';
import type { BotTurns } from './bot-turns.js';
import { forPatient, toConversationView } from './presenters.js';

/** The socket.io room of one conversation (both namespaces). */
export const conversationRoom = (id: string) => `conversation:${id}`;

/** Conversation events one actor may send per window (all their sockets together) before `too_many_requests`. */
export const CONVERSATION_EVENTS_PER_WINDOW = { limit: 100, windowMs: 10_000 };
/** New chats one patient or visitor may start per window. */
export const CONVERSATION_STARTS_PER_WINDOW = { limit: 20, windowMs: 60_000, message: 'Too many new chats: wait {s} s, or continue the one you have.' };

interface Parts {
  core: ConversationCore;
  staff: StaffActions;
  bot: BotTurns;
}

const actorOf = (socket: LiveSocket) => socket.data.actor;

export function conversationSockets({ core, staff, bot }: Parts): SocketContribution[] {
  const p = patientConversationEvents;
  const patientEvents: Record<string, SocketEventHandler> = {
    'conversation:start': onEvent(
      p['conversation:start'],
      async (socket, payload) => {
        const { conversation, messages } = await bot.start(actorOf(socket), payload.channel, payload.prechat);
        await socket.join(conversationRoom(conversation.id));
        return { ok: true, conversation: toConversationView(core.get(conversation.id) ?? conversation, 'patient'), messages };
      },
      // A person starts a handful of chats, not hundreds: per patient or visitor token, across sockets.
      { rateLimit: CONVERSATION_STARTS_PER_WINDOW },
    ),
    'message:send': onEvent(p['message:send'], async (socket, payload) => {
      const { message, duplicate } = await core.sendMessageDurably(actorOf(socket), payload);
      return { ok: true, seq: message.seq, messageId: message.id, duplicate };
    }),
    'conversation:sync': onEvent(p['conversation:sync'], async (socket, payload, origin) => {
      const result = core.sync(actorOf(socket), payload.conversationId, payload.afterSeq, { origin });
      await socket.join(conversationRoom(payload.conversationId));
      return { ok: true, conversation: toConversationView(result.conversation, 'patient'), messages: result.messages, hasMore: result.hasMore };
    }),
    typing: onEvent(p.typing, (socket, payload) => {
      core.typing(actorOf(socket), payload.conversationId, payload.typing);
      return { ok: true };
    }),
    receipt: onEvent(p.receipt, (socket, payload) => {
      core.receipt(actorOf(socket), payload.conversationId, payload.kind, payload.seq);
      return { ok: true };
    }),
    'conversation:end': onEvent(p['conversation:end'], (socket, payload) => {
      const row = core.endConversation(actorOf(socket), payload.conversationId);
      return { ok: true, conversation: toConversationView(row, 'patient') };
    }),
  };

  const s = staffConversationEvents;
  const staffEvents: Record<string, SocketEventHandler> = {
    'conversation:join-room': onEvent(s['conversation:join-room'], async (socket, payload, origin) => {
      const { row, audited } = staff.joinRoom(actorOf(socket), payload.conversationId, origin);
      // No audit, no data: the room (the live messages) and the answer wait for the disclosure row.
      await audited;
      await socket.join(conversationRoom(row.id));
      return { ok: true, conversation: core.view(row, 'staff') };
    }),
    'message:send': onEvent(s['message:send'], async (socket, payload) => {
      const { message, duplicate } = await core.sendMessageDurably(actorOf(socket), payload);
      return { ok: true, seq: message.seq, messageId: message.id, duplicate };
    }),
    'conversation:sync': onEvent(s['conversation:sync'], async (socket, payload, origin) => {
      const result = core.sync(actorOf(socket), payload.conversationId, payload.afterSeq, { origin });
      await result.audited;
      await socket.join(conversationRoom(payload.conversationId));
      return { ok: true, conversation: core.view(result.conversation, 'staff'), messages: result.messages, hasMore: result.hasMore };
    }),
    typing: onEvent(s.typing, (socket, payload) => {
      core.typing(actorOf(socket), payload.conversationId, payload.typing);
      return { ok: true };
    }),
    receipt: onEvent(s.receipt, (socket, payload) => {
      core.receipt(actorOf(socket), payload.conversationId, payload.kind, payload.seq);
      return { ok: true };
    }),
    'conversation:consult': onEvent(s['conversation:consult'], (socket, payload) => {
      const row = staff.consult(actorOf(socket), payload.conversationId, payload.agentId, payload.note);
      return { ok: true, conversation: core.view(row, 'staff') };
    }),
    'conversation:consult-add': onEvent(s['conversation:consult-add'], (socket, payload) => {
      const row = staff.consultAdd(actorOf(socket), payload.conversationId, payload.agentId);
      return { ok: true, conversation: core.view(row, 'staff') };
    }),
    'conversation:leave': onEvent(s['conversation:leave'], (socket, payload) => {
      staff.leave(actorOf(socket), payload.conversationId);
      return { ok: true };
    }),
    'conversation:wrapup': onEvent(s['conversation:wrapup'], (socket, payload) => {
      const row = staff.wrapup(actorOf(socket), payload.conversationId);
      return { ok: true, conversation: core.view(row, 'staff') };
    }),
    'conversation:close': onEvent(s['conversation:close'], (socket, payload) => {
      const row = staff.close(actorOf(socket), payload);
      return { ok: true, conversation: core.view(row, 'staff') };
    }),
    'conversation:hand-back': onEvent(s['conversation:hand-back'], (socket, payload) => {
      const row = staff.handBackToBot(payload.conversationId, actorOf(socket).userId);
      return { ok: true, conversation: core.view(row, 'staff') };
    }),
  };

  // A reconnecting client is back in its conversations' rooms before it asks to resync.
  const rejoin = (socket: LiveSocket) => {
    for (const id of core.openConversationIdsOf(actorOf(socket).userId)) void socket.join(conversationRoom(id));
  };
  // A staff member's desk gets the live messages of their open conversations from the moment it connects.
  const rejoinStaff = (socket: LiveSocket) => {
    const actor = actorOf(socket);
    const ids = core.openConversationIdsOf(actor.userId);
    if (ids.length === 0) return;
    const origin = eventOrigin(socket);
    for (const id of ids) {
      const row = core.get(id);
      if (row) core.discloseInBackground(staffRecipient(actor), row, 'conversation.reconnect', origin);
      void socket.join(conversationRoom(id));
    }
  };
  return [
    { namespace: 'patient', onConnection: rejoin, group: { events: patientEvents, rateLimit: CONVERSATION_EVENTS_PER_WINDOW } },
    { namespace: 'staff', onConnection: rejoinStaff, group: { events: staffEvents, rateLimit: CONVERSATION_EVENTS_PER_WINDOW } },
  ];
}

/** `conversation.*` events as socket emits. */
export function conversationEmits(hub: RealtimeHub): ListenerRegistration[] {
  const name = 'conversations.realtime';
  return [
    listen('conversation.message', name, ({ message, conversationId }) => {
      hub.emit('staff', conversationRoom(conversationId), 'message:new', message);
      if (!STAFF_ONLY_MESSAGE_KINDS.includes(message.kind)) hub.emit('patient', conversationRoom(conversationId), 'message:new', message);
    }),
    listen('conversation.mention', name, ({ conversationId, message, userIds }) => {
      const event = { conversationId, messageId: message.id, seq: message.seq, fromUserId: message.sender.id, excerpt: message.body.slice(0, 200) };
      for (const userId of userIds) hub.emit('staff', userRoom(userId), 'note:mention', event);
    }),
    listen('conversation.updated', name, ({ conversation }) => {
      hub.emit('staff', conversationRoom(conversation.id), 'conversation:updated', conversation);
      hub.emit('patient', conversationRoom(conversation.id), 'conversation:updated', forPatient(conversation));
    }),
    listen('conversation.participant-joined', name, ({ conversationId, userId }) => {
      // The staff member's open desks join the room at once; the desk then syncs the transcript.
      hub.join('staff', userRoom(userId), conversationRoom(conversationId));
    }),
    listen('conversation.staff-assigned', name, ({ conversation, userId, byUserId, cause, note }) => {
      const event: ConversationAssignedEvent = { conversation, packet: conversation.handoff ?? null, cause, fromUserId: byUserId, note };
      hub.emit('staff', userRoom(userId), 'conversation:assigned', event);
    }),
    listen('conversation.staff-removed', name, ({ conversationId, userId, cause }) => {
      // Out of the room first: nothing more of this chat reaches their desks.
      hub.leave('staff', userRoom(userId), conversationRoom(conversationId));
      if (cause === 'left' || cause === 'handed-back') return;
      const event: ConversationRemovedEvent = { conversationId, cause };
      hub.emit('staff', userRoom(userId), 'conversation:removed', event);
    }),
    listen('conversation.typing', name, (event) => {
      const { staffOnly, ...body } = event;
      hub.emit('staff', conversationRoom(event.conversationId), 'typing', body);
      if (!staffOnly) hub.emit('patient', conversationRoom(event.conversationId), 'typing', body);
    }),
    listen('conversation.receipt', name, (event) => {
      hub.emit('staff', conversationRoom(event.conversationId), 'receipt', event);
      hub.emit('patient', conversationRoom(event.conversationId), 'receipt', event);
    }),
  ];
}
