/**
 * The glue between live conversations and routing. It listens to both sides and never touches
 * sockets itself:
 *
 * - conversation service → engine: a queued conversation is enqueued; one that closes or goes back
 *   to the bot leaves routing (freeing its agent).
 * - presence service → engine: a routed staff member's presence, skills and capacity.
 * - engine → listeners (the realtime layer): `offer`, `offer.withdrawn`, `queue.position`; an
 *   out-of-hours queue becomes a stored system message in the conversation.
 * - agents' answers: `accept` assigns the conversation (`conversations.assignAgent`), `decline`
 *   hands it to the next agent.
 */
import type SQLite from 'better-sqlite3';
import type { ConversationErrorCode, ConversationView, HandoffPacket, OfferEvent, OfferWithdrawnEvent, QueuePositionEvent } from '../contracts/conversations.js';
import { ROUTING_SKILLS, type AgentState, type RoutingEvent, type Skill } from '../contracts/routing.js';
import type { Presence } from '../contracts/realtime.js';
import type { Logger } from '../platform/logging.js';
import type { RoutingEngine, RoutingErrorCode } from '../routing/engine.js';
import type { PresenceService } from '../presence/service.js';
import { ConversationFailure, toConversationView, type ConversationService } from '../conversations/service.js';
import { AssignmentRepository } from './repository.js';

/** Staff roles whose presence makes them receive offers. Supervisors watch and join; they are not routed to. */
export const ROUTED_ROLES: ReadonlySet<string> = new Set(['agent']);

/**
 * An agent's routing profile. Skills and capacity are not stored per agent yet: everyone has all six
 * skills and takes up to four conversations. A later issue reads them from the agent's profile here.
 */
export function agentRoutingProfile(userId: string): Omit<AgentState, 'presence'> {
  void userId;
  return { skills: [...ROUTING_SKILLS] as Skill[], capacity: 4 };
}

export interface AssignmentEvents {
  /** To the agent's staff sockets. */
  offer: { agentId: string; offer: OfferEvent };
  'offer.withdrawn': { agentId: string; event: OfferWithdrawnEvent };
  /** To the patient's sockets in the conversation. */
  'queue.position': QueuePositionEvent;
}
type Listener<E extends keyof AssignmentEvents> = (event: AssignmentEvents[E]) => void;

export interface AssignmentServiceDeps {
  engine: RoutingEngine;
  conversations: ConversationService;
  presence: PresenceService;
  sqlite: SQLite.Database;
  logger: Logger;
}

const ROUTING_TO_CONVERSATION_ERROR: Record<RoutingErrorCode, ConversationErrorCode> = {
  bad_input: 'bad_payload',
  unknown_queue: 'conflict',
  unknown_conversation: 'not_found',
  unknown_offer: 'not_found',
  unknown_agent: 'forbidden',
  not_your_offer: 'forbidden',
  already_routed: 'conflict',
};

export class AssignmentService {
  private readonly listeners = new Map<keyof AssignmentEvents, Set<Listener<never>>>();
  private readonly roles = new Map<string, string>();
  private readonly assignments: AssignmentRepository;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(private readonly deps: AssignmentServiceDeps) {
    this.assignments = new AssignmentRepository(deps.sqlite);
    const { engine, conversations, presence } = deps;
    this.unsubscribers.push(
      conversations.on('conversation.queued', ({ conversation }) => this.enqueue(conversation)),
      conversations.on('conversation.updated', ({ conversation }) => {
        // Closed, or handed back to the bot: the conversation leaves routing and frees its agent.
        if (conversation.state === 'closed' || conversation.state === 'bot') engine.conversationEnded(conversation.id);
      }),
      presence.onChange((p) => this.presenceChanged(p)),
      engine.subscribe((event) => this.routingEvent(event)),
    );
  }

