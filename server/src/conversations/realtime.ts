/**
 * Conversation events on the socket.io namespaces: `/patient` (patients and visitors; this module
 * authenticates its handshake) and `/staff` (authenticated by platform/realtime). Every payload is
 * parsed with its contract schema and every event answered with an ack; a refused event stores
 * nothing and leaves the connection up. Service events become emits to per-conversation rooms, so a
 * message is serialized once per namespace and slow sockets only buffer their own copies.
 */
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import {
  PATIENT_REALTIME_AUTH_ERRORS,
  STAFF_ONLY_MESSAGE_KINDS,
  patientConversationEvents,
  staffConversationEvents,
  type ConversationAck,
  type ConversationAssignedEvent,
  type ConversationError,
  type ConversationRemovedEvent,
  type PatientConversationEvent,
  type StaffConversationEvent,
} from '../contracts/conversations.js';
import type { AppContext } from '../app.js';
import type { Principal } from '../platform/auth/principal.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { actorForToken, actorOf } from './actors.js';
import { toConversationView, type Actor } from './service.js';
import { ackCodeOf, isAppError } from '../platform/errors.js';

/** The socket.io room of one conversation (both namespaces), and of one user's sockets. */
export const conversationRoom = (id: string) => `conversation:${id}`;
export const userRoom = (id: string) => `user:${id}`;

interface PatientSocketData {
  actor: Extract<Actor, { kind: 'patient' | 'visitor' }>;
}
interface StaffSocketData {
  principal: Extract<Principal, { kind: 'staff' }>;
}

export interface ConversationRealtimeOptions {
  /** Conversation events one socket may send per window before `too_many_requests`. */
  eventsPerWindow?: number;
  windowMs?: number;
}

export type AnyAck = ConversationAck<object>;
export type Handler<S, P> = (socket: S, payload: P) => AnyAck | Promise<AnyAck>;

