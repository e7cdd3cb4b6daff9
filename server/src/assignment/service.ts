/**
 * The glue between live conversations and routing. Its listeners (`listeners()`) react to both
 * sides; it never touches sockets itself:
 *
 * - `conversation.queued` → engine: the conversation is enqueued; `conversation.updated` to closed or
 *   back to the bot → it leaves routing (freeing its agent).
 * - `presence.changed`, `accounts.routing-profile-changed` → engine: a routed agent's presence,
 *   skills and capacity.
 * - `routing.event` → the bus: `assignment.offer`, `assignment.offer-withdrawn`,
 *   `assignment.queue-position`; an out-of-hours queue becomes a stored system message in the chat.
 * - agents' answers: `accept` assigns the conversation (`core.assignAgent`), `decline` hands it to
 *   the next agent.
 */
import type {
  AgentSummary,
  ConversationView,
  HandoffPacket,
  OfferEvent,
  OfferWithdrawnEvent,
  QueuePositionEvent,
} from '../contracts/conversations.js';
import { ROUTING_SKILLS, type AssignmentReason, type RoutingEvent, type Skill } from '../contracts/routing.js';
import type { Presence } from '../contracts/realtime.js';
import type { RequestOrigin } from '../platform/audit/batch.js';
import type { Logger } from '../platform/logging.js';
import type { Actor } from '../platform/auth/actor.js';
import { conflict, forbidden, notFoundMessage } from '../platform/errors.js';
import { listen, type DomainEvents, type EventPublisher, type ListenerRegistration } from '../platform/events.js';
import { routingFailure, type RoutingEngine } from '../routing/index.js';
import type { PresenceService } from '../presence/index.js';
import type { ConversationsApi } from '../conversations/index.js';
import type { StaffDirectory } from '../accounts/index.js';

/** Staff roles whose presence makes them receive offers. Supervisors watch and join; they are not routed to. */
export const ROUTED_ROLES: ReadonlySet<string> = new Set(['agent']);

/** What assignment needs of the accounts domain's stored agent profiles. */
export interface AgentProfiles {
  get(userId: string): { skills: Skill[]; capacity: number };
}


/** What an agent is told about why they got an offer: the decision without other agents' ids (counts stay). */
export function reasonForAgent(reason: AssignmentReason): AssignmentReason {
  return { ...reason, runnersUp: [], excluded: [] };
}

declare module '../platform/events.js' {
  interface DomainEvents {
    /** An offer for the agent's desks. */
    'assignment.offer': { agentId: string; offer: OfferEvent };
    'assignment.offer-withdrawn': { agentId: string; event: OfferWithdrawnEvent };
    /** For the patient's sockets in the conversation. */
    'assignment.queue-position': QueuePositionEvent;
  }
}

export interface AssignmentServiceDeps {
  engine: RoutingEngine;
  conversations: ConversationsApi;
  presence: PresenceService;
  /** Agents' skills and capacity. */
  profiles: AgentProfiles;
  directory: Pick<StaffDirectory, 'roleOf' | 'enabledWithRoles' | 'isActive'>;
  events: EventPublisher;
  logger: Logger;
}

