/**
 * The `supervisor:*` events on the `/staff` namespace, for supervisors and admins only (anyone else
 * gets a `forbidden` ack). Subscribers' sockets are in the `supervisors` room, which receives the
 * coalesced `supervisor:snapshot`. Monitoring puts all of the supervisor's desks in the conversation's
 * room without telling anyone in it; whisper, join, reassign and force-close go through the services,
 * which audit them with the supervisor's id and the conversation.
 */
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { SUPERVISOR_ROLES, supervisorEvents, type SupervisorEvent, type SupervisorSnapshot } from '../contracts/supervision.js';
import type { AppContext } from '../app.js';
import type { Principal } from '../platform/auth/principal.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { ackedEventBinder, conversationRoom, userRoom, type Handler } from '../conversations/realtime.js';
import type { Actor } from '../conversations/service.js';
import { forbidden, notFoundMessage } from '../platform/errors.js';
import { actorOf } from '../conversations/actors.js';
import { SupervisionService } from './service.js';

export const SUPERVISORS_ROOM = 'supervisors';

export interface SupervisionRealtimeOptions {
  /** At most one pushed snapshot per this many ms (default 1000). */
  snapshotIntervalMs?: number;
  eventsPerWindow?: number;
  windowMs?: number;
}

interface StaffSocketData {
  principal: Extract<Principal, { kind: 'staff' }>;
}

export function attachSupervisionRealtime(staff: Namespace, ctx: AppContext, options: SupervisionRealtimeOptions = {}): () => void {
  const supervision = new SupervisionService({
    conversations: ctx.conversations,
    routing: ctx.routing,
    presence: ctx.presence,
    logger: ctx.logger,
    ...(options.snapshotIntervalMs !== undefined ? { intervalMs: options.snapshotIntervalMs } : {}),
  });
  const bind = ackedEventBinder(ctx.logger, new SlidingWindowLimiter({ limit: options.eventsPerWindow ?? 100, windowMs: options.windowMs ?? 10_000 }));

  // Snapshots are built only while someone is subscribed.
  const subscribers = new Set<string>();
  let stopPushing: (() => void) | null = null;
  const subscribe = (socketId: string) => {
    subscribers.add(socketId);
    stopPushing ??= supervision.onSnapshot((snapshot: SupervisorSnapshot) => staff.to(SUPERVISORS_ROOM).emit('supervisor:snapshot', snapshot));
  };
  const unsubscribe = (socketId: string) => {
    subscribers.delete(socketId);
    if (subscribers.size === 0 && stopPushing) {
      stopPushing();
      stopPushing = null;
    }
  };

  const supervisor = (socket: Socket): Actor => {
    const { principal } = socket.data as StaffSocketData;
    if (!(SUPERVISOR_ROLES as readonly string[]).includes(principal.role)) {
      throw forbidden('Only supervisors and admins can use the supervisor events.');
    }
    return actorOf(principal);
  };

  const handlers: { [E in SupervisorEvent]: Handler<Socket, z.infer<(typeof supervisorEvents)[E]>> } = {
    'supervisor:subscribe': async (socket) => {
      const actor = supervisor(socket);
      await socket.join(SUPERVISORS_ROOM);
      subscribe(socket.id);
      ctx.audit.record({ actorId: actor.userId, actorRole: actor.kind === 'staff' ? actor.role : null, action: 'supervision.subscribe', resourceType: 'Conversation', reason: 'supervision' });
      return { ok: true, snapshot: supervision.snapshot() };
    },
    'supervisor:unsubscribe': async (socket) => {
      supervisor(socket);
      await socket.leave(SUPERVISORS_ROOM);
      unsubscribe(socket.id);
      return { ok: true };
    },
    'supervisor:monitor': (socket, payload) => {
      const actor = supervisor(socket);
      const { conversation, messages } = ctx.conversations.monitor(actor, payload.conversationId);
      staff.in(userRoom(actor.userId)).socketsJoin(conversationRoom(conversation.id));
      supervision.startMonitoring(conversation.id, actor.userId);
      return { ok: true, conversation: ctx.conversations.view(conversation, 'staff'), messages };
    },
    'supervisor:stop-monitor': (socket, payload) => {
      const actor = supervisor(socket);
      if (!supervision.isMonitoring(payload.conversationId, actor.userId)) {
        throw notFoundMessage('You are not monitoring this conversation.');
      }
      supervision.stopMonitoring(payload.conversationId, actor.userId);
      // A supervisor who also joined stays in the room as a participant.
      const joined = ctx.conversations.participantsOf(payload.conversationId).some((p) => p.userId === actor.userId);
      if (!joined) staff.in(userRoom(actor.userId)).socketsLeave(conversationRoom(payload.conversationId));
      return { ok: true };
    },
    'supervisor:whisper': (socket, payload) => {
      const { message, duplicate } = ctx.conversations.whisper(supervisor(socket), payload);
      return { ok: true, seq: message.seq, messageId: message.id, duplicate };
    },
    'supervisor:join': (socket, payload) => {
      const row = ctx.conversations.joinAsSupervisor(supervisor(socket), payload.conversationId);
      return { ok: true, conversation: ctx.conversations.view(row, 'staff') };
    },
    'supervisor:reassign': (socket, payload) => {
      const conversation = ctx.assignment.transferToAgent(supervisor(socket), payload.conversationId, payload.agentId, { cause: 'reassign' });
      return { ok: true, conversation };
    },
    'supervisor:force-close': (socket, payload) => {
      const row = ctx.conversations.forceClose(supervisor(socket), payload.conversationId, payload.reason);
      return { ok: true, conversation: ctx.conversations.view(row, 'staff') };
    },
  };

  const onConnection = (socket: Socket) => {
    bind(socket, supervisorEvents, handlers as Record<SupervisorEvent, Handler<Socket, never>>);
    socket.on('disconnect', () => unsubscribe(socket.id));
  };
  staff.on('connection', onConnection);

  return () => {
    staff.off('connection', onConnection);
    stopPushing?.();
    supervision.close();
  };
}