export function attachConversationRealtime(
  namespaces: { patient: Namespace; staff: Namespace },
  ctx: AppContext,
  options: ConversationRealtimeOptions = {},
): () => void {
  const { patient, staff } = namespaces;
  const service = ctx.conversations;
  const limiter = new SlidingWindowLimiter({ limit: options.eventsPerWindow ?? 100, windowMs: options.windowMs ?? 10_000 });

  patient.use((socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      next(new Error(PATIENT_REALTIME_AUTH_ERRORS.missingToken));
      return;
    }
    const data = socket.data as PatientSocketData;
    actorForToken(ctx, token).then(
      (actor) => {
        if (!actor) return next(new Error(PATIENT_REALTIME_AUTH_ERRORS.invalidToken));
        if (actor.kind === 'staff') return next(new Error(PATIENT_REALTIME_AUTH_ERRORS.notPatient));
        data.actor = actor;
        next();
      },
      () => next(new Error(PATIENT_REALTIME_AUTH_ERRORS.invalidToken)),
    );
  });

  const patientHandlers: { [E in PatientConversationEvent]: Handler<Socket, z.infer<(typeof patientConversationEvents)[E]>> } = {
    'conversation:start': async (socket, payload) => {
      const { actor } = socket.data as PatientSocketData;
      // Join the room first: the greeting is emitted while the conversation is being created.
      const { conversation, messages } = await service.startConversation(actor, payload.channel);
      await socket.join(conversationRoom(conversation.id));
      return { ok: true, conversation: toConversationView(service.get(conversation.id) ?? conversation, 'patient'), messages };
    },
    'message:send': (socket, payload) => {
      const { message, duplicate } = service.sendMessage((socket.data as PatientSocketData).actor, payload);
      return { ok: true, seq: message.seq, messageId: message.id, duplicate };
    },
    'conversation:sync': async (socket, payload) => {
      const result = service.sync((socket.data as PatientSocketData).actor, payload.conversationId, payload.afterSeq);
      await socket.join(conversationRoom(payload.conversationId));
      return { ok: true, conversation: toConversationView(result.conversation, 'patient'), messages: result.messages, hasMore: result.hasMore };
    },
    typing: (socket, payload) => {
      service.typing((socket.data as PatientSocketData).actor, payload.conversationId, payload.typing);
      return { ok: true };
    },
    receipt: (socket, payload) => {
      service.receipt((socket.data as PatientSocketData).actor, payload.conversationId, payload.kind, payload.seq);
      return { ok: true };
    },
    'conversation:end': (socket, payload) => {
      const row = service.endConversation((socket.data as PatientSocketData).actor, payload.conversationId);
      return { ok: true, conversation: toConversationView(row, 'patient') };
    },
  };

  const staffActor = (socket: Socket): Actor => actorOf((socket.data as StaffSocketData).principal);
  const staffHandlers: { [E in StaffConversationEvent]: Handler<Socket, z.infer<(typeof staffConversationEvents)[E]>> } = {
    'conversation:join-room': async (socket, payload) => {
      const row = service.joinRoom(staffActor(socket), payload.conversationId);
      await socket.join(conversationRoom(row.id));
      return { ok: true, conversation: service.view(row, 'staff') };
    },
    'message:send': (socket, payload) => {
      const { message, duplicate } = service.sendMessage(staffActor(socket), payload);
      return { ok: true, seq: message.seq, messageId: message.id, duplicate };
    },
    'conversation:sync': async (socket, payload) => {
      const result = service.sync(staffActor(socket), payload.conversationId, payload.afterSeq);
      await socket.join(conversationRoom(payload.conversationId));
      return { ok: true, conversation: service.view(result.conversation, 'staff'), messages: result.messages, hasMore: result.hasMore };
    },
    typing: (socket, payload) => {
      service.typing(staffActor(socket), payload.conversationId, payload.typing);
      return { ok: true };
    },
    receipt: (socket, payload) => {
      service.receipt(staffActor(socket), payload.conversationId, payload.kind, payload.seq);
      return { ok: true };
    },
    // Routing offers: the agent's sockets join the room on `participant.joined` during accept.
    'offer:accept': (socket, payload) => {
      const { conversation, packet } = ctx.assignment.accept(staffActor(socket).userId, payload.offerId);
      return { ok: true, conversation, packet };
    },
    'offer:decline': (socket, payload) => {
      ctx.assignment.decline(staffActor(socket).userId, payload.offerId);
      return { ok: true };
    },
    // The desk asks after every (re)connect: its open conversations (its sockets rejoin their rooms) and pending offers.
    'inbox:list': async (socket) => {
      const actor = staffActor(socket);
      const rows = service.inbox(actor);
      await socket.join(rows.map((row) => conversationRoom(row.id)));
      return { ok: true, conversations: rows.map((row) => service.view(row, 'staff')), offers: ctx.assignment.pendingOffers(actor.userId) };
    },
    'conversation:transfer': (socket, payload) => {
      const actor = staffActor(socket);
      const conversation =
        payload.target.kind === 'agent'
          ? ctx.assignment.transferToAgent(actor, payload.conversationId, payload.target.agentId, { cause: 'transfer', note: payload.note })
          : ctx.assignment.transferToQueue(actor, payload.conversationId, payload.target.queueId, payload.note);
      return { ok: true, conversation };
    },
    'conversation:consult': (socket, payload) => {
      const row = service.consult(staffActor(socket), payload.conversationId, payload.agentId, payload.note);
      return { ok: true, conversation: service.view(row, 'staff') };
    },
    'conversation:consult-add': (socket, payload) => {
      const row = service.consultAdd(staffActor(socket), payload.conversationId, payload.agentId);
      return { ok: true, conversation: service.view(row, 'staff') };
    },
    'conversation:leave': (socket, payload) => {
      service.leave(staffActor(socket), payload.conversationId);
      return { ok: true };
    },
    'conversation:wrapup': (socket, payload) => {
      const row = service.wrapup(staffActor(socket), payload.conversationId);
      return { ok: true, conversation: service.view(row, 'staff') };
    },
    'conversation:close': (socket, payload) => {
      const row = service.close(staffActor(socket), payload);
      return { ok: true, conversation: service.view(row, 'staff') };
    },
    'conversation:hand-back': (socket, payload) => {
      const row = service.handBackToBot(payload.conversationId, staffActor(socket).userId);
      return { ok: true, conversation: service.view(row, 'staff') };
    },
  };

  const bind = ackedEventBinder(ctx.logger, limiter);

  patient.on('connection', (socket) => {
    const { actor } = socket.data as PatientSocketData;
    void socket.join(userRoom(actor.userId));
    // A reconnecting client is back in its conversations' rooms before it asks to resync.
    for (const id of service.openConversationIdsOf(actor.userId)) void socket.join(conversationRoom(id));
    bind(socket, patientConversationEvents, patientHandlers as Record<PatientConversationEvent, Handler<Socket, never>>);
    socket.on('disconnect', () => limiter.reset(socket.id));
  });

  staff.on('connection', (socket) => {
    // Like a patient's: a reconnecting desk is back in its conversations' rooms before it resyncs.
    for (const id of service.openConversationIdsOf(staffActor(socket).userId)) void socket.join(conversationRoom(id));
    bind(socket, staffConversationEvents, staffHandlers as Record<StaffConversationEvent, Handler<Socket, never>>);
    socket.on('disconnect', () => limiter.reset(socket.id));
  });

  const unsubscribers = [
    service.on('message', ({ message, conversationId }) => {
      staff.to(conversationRoom(conversationId)).emit('message:new', message);
      if (!STAFF_ONLY_MESSAGE_KINDS.includes(message.kind)) patient.to(conversationRoom(conversationId)).emit('message:new', message);
    }),
    service.on('mention', ({ conversationId, message, userIds }) => {
      const event = { conversationId, messageId: message.id, seq: message.seq, fromUserId: message.sender.id, excerpt: message.body.slice(0, 200) };
      for (const userId of userIds) staff.to(userRoom(userId)).emit('note:mention', event);
    }),
    service.on('conversation.updated', ({ conversation }) => {
      staff.to(conversationRoom(conversation.id)).emit('conversation:updated', service.view(conversation, 'staff'));
      patient.to(conversationRoom(conversation.id)).emit('conversation:updated', toConversationView(conversation, 'patient'));
    }),
    service.on('participant.joined', ({ conversationId, userId }) => {
      // The agent's open desks join the room at once; the desk then syncs the transcript.
      staff.in(userRoom(userId)).socketsJoin(conversationRoom(conversationId));
    }),
    service.on('staff.assigned', ({ conversation, userId, byUserId, cause, note }) => {
      const view = service.view(conversation, 'staff');
      const event: ConversationAssignedEvent = { conversation: view, packet: view.handoff ?? null, cause, fromUserId: byUserId, note };
      staff.to(userRoom(userId)).emit('conversation:assigned', event);
    }),
    service.on('staff.removed', ({ conversationId, userId, cause }) => {
      // Out of the room first: nothing more of this chat reaches their desks.
      staff.in(userRoom(userId)).socketsLeave(conversationRoom(conversationId));
      if (cause === 'left' || cause === 'handed-back') return;
      const event: ConversationRemovedEvent = { conversationId, cause };
      staff.to(userRoom(userId)).emit('conversation:removed', event);
    }),
    service.on('typing', (event) => {
      const { staffOnly, ...body } = event;
      staff.to(conversationRoom(event.conversationId)).emit('typing', body);
      if (!staffOnly) patient.to(conversationRoom(event.conversationId)).emit('typing', body);
    }),
    service.on('receipt', (event) => {
      staff.to(conversationRoom(event.conversationId)).emit('receipt', event);
      patient.to(conversationRoom(event.conversationId)).emit('receipt', event);
    }),
    // Routing: offers to one agent's desks, queue positions to the patient.
    ctx.assignment.on('offer', ({ agentId, offer }) => {
      staff.to(userRoom(agentId)).emit('offer:new', offer);
    }),
    ctx.assignment.on('offer.withdrawn', ({ agentId, event }) => {
      staff.to(userRoom(agentId)).emit('offer:withdrawn', event);
    }),
    ctx.assignment.on('queue.position', (event) => {
      patient.to(conversationRoom(event.conversationId)).emit('queue:position', event);
    }),
  ];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}