export class AssignmentService {
  private readonly roles = new Map<string, string>();
  private reclaimTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: AssignmentServiceDeps) {}

  /** What routing glue reacts to, in this order (registered by the composition root). */
  listeners(): ListenerRegistration[] {
    const { engine, presence } = this.deps;
    const name = 'assignment';
    return [
      listen('conversation.queued', name, ({ conversation }) => {
        this.enqueue(conversation);
      }),
      listen('conversation.updated', name, ({ conversation }) => {
        // Closed, or handed back to the bot: the conversation leaves routing and frees its agent.
        if (conversation.state === 'closed' || conversation.state === 'bot') engine.conversationEnded(conversation.id);
      }),
      listen('presence.changed', name, (p) => this.presenceChanged(p)),
      listen('accounts.routing-profile-changed', name, ({ userId }) => {
        // A changed profile applies to a signed-in agent at once.
        if (engine.agent(userId)) this.presenceChanged(presence.get(userId));
      }),
      listen('routing.event', name, (event) => this.routingEvent(event)),
    ];
  }

  private emit<E extends 'assignment.offer' | 'assignment.offer-withdrawn' | 'assignment.queue-position'>(event: E, payload: DomainEvents[E]): void {
    this.deps.events.publish(event, payload);
  }

  /**
   * A staff member connected: remembers their role so presence changes (from a socket or REST) reach
   * routing, and tells routing their current presence.
   */
  staffConnected(userId: string, role: string): void {
    this.roles.set(userId, role);
    this.presenceChanged(this.deps.presence.get(userId));
  }

  /**
   * Puts back in line the conversations that were waiting for a person when the server stopped
   * (routing state is in memory). Offers in flight are offered again.
   */
  restore(): number {
    let restored = 0;
    for (const { view, queuedAt } of this.deps.conversations.core.waitingConversations()) {
      // The offer died with the old process; the conversation waits again until routing offers it anew.
      this.deps.conversations.core.markOffered(view.id, false);
      if (this.enqueue(view, queuedAt)) restored++;
    }
    return restored;
  }

  /**
   * Gives agents back the load of the conversations they still had when the server stopped (active,
   * waiting or in wrap-up), so routing does not offer them more than their capacity.
   */
  restoreLoad(options: { reclaimAfterMs?: number } = {}): number {
    let restored = 0;
    const agents = new Set<string>();
    for (const { view, assignedAt } of this.deps.conversations.core.ownedConversations()) {
      const result = this.deps.engine.assignDirect({ ...this.routingInput(view), agentId: view.agentId, assignedAt });
      if (result.ok) {
        restored++;
        agents.add(view.agentId);
      } else {
        this.deps.logger.error({ conversationId: view.id, code: result.error.code }, 'could not restore an agent’s conversation');
      }
    }
    // A restart dropped every connection: agents not back within the grace period lose their chats to others.
    if (options.reclaimAfterMs !== undefined && agents.size > 0) {
      this.reclaimTimer = setTimeout(() => {
        this.reclaimTimer = null;
        for (const agentId of agents) {
          if (this.deps.presence.get(agentId).state === 'offline') this.deps.engine.reassignActive(agentId);
        }
      }, options.reclaimAfterMs);
      this.reclaimTimer.unref();
    }
    return restored;
  }

  /** The agent takes the offered conversation: it becomes theirs and active, the bot is muted. */
  accept(agentId: string, offerId: string): { conversation: ConversationView; packet: HandoffPacket | null } {
    // A disabled account takes nothing, even with an offer it got before (its sockets are being ended).
    if (!this.deps.directory.isActive(agentId)) throw forbidden('This account is disabled: it cannot take chats.');
    const result = this.deps.engine.accept(offerId, agentId);
    if (!result.ok) throw routingFailure(result.error);
    const { conversationId } = result.value;
    try {
      const row = this.deps.conversations.core.assignAgent(conversationId, agentId, null, result.value.reason);
      const view = this.deps.conversations.core.view(row, 'staff');
      this.deps.logger.info({ conversationId, agentId, rule: result.value.reason.decidingRule }, 'conversation assigned');
      return { conversation: view, packet: view.handoff ?? null };
    } catch (err) {
      // The chat ended between the offer and the answer: free the agent again.
      this.deps.engine.released(agentId, conversationId);
      throw err;
    }
  }

  decline(agentId: string, offerId: string): void {
    const result = this.deps.engine.decline(offerId, agentId);
    if (!result.ok) throw routingFailure(result.error);
  }

  /**
   * An offer's preview (its hand-off packet) reached the agent: a disclosure, once per agent and
   * conversation. Resolves once the row is durable.
   */
  discloseOffer(agentId: string, offer: OfferEvent, origin: RequestOrigin | null = null): Promise<void> {
    const { core } = this.deps.conversations;
    const row = core.get(offer.conversationId);
    if (!row) return Promise.resolve();
    return core.disclose({ userId: agentId, role: this.roleOf(agentId) ?? null }, row, 'conversation.offer', origin, { offerId: offer.offerId });
  }

  /** The agent's pending offers (a reconnecting desk gets them back with `inbox:list`). */
  pendingOffers(agentId: string): OfferEvent[] {
    return this.deps.engine.pendingOffers(agentId).map((offer) => this.offerEvent(offer));
  }

  /**
   * Transfer (by the conversation's agent or a supervisor) or reassignment (a supervisor) to another
   * agent, who has it at once: routing moves the load from one agent to the other. The target must be
   * a routed agent who is signed in.
   */
  transferToAgent(actor: Actor, conversationId: string, agentId: string, options: { cause: 'transfer' | 'reassign'; note?: string | undefined }): ConversationView {
    const { core, staff } = this.deps.conversations;
    staff.authorizeTransfer(actor, conversationId, options.cause);
    this.requireReachableAgent(agentId);
    const waiting = this.deps.engine.conversation(conversationId);
    const { conversation } = staff.transferToAgent(actor, conversationId, agentId, options);
    const view = core.view(conversation, 'staff');
    // Taken out of line (its offer withdrawn) when it waited; moved between agents when it had one.
    const moved =
      waiting && waiting.state !== 'assigned' ? this.deps.engine.assignWaiting(conversationId, agentId) : this.deps.engine.assignDirect({ ...this.routingInput(view), agentId });
    if (!moved.ok) this.deps.logger.error({ conversationId, code: moved.error.code }, 'routing could not move a transferred conversation');
    return view;
  }

  /** Back into a queue (same priority): the previous agent is freed and routing offers it again. */
  transferToQueue(actor: Actor, conversationId: string, queueId: string, note?: string): ConversationView {
    const { core, staff } = this.deps.conversations;
    const current = staff.authorizeTransfer(actor, conversationId, 'transfer');
    const queue = this.deps.engine.config.queues.find((q) => q.id === queueId);
    if (!queue) throw notFoundMessage(`No queue ${queueId}.`);
    const extra = (JSON.parse(current.skills) as string[]).filter((s) => s === 'spanish' && !queue.skills.includes('spanish'));
    const { conversation, fromAgentId } = staff.transferToQueue(actor, conversationId, {
      queueId: queue.id,
      queueName: queue.name,
      skills: [...queue.skills, ...extra],
      note,
    });
    if (this.deps.engine.conversation(conversationId)) this.deps.engine.conversationEnded(conversationId);
    // Not straight back to the agent who just passed it on.
    this.enqueue(core.find(conversation.id)!, undefined, fromAgentId === null ? [] : [fromAgentId]);
    return core.view(core.get(conversationId) ?? conversation, 'staff');
  }

  /** Colleagues to transfer to or consult: agents with presence, load, capacity and skills. */
  agents(): AgentSummary[] {
    const byId = new Map<string, AgentSummary>();
    const summary = (userId: string, displayName: string, role: string): AgentSummary => {
      const routed = this.deps.engine.agent(userId);
      const profile = this.deps.profiles.get(userId);
      return {
        userId,
        displayName,
        role,
        presence: this.deps.presence.get(userId).state,
        load: routed?.load ?? 0,
        capacity: routed?.capacity ?? profile.capacity,
        skills: routed && routed.skills.size > 0 ? [...routed.skills] : profile.skills,
      };
    };
    for (const user of this.deps.directory.enabledWithRoles([...ROUTED_ROLES])) byId.set(user.id, summary(user.id, user.displayName, user.role));
    // Agents known only from their live connection (accounts elsewhere, tests).
    for (const agentId of this.deps.engine.agentIds()) {
      if (!byId.has(agentId)) byId.set(agentId, summary(agentId, agentId, this.roleOf(agentId) ?? 'agent'));
    }
    return [...byId.values()].sort((a, b) => a.displayName.localeCompare(b.displayName) || a.userId.localeCompare(b.userId));
  }

  /** Stops the reclaim timer; the routing module closes the engine. */
  close(): void {
    if (this.reclaimTimer !== null) clearTimeout(this.reclaimTimer);
    this.reclaimTimer = null;
  }

  // --- internals ---

  private enqueue(conversation: ConversationView, enqueuedAt?: number, excludeAgents: readonly string[] = []): boolean {
    if (conversation.queue === null) return false;
    const result = this.deps.engine.enqueue(
      {
        conversationId: conversation.id,
        queueId: conversation.queue,
        priority: conversation.priority,
        skills: conversation.skills.filter(isSkill),
        ...(enqueuedAt !== undefined && Number.isFinite(enqueuedAt) ? { enqueuedAt } : {}),
      },
      { excludeAgents },
    );
    if (!result.ok) {
      this.deps.logger.error({ conversationId: conversation.id, code: result.error.code, error: result.error.message }, 'routing refused a conversation');
      return false;
    }
    return true;
  }

  private presenceChanged(presence: Presence): void {
    const role = this.roleOf(presence.userId);
    if (role === undefined || !ROUTED_ROLES.has(role)) return;
    const before = this.deps.engine.agent(presence.userId)?.presence;
    // Routing offers chats only to active accounts, whatever presence a token still in flight set.
    const state = presence.state === 'offline' || this.deps.directory.isActive(presence.userId) ? presence.state : 'offline';
    const result = this.deps.engine.setAgentState(presence.userId, { presence: state, ...this.deps.profiles.get(presence.userId) });
    if (!result.ok) this.deps.logger.error({ userId: presence.userId, code: result.error.code }, 'routing refused an agent state');
    // Gone offline (signed out, or the connection lost past its grace period): their chats go to others.
    if (state === 'offline' && before !== undefined && before !== 'offline') this.deps.engine.reassignActive(presence.userId);
  }

  /** A transfer target: a routed agent (known from a connection or the accounts) who is signed in. */
  private requireReachableAgent(agentId: string): void {
    const role = this.roleOf(agentId);
    if (role === undefined || !ROUTED_ROLES.has(role)) throw notFoundMessage(`No agent ${agentId}.`);
    if (this.deps.presence.get(agentId).state === 'offline') throw conflict(`Agent ${agentId} is offline.`);
  }

  /** What routing needs to know about a conversation it did not route itself. */
  private routingInput(view: ConversationView) {
    const queueId = view.queue !== null && this.deps.engine.config.queues.some((q) => q.id === view.queue) ? view.queue : this.deps.engine.config.queues[0]!.id;
    return { conversationId: view.id, queueId, priority: view.priority, skills: view.skills.filter(isSkill) };
  }

  /** From a live connection, else the account (presence set over REST before any socket). */
  roleOf(userId: string): string | undefined {
    const known = this.roles.get(userId);
    if (known !== undefined) return known;
    const role = this.deps.directory.roleOf(userId);
    if (role !== undefined) this.roles.set(userId, role);
    return role;
  }

  private routingEvent(event: RoutingEvent): void {
    switch (event.type) {
      case 'offer.created': {
        this.deps.conversations.core.markOffered(event.conversationId, true);
        const offer = this.offerEvent(event);
        // The offer shows the hand-off packet (the patient's own words): recorded in the same turn it is pushed.
        this.discloseOffer(event.agentId, offer).catch(() => {});
        this.emit('assignment.offer', { agentId: event.agentId, offer });
        break;
      }
      case 'offer.expired':
        this.deps.conversations.core.markOffered(event.conversationId, false);
        this.emit('assignment.offer-withdrawn', { agentId: event.agentId, event: { offerId: event.offerId, conversationId: event.conversationId, cause: 'expired' } });
        break;
      case 'offer.withdrawn':
        if (event.cause !== 'conversation-ended') this.deps.conversations.core.markOffered(event.conversationId, false);
        this.emit('assignment.offer-withdrawn', { agentId: event.agentId, event: { offerId: event.offerId, conversationId: event.conversationId, cause: event.cause } });
        break;
      case 'conversation.requeued':
        this.requeued(event.conversationId, event.fromAgentId);
        break;
      case 'agent.unresponsive': {
        // Offers went unanswered: new offers pause (away, saying why), but the chats they are
        // handling stay theirs; they may be busy in one. Lost connections are handled apart.
        const { agentId } = event;
        if (this.deps.presence.get(agentId).state === 'available') this.deps.presence.set(agentId, 'away', 'missed-offers');
        break;
      }
      case 'queue.position':
        this.emit('assignment.queue-position', { conversationId: event.conversationId, position: event.position, estimatedWaitMs: event.estimatedWaitMs });
        break;
      case 'queue.out-of-hours':
        this.outOfHours(event.conversationId, event.message);
        break;
      default:
        break;
    }
  }

  private offerEvent(offer: { offerId: string; conversationId: string; queueId: string; expiresAt: number; reason: AssignmentReason }): OfferEvent {
    const conversation = this.deps.conversations.core.find(offer.conversationId);
    return {
      offerId: offer.offerId,
      conversationId: offer.conversationId,
      queue: offer.queueId,
      priority: offer.reason.priority,
      packet: conversation?.handoff ?? null,
      expiresAt: new Date(offer.expiresAt).toISOString(),
      reason: reasonForAgent(offer.reason),
    };
  }

  /** Routing took an accepted conversation from its agent: the conversation waits again (or, in wrap-up, leaves routing). */
  private requeued(conversationId: string, fromAgentId: string): void {
    if (this.deps.conversations.staff.requeueFromAgent(conversationId, fromAgentId)) return;
    // Nothing to hand on (in wrap-up, or gone): drop it from routing (its decision is complete).
    if (this.deps.engine.conversation(conversationId)) this.deps.engine.conversationEnded(conversationId);
  }

  /** The queue is closed: the patient reads the queue's message in the chat (stored, so a resync shows it). */
  private outOfHours(conversationId: string, text: string): void {
    this.deps.conversations.core.postSystemMessage(conversationId, text);
  }
}

function isSkill(value: string): value is Skill {
  return (ROUTING_SKILLS as readonly string[]).includes(value);
}
