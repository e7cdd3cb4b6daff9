/**
 * The one socket binder: every client event on every namespace goes session check → rate limit →
 * zod parse → authorize → handler → acknowledgement. A refusal (`AppError`) becomes `{ ok: false, error: { code,
 * message } }` with the code's acknowledgement class; anything unexpected is logged and answered
 * `internal`. A bad or hostile payload never reaches a handler and never drops the connection.
 */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Logger } from '../logging.js';
import type { Actor } from '../auth/actor.js';
import { SlidingWindowLimiter } from '../auth/rate-limit.js';
import { ackCodeOf, isAppError, type AckErrorCode } from '../errors.js';
import { SESSION_ENDED_MESSAGE, TOKEN_EXPIRED_MESSAGE } from '../auth/tokens.js';
import { MAX_JSON_DEPTH, valueTooDeep } from '../http/json-depth.js';
import { eventOrigin, type EventOrigin } from './origin.js';

export type { EventOrigin } from './origin.js';

export interface SocketData {
  actor: Actor;
  /** The credential's life (set by the handshake): events stop at expiry or once the account's sessions are revoked. */
  session: { expiresAtMs: number; isCurrent(): boolean };
  /** The client's address (behind a proxy on loopback, the forwarded one): the second rate-limit budget. */
  address: string;
}
/** A connected, authenticated socket: `socket.data.actor` is who is on the other end. */
export type LiveSocket = Socket<Record<string, never>, Record<string, (...args: never[]) => void>, Record<string, never>, SocketData>;

export type AckReply = { ok: true } & object;
export type AckFailure = { ok: false; error: { code: AckErrorCode; message: string } };

export interface SocketEventHandler<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Throws an AppError (typically forbidden) when the socket's actor may not send this event. */
  authorize?: (actor: Actor) => void;
  /** `origin`: the client's address and this event's own request id, for audit rows. */
  handle: (socket: LiveSocket, payload: z.infer<S>, origin: EventOrigin) => AckReply | Promise<AckReply>;
  /** The `internal` message when the handler fails unexpectedly. */
  internalMessage?: string;
  /** A tighter limit of this event's own (costly events: starting a chat), per actor as well. */
  rateLimit?: RateLimit;
}

/** Declares a handler with its payload typed by its schema. */
export function onEvent<S extends z.ZodType>(schema: S, handle: SocketEventHandler<S>['handle'], options: Omit<SocketEventHandler<S>, 'schema' | 'handle'> = {}): SocketEventHandler {
  return { schema, handle, ...options } as SocketEventHandler;
}

export interface RateLimit {
  /** Events one socket may send per window (per group of events) before `too_many_requests`. */
  limit: number;
  windowMs: number;
  /** What the refusal says; `{s}` is replaced by the seconds to wait. */
  message?: string;
}

/** One module's events on one namespace, with their own rate limit. */
export interface SocketEventGroup {
  events: Record<string, SocketEventHandler>;
  rateLimit: RateLimit;
}

export interface BoundGroup {
  bind(socket: LiveSocket): void;
}

export interface BinderOptions {
  /**
   * Budgets are also counted per client address, across actors and connections, at this many times
   * each limit (a clinic behind one NAT shares an address); 0 counts per actor only.
   */
  addressBudgetFactor?: number;
}

/**
 * Whose budget an event spends: the actor's (a user or a chat visitor token), so opening more
 * sockets, or reconnecting, buys no more events.
 */
const budgetKey = (socket: LiveSocket) => socket.data.actor?.userId ?? socket.id;

/** The refusal when over the limit for `key` (counting this event otherwise), or undefined. */
type Limiter = (key: string) => string | undefined;

function limiterFor(limit: RateLimit, factor = 1): Limiter {
  const limiter = new SlidingWindowLimiter({ limit: Math.max(1, Math.ceil(limit.limit * factor)), windowMs: limit.windowMs });
  const message = limit.message ?? 'Too many events: wait {s} s.';
  return (key) => {
    const retryAfter = limiter.retryAfterSeconds(key);
    if (retryAfter > 0) return message.replace('{s}', String(retryAfter));
    limiter.hit(key);
    return undefined;
  };
}

/** An actor's budget, and (when on) its address's larger one: an event must fit in both. */
function budgetsFor(limit: RateLimit, addressFactor: number): (socket: LiveSocket) => string | undefined {
  const perActor = limiterFor(limit);
  if (!(addressFactor > 0)) return (socket) => perActor(budgetKey(socket));
  const perAddress = limiterFor(limit, addressFactor);
  return (socket) => {
    const address = socket.data.address;
    return (address ? perAddress(address) : undefined) ?? perActor(budgetKey(socket));
  };
}

export function socketEventGroup(group: SocketEventGroup, logger: Logger, options: BinderOptions = {}): BoundGroup {
  const factor = options.addressBudgetFactor ?? 0;
  const groupLimit = budgetsFor(group.rateLimit, factor);
  const eventLimits = new Map(Object.entries(group.events).flatMap(([event, handler]) => (handler.rateLimit ? [[event, budgetsFor(handler.rateLimit, factor)] as const] : [])));

  async function handle(socket: LiveSocket, event: string, handler: SocketEventHandler, payload: unknown): Promise<AckReply | AckFailure> {
    const fail = (code: AckErrorCode, message: string): AckFailure => ({ ok: false, error: { code, message } });
    // An expired token or a revoked session sends nothing more (the socket is being ended too).
    const { session } = socket.data;
    if (session) {
      if (Date.now() >= session.expiresAtMs) return fail('forbidden', TOKEN_EXPIRED_MESSAGE);
      if (!session.isCurrent()) return fail('forbidden', SESSION_ENDED_MESSAGE);
    }
    const refused = groupLimit(socket) ?? eventLimits.get(event)?.(socket);
    if (refused !== undefined) return fail('too_many_requests', refused);
    // Before zod: a hostile payload nested thousands deep must not overflow a recursive check.
    if (valueTooDeep(payload)) return fail('bad_payload', `Invalid ${event} payload: nested deeper than ${MAX_JSON_DEPTH} levels.`);
    const parsed = handler.schema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail('bad_payload', `Invalid ${event} payload: ${where}${issue?.message ?? 'not accepted'}`);
    }
    try {
      handler.authorize?.(socket.data.actor);
      return await handler.handle(socket, parsed.data, eventOrigin(socket));
    } catch (err) {
      if (isAppError(err)) return fail(ackCodeOf(err), err.message);
      logger.error({ err, event }, 'socket event handler failed');
      return fail('internal', handler.internalMessage ?? 'The server could not handle this event.');
    }
  }

  return {
    bind(socket) {
      for (const [event, handler] of Object.entries(group.events)) {
        socket.on(event, (...args: unknown[]) => {
          const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: unknown) => void) : undefined;
          void handle(socket, event, handler, args[0]).then((reply) => ack?.(reply));
        });
      }
    },
  };
}
