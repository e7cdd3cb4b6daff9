/**
 * The live channel: one socket.io server on the same HTTP server as the REST API, with the
 * namespaces `/staff` (staff apps) and `/patient` (patients and chat visitors). One handshake for
 * both: the token in `auth: { token }` is resolved to an actor, which must be of a kind the
 * namespace admits; every socket joins its user's room. Then each module's contribution, in module
 * order: its connection hook and its events, bound through the one binder (session check → rate
 * limit → zod → authorize → handler → ack). A socket lives as long as its token: when the token
 * expires the server sends `session:expired` and disconnects it (the client refreshes its token and
 * connects again); when the account's sessions are revoked, the composition root has the hub send
 * `session:ended` and disconnect every socket of the user. This file knows no domain.
 */
import type http from 'node:http';
import { Server } from 'socket.io';
import type { Logger } from '../logging.js';
import type { ActorKind, ActorSession } from '../auth/actor.js';
import { TOKEN_EXPIRED_MESSAGE } from '../auth/tokens.js';
import type { SessionExpiredEvent } from '../../contracts/realtime.js';
import type { SocketContribution } from '../module.js';
import { socketEventGroup, type LiveSocket } from './binder.js';
import { NAMESPACE_PATHS, userRoom, type BindableHub, type NamespaceName } from './hub.js';

export interface NamespacePolicy {
  /** Resolves the handshake token to an actor and the token's life; undefined when it does not verify. */
  resolve(token: string): Promise<ActorSession | undefined>;
  admits: readonly ActorKind[];
  /**
   * Event budgets are also counted per client address at this many times each limit (see the
   * binder); 0 or unset: per actor only.
   */
  addressBudgetFactor?: number;
  /** `connect_error` messages a user can read. */
  errors: { missingToken: string; invalidToken: string; wrongKind: string };
}

export interface RealtimeSetup {
  hub: BindableHub;
  logger: Logger;
  /** Browser origins allowed to connect cross-origin (the polling transport needs CORS). */
  corsOrigin: string | string[];
  namespaces: Record<NamespaceName, NamespacePolicy>;
  contributions: readonly SocketContribution[];
}

export interface Realtime {
  io: Server;
  close(): Promise<void>;
}

export function attachRealtime(server: http.Server, setup: RealtimeSetup): Realtime {
  const io = new Server(server, {
    serveClient: false,
    // Browsers at /desk are same-origin; the desktop app (app://desk), configured origins and the
    // chat widget's sites need CORS for the polling transport. Tokens, not cookies, authenticate.
    cors: { origin: setup.corsOrigin, credentials: false },
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 10_000,
    pingTimeout: 5_000,
  });

  for (const name of Object.keys(NAMESPACE_PATHS) as NamespaceName[]) {
    const namespace = io.of(NAMESPACE_PATHS[name]);
    const policy = setup.namespaces[name];
    namespace.use((socket, next) => {
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
        next(new Error(policy.errors.missingToken));
        return;
      }
      policy.resolve(token).then(
        (session) => {
          if (!session) return next(new Error(policy.errors.invalidToken));
          if (!policy.admits.includes(session.actor.kind)) return next(new Error(policy.errors.wrongKind));
          const { data } = socket as unknown as LiveSocket;
          data.actor = session.actor;
          data.session = { expiresAtMs: session.expiresAtMs, isCurrent: session.isCurrent };
          data.address = clientAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for']);
          next();
        },
        () => next(new Error(policy.errors.invalidToken)),
      );
    });

    const contributions = setup.contributions.filter((c) => c.namespace === name);
    const binderOptions = { addressBudgetFactor: policy.addressBudgetFactor ?? 0 };
    const groups = contributions.flatMap((c) => (c.group ? [socketEventGroup(c.group, setup.logger, binderOptions)] : []));
    namespace.on('connection', (raw) => {
      const socket = raw as unknown as LiveSocket;
      void socket.join(userRoom(socket.data.actor.userId));
      const expiry = endAtExpiry(socket);
      socket.on('disconnect', () => clearTimeout(expiry.timer));
      for (const contribution of contributions) {
        try {
          contribution.onConnection?.(socket);
        } catch (err) {
          setup.logger.error({ err, namespace: name }, 'socket connection hook failed');
        }
      }
      for (const group of groups) group.bind(socket);
      socket.on('disconnect', () => {
        for (const contribution of contributions) contribution.onDisconnect?.(socket);
      });
    });
  }
  setup.hub.bind(io);

  /** Ends the socket when its token expires; a client that wants to stay refreshes and reconnects. */
  function endAtExpiry(socket: LiveSocket): { timer: NodeJS.Timeout | undefined } {
    const state: { timer: NodeJS.Timeout | undefined } = { timer: undefined };
    const schedule = () => {
      const left = socket.data.session.expiresAtMs - Date.now();
      if (left > 0) {
        // setTimeout takes at most 2^31 - 1 ms; a longer life is scheduled again when that fires.
        state.timer = setTimeout(schedule, Math.min(left, 2 ** 31 - 1));
        state.timer.unref();
        return;
      }
      const event: SessionExpiredEvent = { message: TOKEN_EXPIRED_MESSAGE };
      socket.emit('session:expired' as never, event as never);
      socket.disconnect(false);
    };
    schedule();
    return state;
  }

  return {
    io,
    close: async () => {
      setup.hub.bind(null);
      // Closing the transports (not disconnecting the sockets, which tells clients to stay away)
      // lets clients reconnect by themselves once the server is back. io.close() would also close
      // the HTTP server, which the caller owns.
      io.engine.close();
    },
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * The client's address as the REST API sees it (Express trusts proxies on loopback): the peer's
 * address, unless the peer is a proxy on this machine, then the nearest forwarded address that is
 * not on loopback. Exported for tests.
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined): string {
  if (!LOOPBACK.test(peer) || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!LOOPBACK.test(hops[i]!)) return hops[i]!;
  return hops[0] ?? peer;
}
