/**
 * The presence domain's public door: who is available, busy, away or offline. REST (`/api/presence`),
 * the `presence:set` / `presence:get` socket events on `/staff`, and `presence:changed` pushed to the
 * user's own desks and to supervisors and admins, who watch everyone.
 */
import { clientEvents } from '../contracts/realtime.js';
import { listen } from '../platform/events.js';
import type { EventPublisher } from '../platform/events.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import { onEvent } from '../platform/realtime/binder.js';
import { userRoom, type RealtimeHub } from '../platform/realtime/hub.js';
import { registerPresenceRoutes } from './routes.js';
import { PresenceService } from './service.js';

export { PresenceService } from './service.js';

/** Everyone who watches all presence. */
const PRESENCE_WATCHERS = 'presence:all';
const WATCHES_EVERYONE = new Set(['supervisor', 'admin']);

export interface PresenceModuleDeps {
  disconnectGraceMs: number;
  events: EventPublisher;
  hub: RealtimeHub;
  openapi: OpenApiRegistry;
  logger: Logger;
  now?: () => Date;
}

export type PresenceModule = DomainModule & { api: PresenceService };

export function createPresenceModule(deps: PresenceModuleDeps): PresenceModule {
  const presence = new PresenceService({ disconnectGraceMs: deps.disconnectGraceMs, events: deps.events, ...(deps.now ? { now: deps.now } : {}) });
  return {
    name: 'presence',
    api: presence,
    routes: (api) => registerPresenceRoutes(api, { openapi: deps.openapi, presence, logger: deps.logger }),
    sockets: [
      {
        namespace: 'staff',
        onConnection: (socket) => {
          const { actor } = socket.data;
          if (actor.kind === 'staff' && WATCHES_EVERYONE.has(actor.role)) void socket.join(PRESENCE_WATCHERS);
          presence.connected(actor.userId, socket.id);
        },
        onDisconnect: (socket) => presence.disconnected(socket.data.actor.userId, socket.id),
        group: {
          rateLimit: { limit: 30, windowMs: 10_000 },
          events: {
            'presence:set': onEvent(clientEvents['presence:set'], (socket, payload) => {
              const { userId } = socket.data.actor;
              const state = presence.set(userId, payload.state);
              deps.logger.info({ userId, state: payload.state }, 'presence changed');
              return { ok: true, presence: state };
            }),
            'presence:get': onEvent(clientEvents['presence:get'], (socket) => ({ ok: true, presence: presence.get(socket.data.actor.userId) })),
          },
        },
      },
    ],
    listeners: [
      // After the accounts module has disconnected the user's sockets (their hooks ran already).
      listen('accounts.session-revoked', 'presence', ({ userId }) => presence.sessionEnded(userId)),
      listen('presence.changed', 'presence.realtime', (changed) => {
        deps.hub.emit('staff', [userRoom(changed.userId), PRESENCE_WATCHERS], 'presence:changed', changed);
      }),
    ],
    close: () => presence.close(),
  };
}
