/**
 * The supervision domain's public door. Supervisors and admins subscribe to a live snapshot of
 * conversations, queues and agents (pushed at most once per interval while something changes, only
 * while someone watches), and monitor, whisper, join, reassign and force-close over `supervisor:*`
 * events on `/staff` (anyone else gets `forbidden`). Monitoring puts all of the supervisor's desks in
 * the conversation's room without telling anyone in it; every action is audited.
 */
import { SUPERVISOR_ROLES, supervisorEvents, type SupervisorSnapshot } from '../contracts/supervision.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { RequestOrigin } from '../platform/audit/batch.js';
import type { Actor } from '../platform/auth/actor.js';
import { forbidden, notFoundMessage } from '../platform/errors.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import { onEvent, type LiveSocket } from '../platform/realtime/binder.js';
import { userRoom, type RealtimeHub } from '../platform/realtime/hub.js';
import { conversationRoom, type ConversationsApi } from '../conversations/index.js';
import type { AssignmentService } from '../assignment/index.js';
import type { PresenceService } from '../presence/index.js';
import type { RoutingEngine } from '../routing/index.js';
import type { StaffDirectory } from '../accounts/index.js';
import { SupervisionActions } from './actions.js';
import { SupervisionService } from './service.js';

export { SupervisionService } from './service.js';
export { SupervisionActions } from './actions.js';

export const SUPERVISORS_ROOM = 'supervisors';

export interface SupervisionModuleDeps {
  conversations: ConversationsApi;
  assignment: Pick<AssignmentService, 'transferToAgent'>;
  routing: RoutingEngine;
  presence: PresenceService;
  directory: Pick<StaffDirectory, 'displayNameOf'>;
  audit: AuditLog;
  hub: RealtimeHub;
  logger: Logger;
  /** At most one pushed snapshot per this many ms (default 1000). */
  snapshotIntervalMs?: number;
}

export interface SupervisionApi {
  service: SupervisionService;
  actions: SupervisionActions;
}

export type SupervisionModule = DomainModule & { api: SupervisionApi };

/** Supervisors and admins only. */
function requireSupervisorEvents(actor: Actor): void {
  if (actor.kind !== 'staff' || !(SUPERVISOR_ROLES as readonly string[]).includes(actor.role)) {
    throw forbidden('Only supervisors and admins can use the supervisor events.');
  }
}