  on<E extends keyof AssignmentEvents>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  private emit<E extends keyof AssignmentEvents>(event: E, payload: AssignmentEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch (err) {
        this.deps.logger.error({ err, event }, 'assignment event listener failed');
      }
    }
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
    for (const id of this.assignments.waitingConversationIds()) {
      const row = this.deps.conversations.get(id);
      if (row && this.enqueue(toConversationView(row, 'staff'), Date.parse(row.updated_at))) restored++;
    }
    return restored;
  }

  /** The agent takes the offered conversation: it becomes theirs and active, the bot is muted. */
  accept(agentId: string, offerId: string): { conversation: ConversationView; packet: HandoffPacket | null } {
    const result = this.deps.engine.accept(offerId, agentId);
    if (!result.ok) throw new ConversationFailure(ROUTING_TO_CONVERSATION_ERROR[result.error.code], result.error.message);
    const { conversationId } = result.value;
    try {
      const row = this.deps.conversations.assignAgent(conversationId, agentId);
      const view = toConversationView(row, 'staff');
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
    if (!result.ok) throw new ConversationFailure(ROUTING_TO_CONVERSATION_ERROR[result.error.code], result.error.message);
  }

  /** Stops listening; the caller closes the engine. */
  close(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers.length = 0;
  }

  // --- internals ---

  private enqueue(conversation: ConversationView, enqueuedAt?: number): boolean {
    if (conversation.queue === null) return false;
    const result = this.deps.engine.enqueue({
      conversationId: conversation.id,
      queueId: conversation.queue,
      priority: conversation.priority,
      skills: conversation.skills.filter((s): s is Skill => (ROUTING_SKILLS as readonly string[]).includes(s)),
      ...(enqueuedAt !== undefined && Number.isFinite(enqueuedAt) ? { enqueuedAt } : {}),
    });
    if (!result.ok) {
      this.deps.logger.error({ conversationId: conversation.id, code: result.error.code, error: result.error.message }, 'routing refused a conversation');
      return false;
    }
    return true;
  }

  private presenceChanged(presence: Presence): void {
    const role = this.roleOf(presence.userId);
    if (role === undefined || !ROUTED_ROLES.has(role)) return;
    const result = this.deps.engine.setAgentState(presence.userId, { presence: presence.state, ...agentRoutingProfile(presence.userId) });
    if (!result.ok) this.deps.logger.error({ userId: presence.userId, code: result.error.code }, 'routing refused an agent state');
  }

  /** From a live connection, else the account (presence set over REST before any socket). */
  private roleOf(userId: string): string | undefined {
    const known = this.roles.get(userId);
    if (known !== undefined) return known;
    const role = this.assignments.roleOf(userId);
    if (role !== undefined) this.roles.set(userId, role);
    return role;
  }

  private routingEvent(event: RoutingEvent): void {
    switch (event.type) {
      case 'offer.created': {
        const row = this.deps.conversations.get(event.conversationId);
        const view = row ? toConversationView(row, 'staff') : undefined;
        this.emit('offer', {
          agentId: event.agentId,
          offer: {
            offerId: event.offerId,
            conversationId: event.conversationId,
            queue: event.queueId,
            priority: event.reason.priority,
            packet: view?.handoff ?? null,
            expiresAt: new Date(event.expiresAt).toISOString(),
            reason: event.reason,
          },
        });
        break;
      }
      case 'offer.expired':
        this.emit('offer.withdrawn', { agentId: event.agentId, event: { offerId: event.offerId, conversationId: event.conversationId, cause: 'expired' } });
        break;
      case 'offer.withdrawn':
        this.emit('offer.withdrawn', { agentId: event.agentId, event: { offerId: event.offerId, conversationId: event.conversationId, cause: event.cause } });
        break;
      case 'queue.position':
        this.emit('queue.position', { conversationId: event.conversationId, position: event.position, estimatedWaitMs: event.estimatedWaitMs });
        break;
      case 'queue.out-of-hours':
        this.outOfHours(event.conversationId, event.message);
        break;
      default:
        break;
    }
  }

  /** The queue is closed: the patient reads the queue's message in the chat (stored, so a resync shows it). */
  private outOfHours(conversationId: string, text: string): void {
    this.deps.conversations.postSystemMessage(conversationId, text);
  }
}
