/**
 * The assignment domain's public door: the glue between live conversations and routing. It reacts
 * to conversation, presence, profile and routing events (see `AssignmentService.listeners`), takes
 * the agents' answers to offers on `/staff` (`offer:accept`, `offer:decline`), their inbox after a
 * reconnect (`inbox:list`) and transfers (`conversation:transfer`), pushes offers and queue positions,
 * and lists colleagues (`GET /api/conversations/agents`).
 */
import type { Router } from 'express';
import { agentListResponseSchema, staffConversationEvents, type AgentListResponse } from '../contracts/conversations.js';
import { addGuardedRoute, staff } from '../platform/auth/access.js';
import { listen, type EventPublisher } from '../platform/events.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import { onEvent, type LiveSocket } from '../platform/realtime/binder.js';
import { userRoom, type RealtimeHub } from '../platform/realtime/hub.js';
import { conversationRoom, staffRecipient, type ConversationsApi } from '../conversations/index.js';
import type { PresenceService } from '../presence/index.js';
import type { RoutingEngine } from '../routing/index.js';
import type { AgentProfiles, StaffDirectory } from '../accounts/index.js';
import { AssignmentService } from './service.js';

export { AssignmentService, ROUTED_ROLES, reasonForAgent } from './service.js';

export interface AssignmentModuleDeps {
  engine: RoutingEngine;
  conversations: ConversationsApi;
  presence: PresenceService;
  profiles: Pick<AgentProfiles, 'get'>;
  directory: Pick<StaffDirectory, 'roleOf' | 'enabledWithRoles' | 'isActive'>;
  events: EventPublisher;
  hub: RealtimeHub;
  openapi: OpenApiRegistry;
  logger: Logger;
  /** How long agents have to come back after a restart before their chats go to others. */
  reclaimAfterMs: number;
}

export type AssignmentModule = DomainModule & { api: AssignmentService };

export function createAssignmentModule(deps: AssignmentModuleDeps): AssignmentModule {
  const assignment = new AssignmentService(deps);
  const { core } = deps.conversations;
  const actorOf = (socket: LiveSocket) => socket.data.actor;
  const s = staffConversationEvents;

  return {
    name: 'assignment',
    api: assignment,
    routes: (api: Router) => {
      addGuardedRoute(
        api,
        deps.openapi,
        {
          method: 'get',
          path: '/conversations/agents',
          summary: 'Colleagues to transfer to or consult: agents with presence, load, capacity and skills',
          tags: ['conversations'],
          access: staff,
          responses: { 200: { description: 'Agents', schema: agentListResponseSchema } },
        },
        (_req, res) => {
          const body: AgentListResponse = { items: assignment.agents() };
          res.setHeader('Cache-Control', 'no-store');
          res.json(body);
        },
      );
    },
    sockets: [
      {
        namespace: 'staff',
        // Routing learns the role, so this user's presence changes (socket or REST) reach it if they take chats.
        onConnection: (socket) => {
          const actor = actorOf(socket);
          if (actor.kind === 'staff') assignment.staffConnected(actor.userId, actor.role);
        },
        group: {
          rateLimit: { limit: 100, windowMs: 10_000 },
          events: {
            // The agent's sockets join the room on `conversation.participant-joined` during accept.
            'offer:accept': onEvent(s['offer:accept'], async (socket, payload, origin) => {
              const { conversation, packet } = assignment.accept(actorOf(socket).userId, payload.offerId);
              // The agent now has the whole chat: answered once the disclosure row is durable.
              const row = core.get(conversation.id);
              if (row) await core.disclose(staffRecipient(actorOf(socket)), row, 'conversation.accept', origin);
              return { ok: true, conversation, packet };
            }),
            'offer:decline': onEvent(s['offer:decline'], (socket, payload) => {
              assignment.decline(actorOf(socket).userId, payload.offerId);
              return { ok: true };
            }),
            // The desk asks after every (re)connect: its open conversations (its sockets rejoin their rooms) and pending offers.
            'inbox:list': onEvent(s['inbox:list'], async (socket, _payload, origin) => {
              const actor = actorOf(socket);
              const { rows, audited } = deps.conversations.staff.inbox(actor, origin);
              const offers = assignment.pendingOffers(actor.userId);
              // Pending offers carry their hand-off packets again: the same disclosure as the offer.
              await Promise.all([audited, ...offers.map((offer) => assignment.discloseOffer(actor.userId, offer, origin))]);
              await socket.join(rows.map((row) => conversationRoom(row.id)));
              return { ok: true, conversations: rows.map((row) => core.view(row, 'staff')), offers };
            }),
            'conversation:transfer': onEvent(s['conversation:transfer'], (socket, payload) => {
              const actor = actorOf(socket);
              const conversation =
                payload.target.kind === 'agent'
                  ? assignment.transferToAgent(actor, payload.conversationId, payload.target.agentId, { cause: 'transfer', note: payload.note })
                  : assignment.transferToQueue(actor, payload.conversationId, payload.target.queueId, payload.note);
              return { ok: true, conversation };
            }),
          },
        },
      },
    ],
    listeners: [
      ...assignment.listeners(),
      // Offers to one agent's desks, queue positions to the patient.
      listen('assignment.offer', 'assignment.realtime', ({ agentId, offer }) => deps.hub.emit('staff', userRoom(agentId), 'offer:new', offer)),
      listen('assignment.offer-withdrawn', 'assignment.realtime', ({ agentId, event }) => deps.hub.emit('staff', userRoom(agentId), 'offer:withdrawn', event)),
      listen('assignment.queue-position', 'assignment.realtime', (event) => deps.hub.emit('patient', conversationRoom(event.conversationId), 'queue:position', event)),
    ],
    // Routing state is in memory: after a start, agents get back the load of the chats they still
    // have, then waiting chats queue again.
    start: () => {
      const owned = assignment.restoreLoad({ reclaimAfterMs: deps.reclaimAfterMs });
      const restored = assignment.restore();
      if (restored + owned > 0) deps.logger.info({ restored, owned }, 'routing rebuilt from the conversations table');
    },
    close: () => assignment.close(),
  };
}
