/**
 * The live channel: one socket.io server on the same HTTP server as the REST API, with the
 * namespaces `/staff` (staff apps) and `/patient` (patients and chat visitors). One handshake for
 * both: the token in `auth: { token }` is resolved to an actor, which must be of a kind the
 * namespace admits; every socket joins its user's room. Then each module's contribution, in module
 * order: its connection hook and its events, bound through the one binder (rate limit → zod →
 * authorize → handler → ack). This file knows no domain.
 */
import type http from 'node:http';
import { Server } from 'socket.io';
import type { Logger } from '../logging.js';
import type { Actor, ActorKind } from '../auth/actor.js';
import type { SocketContribution } from '../module.js';
import { socketEventGroup, type LiveSocket } from './binder.js';
import { NAMESPACE_PATHS, userRoom, type BindableHub, type NamespaceName } from './hub.js';

export interface NamespacePolicy {
  /** Resolves the handshake token; undefined when it does not verify. */
  resolve(token: string): Promise<Actor | undefined>;
  admits: readonly ActorKind[];
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
        (actor) => {
          if (!actor) return next(new Error(policy.errors.invalidToken));
          if (!policy.admits.includes(actor.kind)) return next(new Error(policy.errors.wrongKind));
          (socket as unknown as LiveSocket).data.actor = actor;
          next();
        },
        () => next(new Error(policy.errors.invalidToken)),
      );
    });

    const contributions = setup.contributions.filter((c) => c.namespace === name);
    const groups = contributions.flatMap((c) => (c.group ? [socketEventGroup(c.group, setup.logger)] : []));
    namespace.on('connection', (raw) => {
      const socket = raw as unknown as LiveSocket;
      void socket.join(userRoom(socket.data.actor.userId));
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
