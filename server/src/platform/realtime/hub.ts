/**
 * What domains use to reach sockets: emit to rooms of a namespace, move a user's sockets in and out
 * of a room. Domains get the hub when they are built (before the HTTP server exists); until
 * `attachRealtime` binds it to a socket.io server, emits go nowhere. Domains never hold a socket.io
 * server themselves, so the realtime layer can later sit behind the Redis adapter unchanged.
 */
import type { Server } from 'socket.io';

export type NamespaceName = 'staff' | 'patient';
export const NAMESPACE_PATHS: Record<NamespaceName, string> = { staff: '/staff', patient: '/patient' };

/** Every socket of a user is in this room (both namespaces). */
export const userRoom = (userId: string) => `user:${userId}`;

export interface RealtimeHub {
  /** Emits to every socket in any of the rooms of the namespace (each socket once). */
  emit(namespace: NamespaceName, rooms: string | readonly string[], event: string, payload: unknown): void;
  /** Puts every socket in `fromRoom` (e.g. a user's room) into `room` as well. */
  join(namespace: NamespaceName, fromRoom: string, room: string): void;
  leave(namespace: NamespaceName, fromRoom: string, room: string): void;
  /**
   * Tells every socket in the room (in both namespaces) why with `event`, then disconnects them.
   * The clients do not reconnect by themselves (a server disconnect).
   */
  disconnect(room: string, event: string, payload: unknown): void;
}

export interface BindableHub extends RealtimeHub {
  bind(io: Server | null): void;
}

export function createRealtimeHub(): BindableHub {
  let server: Server | null = null;
  const ns = (name: NamespaceName) => server?.of(NAMESPACE_PATHS[name]);
  return {
    bind(io) {
      server = io;
    },
    emit(namespace, rooms, event, payload) {
      const target = ns(namespace);
      if (!target) return;
      const list = typeof rooms === 'string' ? [rooms] : rooms;
      if (list.length === 0) return;
      target.to(list as string[]).emit(event, payload);
    },
    join(namespace, fromRoom, room) {
      ns(namespace)?.in(fromRoom).socketsJoin(room);
    },
    leave(namespace, fromRoom, room) {
      ns(namespace)?.in(fromRoom).socketsLeave(room);
    },
    disconnect(room, event, payload) {
      for (const name of Object.keys(NAMESPACE_PATHS) as NamespaceName[]) {
        const target = ns(name);
        if (!target) continue;
        // The event is written before the disconnect packet, on the same connection.
        target.to(room).emit(event, payload);
        target.in(room).disconnectSockets(false);
      }
    },
  };
}
