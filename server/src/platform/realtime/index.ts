/**
 * The live channel: one socket.io server on the same HTTP server as the REST API, namespace
 * `/staff` for staff apps. The access token travels in the handshake (`auth: { token }`), is verified
 * like a bearer token, and must belong to staff. Every event payload is parsed with its contract
 * schema; a bad payload gets an error acknowledgement and the connection stays. Each socket has its
 * own rate limit so one client cannot flood the server.
 */
import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import {
  REALTIME_AUTH_ERRORS,
  STAFF_NAMESPACE,
  clientEvents,
  type Ack,
  type ClientAcks,
  type ClientEvent,
  type RealtimeError,
  type ServerToClientEvents,
} from '../../contracts/realtime.js';
import type { AppContext } from '../../app.js';
import type { Principal } from '../auth/principal.js';
import { SlidingWindowLimiter } from '../auth/rate-limit.js';
import { realtimeCorsOrigin } from '../../portal/cors.js';
import { PATIENT_NAMESPACE } from '../../contracts/conversations.js';
import { attachConversationRealtime } from '../../conversations/realtime.js';
import { attachSupervisionRealtime } from '../../supervision/realtime.js';
import { attachSurveyRealtime } from '../../surveys/realtime.js';

type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;
interface SocketData {
  principal: StaffPrincipal;
}
type StaffSocket = Socket<Record<string, never>, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeOptions {
  /** Events one socket may send per window before getting `too_many_requests`. */
  eventsPerWindow?: number;
  windowMs?: number;
}

export interface Realtime {
  io: Server;
  close(): Promise<void>;
}

/** Rooms: each user's own sockets, and everyone who watches all presence. */
const userRoom = (userId: string) => `user:${userId}`;
const PRESENCE_WATCHERS = 'presence:all';
const WATCHES_EVERYONE = new Set(['supervisor', 'admin']);

type Handler<E extends ClientEvent> = (socket: StaffSocket, payload: z.infer<(typeof clientEvents)[E]>) => ClientAcks[E];

export function attachRealtime(server: http.Server, ctx: AppContext, options: RealtimeOptions = {}): Realtime {
  const io = new Server(server, {
    serveClient: false,
    // Browsers at /desk are same-origin; the desktop app (app://desk) and configured origins need
    // CORS for the polling transport, as for the REST API. Tokens, not cookies, authenticate.
    // The chat widget on clinic sites (WIDGET_ORIGINS) also connects to /patient from their origin.
    cors: { origin: realtimeCorsOrigin(ctx.config), credentials: false },
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 10_000,
    pingTimeout: 5_000,
  });
  const staffNamespace = io.of(STAFF_NAMESPACE);
  const limiter = new SlidingWindowLimiter({ limit: options.eventsPerWindow ?? 30, windowMs: options.windowMs ?? 10_000 });

  staffNamespace.use((socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      next(new Error(REALTIME_AUTH_ERRORS.missingToken));
      return;
    }
    ctx.tokens.verifyAccessToken(token).then(
      (principal) => {
        if (principal.kind !== 'staff') {
          next(new Error(REALTIME_AUTH_ERRORS.notStaff));
          return;
        }
        (socket as StaffSocket).data.principal = principal;
        next();
      },
      () => next(new Error(REALTIME_AUTH_ERRORS.invalidToken)),
    );
  });

  const handlers: { [E in ClientEvent]: Handler<E> } = {
    'presence:set': (socket, payload) => {
      const { userId } = socket.data.principal;
      const presence = ctx.presence.set(userId, payload.state);
      ctx.logger.info({ userId, state: payload.state }, 'presence changed');
      return { ok: true, presence };
    },
    'presence:get': (socket) => ({ ok: true, presence: ctx.presence.get(socket.data.principal.userId) }),
  };

  staffNamespace.on('connection', (rawSocket) => {
    const socket = rawSocket as unknown as StaffSocket;
    const { principal } = socket.data;
    void socket.join(userRoom(principal.userId));
    if (WATCHES_EVERYONE.has(principal.role)) void socket.join(PRESENCE_WATCHERS);
    ctx.presence.connected(principal.userId, socket.id);
    // Routing learns the role, so this user's presence changes (socket or REST) reach it if they take chats.
    ctx.assignment.staffConnected(principal.userId, principal.role);

    for (const event of Object.keys(clientEvents) as ClientEvent[]) {
      socket.on(event as never, (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: unknown) => void) : undefined;
        const reply = handleEvent(socket, event, args[0]);
        ack?.(reply);
      });
    }
    socket.on('disconnect', () => {
      limiter.reset(socket.id);
      ctx.presence.disconnected(principal.userId, socket.id);
    });
  });

  function handleEvent<E extends ClientEvent>(socket: StaffSocket, event: E, payload: unknown): Ack<unknown> {
    const fail = (error: RealtimeError): Ack<unknown> => ({ ok: false, error });
    const retryAfter = limiter.retryAfterSeconds(socket.id);
    if (retryAfter > 0) return fail({ code: 'too_many_requests', message: `Too many events: wait ${retryAfter} s.` });
    limiter.hit(socket.id);
    const parsed = clientEvents[event].safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail({ code: 'bad_payload', message: `Invalid ${event} payload: ${where}${issue?.message ?? 'not accepted'}` });
    }
    try {
      return handlers[event](socket, parsed.data as never);
    } catch (err) {
      ctx.logger.error({ err, event }, 'realtime handler failed');
      return fail({ code: 'internal', message: 'The server could not handle this event.' });
    }
  }

  // Conversations: the /patient namespace (patients and chat visitors) and conversation events on /staff.
  const detachConversations = attachConversationRealtime({ patient: io.of(PATIENT_NAMESPACE), staff: staffNamespace }, ctx);
  // Supervision: `supervisor:*` events on /staff (supervisors and admins) and the live snapshot.
  const detachSupervision = attachSupervisionRealtime(staffNamespace, ctx);
  // Follow-up surveys: `survey:offer` to the patient, `survey:submit` from them (after the /patient auth above).
  const detachSurveys = attachSurveyRealtime({ patient: io.of(PATIENT_NAMESPACE) }, ctx);

  const unsubscribe = ctx.presence.onChange((presence) => {
    staffNamespace.to(userRoom(presence.userId)).to(PRESENCE_WATCHERS).emit('presence:changed', presence);
  });

  return {
    io,
    close: async () => {
      unsubscribe();
      detachConversations();
      detachSupervision();
      detachSurveys();
      // Closing the transports (not disconnecting the sockets, which tells clients to stay away)
      // lets clients reconnect by themselves once the server is back. io.close() would also close
      // the HTTP server, which the caller owns.
      io.engine.close();
    },
  };
}