/**
 * Binds acknowledged events on a socket: each payload is rate-limited per socket, parsed with its
 * schema and handed to its handler; a refusal (`AppError`) or a bad payload becomes an
 * error ack, anything else an `internal` one (logged). The socket always stays connected.
 */
export function ackedEventBinder(logger: AppContext['logger'], limiter: SlidingWindowLimiter) {
  async function handle(socket: Socket, event: string, schema: z.ZodType, handler: Handler<Socket, never>, payload: unknown): Promise<AnyAck> {
    const fail = (error: ConversationError): AnyAck => ({ ok: false, error });
    const retryAfter = limiter.retryAfterSeconds(socket.id);
    if (retryAfter > 0) return fail({ code: 'too_many_requests', message: `Too many events: wait ${retryAfter} s.` });
    limiter.hit(socket.id);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail({ code: 'bad_payload', message: `Invalid ${event} payload: ${where}${issue?.message ?? 'not accepted'}` });
    }
    try {
      return await handler(socket, parsed.data as never);
    } catch (err) {
      if (isAppError(err)) return fail({ code: ackCodeOf(err), message: err.message });
      logger.error({ err, event }, 'conversation event failed');
      return fail({ code: 'internal', message: 'The server could not handle this event.' });
    }
  }
  return function bind<E extends string>(socket: Socket, schemas: Record<E, z.ZodType>, handlers: Record<E, Handler<Socket, never>>): void {
    for (const event of Object.keys(schemas) as E[]) {
      socket.on(event as string, (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: unknown) => void) : undefined;
        void handle(socket, event, schemas[event], handlers[event], args[0]).then((reply) => ack?.(reply));
      });
    }
  };
}