export function createSupervisionModule(deps: SupervisionModuleDeps): SupervisionModule {
  const service = new SupervisionService({
    conversations: deps.conversations.core,
    directory: deps.directory,
    routing: deps.routing,
    presence: deps.presence,
    logger: deps.logger,
    ...(deps.snapshotIntervalMs !== undefined ? { intervalMs: deps.snapshotIntervalMs } : {}),
  });
  const actions = new SupervisionActions(deps.conversations);
  const { core } = deps.conversations;

  // Snapshots are built only while someone is subscribed.
  const subscribers = new Set<string>();
  const subscribe = (socketId: string) => {
    subscribers.add(socketId);
    if (subscribers.size === 1) service.pushTo((snapshot: SupervisorSnapshot) => deps.hub.emit('staff', SUPERVISORS_ROOM, 'supervisor:snapshot', snapshot));
  };
  const unsubscribe = (socketId: string) => {
    if (subscribers.delete(socketId) && subscribers.size === 0) service.pushTo(null);
  };
  const actorOf = (socket: LiveSocket) => socket.data.actor;
  /** Supervisors and admins only; anyone else is refused, and the refused read of the conversation audited. */
  const refuseAuditedRead = (actor: Actor, conversationId: string, purpose: string, origin: RequestOrigin) => {
    try {
      requireSupervisorEvents(actor);
    } catch (err) {
      const row = core.get(conversationId);
      if (row && err instanceof Error) core.auditDenied(actor, row, purpose, origin, err.message);
      throw err;
    }
  };
  const e = supervisorEvents;
  const guarded = { authorize: requireSupervisorEvents };

  return {
    name: 'supervision',
    api: { service, actions },
    sockets: [
      {
        namespace: 'staff',
        onDisconnect: (socket) => unsubscribe(socket.id),
        group: {
          rateLimit: { limit: 100, windowMs: 10_000 },
          events: {
            'supervisor:subscribe': onEvent(
              e['supervisor:subscribe'],
              async (socket) => {
                const actor = actorOf(socket);
                await socket.join(SUPERVISORS_ROOM);
                subscribe(socket.id);
                deps.audit.record({ actorId: actor.userId, actorRole: actor.kind === 'staff' ? actor.role : null, action: 'supervision.subscribe', resourceType: 'Conversation', reason: 'supervision' });
                return { ok: true, snapshot: service.snapshot() };
              },
              guarded,
            ),
            'supervisor:unsubscribe': onEvent(
              e['supervisor:unsubscribe'],
              async (socket) => {
                await socket.leave(SUPERVISORS_ROOM);
                unsubscribe(socket.id);
                return { ok: true };
              },
              guarded,
            ),
            // Authorized in the handler, not by the binder: a refused attempt to read a chat is audited.
            'supervisor:monitor': onEvent(e['supervisor:monitor'], async (socket, payload, origin) => {
              const actor = actorOf(socket);
              refuseAuditedRead(actor, payload.conversationId, 'conversation.monitor', origin);
              const { conversation, messages, audited } = actions.monitor(actor, payload.conversationId, origin);
              // No audit, no data: the transcript and the live messages wait for the disclosure row.
              await audited;
              deps.hub.join('staff', userRoom(actor.userId), conversationRoom(conversation.id));
              service.startMonitoring(conversation.id, actor.userId);
              return { ok: true, conversation: core.view(conversation, 'staff'), messages };
            }),
            'supervisor:stop-monitor': onEvent(
              e['supervisor:stop-monitor'],
              (socket, payload) => {
                const actor = actorOf(socket);
                if (!service.isMonitoring(payload.conversationId, actor.userId)) {
                  throw notFoundMessage('You are not monitoring this conversation.');
                }
                service.stopMonitoring(payload.conversationId, actor.userId);
                // A supervisor who also joined stays in the room as a participant.
                if (!core.isParticipant(payload.conversationId, actor.userId)) deps.hub.leave('staff', userRoom(actor.userId), conversationRoom(payload.conversationId));
                return { ok: true };
              },
              guarded,
            ),
            'supervisor:whisper': onEvent(
              e['supervisor:whisper'],
              (socket, payload) => {
                const { message, duplicate } = actions.whisper(actorOf(socket), payload);
                return { ok: true, seq: message.seq, messageId: message.id, duplicate };
              },
              guarded,
            ),
            'supervisor:join': onEvent(e['supervisor:join'], async (socket, payload, origin) => {
              const actor = actorOf(socket);
              refuseAuditedRead(actor, payload.conversationId, 'conversation.supervisor-join', origin);
              const { conversation, audited } = actions.joinAsSupervisor(actor, payload.conversationId, origin);
              await audited;
              return { ok: true, conversation: core.view(conversation, 'staff') };
            }),
            'supervisor:reassign': onEvent(
              e['supervisor:reassign'],
              (socket, payload) => {
                const conversation = deps.assignment.transferToAgent(actorOf(socket), payload.conversationId, payload.agentId, { cause: 'reassign' });
                return { ok: true, conversation };
              },
              guarded,
            ),
            'supervisor:force-close': onEvent(
              e['supervisor:force-close'],
              (socket, payload) => {
                const row = actions.forceClose(actorOf(socket), payload.conversationId, payload.reason);
                return { ok: true, conversation: core.view(row, 'staff') };
              },
              guarded,
            ),
          },
        },
      },
    ],
    listeners: service.listeners(),
    close: () => service.close(),
  };
}
