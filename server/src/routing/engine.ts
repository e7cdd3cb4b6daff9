/**
 * The routing engine: keeps waiting lines per queue and priority, agents' presence and load, and
 * pending offers; runs the pure rules of decisions.ts whenever something changes; emits what happened.
 *
 * Invariant after every call: no waiting conversation has an eligible agent with spare capacity. So a
 * change only needs local work — a new conversation looks for an agent, a freed agent looks for the
 * best conversation among the heads of the lines it serves — never a scan of everything.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  agentIdSchema,
  agentStateSchema,
  enqueueRequestSchema,
  routingConfigSchema,
  type AgentState,
  type AssignmentReason,
  type EnqueueRequestInput,
  type OfferEndCause,
  type QueueConfig,
  type QueuePosition,
  type RoutingConfig,
  type RoutingConfigInput,
  type RoutingEvent,
  type Skill,
} from '../contracts/routing.js';
import { availabilityOf, businessHoursStatus } from './business-hours.js';
import type { Clock, Scheduler } from './clock.js';
import { averageOr, chooseAgent, compareWaiting, estimateWaitMs, overflowReached, setAsideNow, type ChoiceInput, type SetAside } from './decisions.js';
import { createMemoryRoutingStore, type Offer, type RoutedAgent, type RoutedConversation, type RoutingStore } from './store.js';
import { DEFAULT_ROUTING_CONFIG_INPUT } from './queues.js';
import { WaitingLine } from './waiting-line.js';
import { AppError, type ErrorCode } from '../platform/errors.js';

export type RoutingListener = (event: RoutingEvent) => void;

export type RoutingErrorCode =
  | 'bad_input'
  | 'unknown_queue'
  | 'unknown_conversation'
  | 'unknown_offer'
  | 'unknown_agent'
  | 'not_your_offer'
  | 'already_routed'
  | 'queue_in_use';

/** A refusal of the engine as the server's one error type (the engine itself stays pure and returns results). */
const ROUTING_ERROR_CODES: Record<RoutingErrorCode, ErrorCode> = {
  bad_input: 'bad_request',
  unknown_queue: 'conflict',
  unknown_conversation: 'not_found',
  unknown_offer: 'not_found',
  unknown_agent: 'forbidden',
  not_your_offer: 'forbidden',
  already_routed: 'conflict',
  queue_in_use: 'conflict',
};
export function routingFailure(error: { code: RoutingErrorCode; message: string }): AppError {
  return new AppError(ROUTING_ERROR_CODES[error.code], error.message);
}

export type RoutingResult<T> = { ok: true; value: T } | { ok: false; error: { code: RoutingErrorCode; message: string } };

export type EnqueueOutcome =
  | { outcome: 'offered'; offerId: string; agentId: string }
  | { outcome: 'queued'; position: number; estimatedWaitMs: number | null }
  | { outcome: 'out-of-hours'; message: string; nextOpenAt: number | null };

export interface RoutingEngineOptions {
  /** Defaults to the six queues of queues.ts. */
  config?: RoutingConfigInput;
  clock: Clock;
  scheduler: Scheduler;
  store?: RoutingStore;
  /** Offer ids; random UUIDs by default. */
  newOfferId?: () => string;
  /** Told when a subscriber throws; the decision carries on regardless. */
  onListenerError?: (eventType: RoutingEvent['type'], error: unknown) => void;
}

export interface RoutingSnapshot {
  queues: {
    queueId: string;
    name: string;
    waiting: number;
    waitingByPriority: number[];
    /** Conversations of the queue with an offer out. */
    offered: number;
    /** How long the longest-waiting caller has waited (ms); null when nobody waits. */
    oldestWaitMs: number | null;
    /** The wait a caller arriving now can expect (ms); null when no agent of the queue is signed in. */
    estimatedWaitMs: number | null;
    agentsSignedIn: number;
    /** Agents of the queue whose presence is `available`. */
    agentsAvailable: number;
    open: boolean;
  }[];
  agents: {
    agentId: string;
    presence: RoutedAgent['presence'];
    load: number;
    capacity: number;
    skills: Skill[];
    offers: number;
    conversations: number;
    conversationIds: string[];
  }[];
  conversations: { conversationId: string; queueId: string; priority: number; state: RoutedConversation['state']; agentId: string | null; waitedMs: number; reason: AssignmentReason | null }[];
}

const ok = <T>(value: T): RoutingResult<T> => ({ ok: true, value });
const fail = (code: RoutingErrorCode, message: string): RoutingResult<never> => ({ ok: false, error: { code, message } });
const issuesText = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');

const PRIORITY_LEVELS = 4;

/** Public methods that change routing state: each call is one decision whose events follow it. */
const DECISIONS = ['reconfigure', 'enqueue', 'conversationEnded', 'released', 'accept', 'decline', 'setAgentState', 'agentUnresponsive', 'reassignActive', 'assignDirect', 'assignWaiting', 'flushPositions', 'close'] as const;

export class RoutingEngine {
  private current: RoutingConfig;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly store: RoutingStore;
  private readonly newOfferId: () => string;
  private readonly onListenerError: (eventType: RoutingEvent['type'], error: unknown) => void;
  private readonly queues = new Map<string, QueueConfig>();
  /** Queues that overflow into a queue, by target queue id. */
  private readonly overflowSources = new Map<string, QueueConfig[]>();
  private readonly lines = new Map<string, WaitingLine[]>();
  /** Agents having a queue's skills, whatever their presence. */
  private readonly agentsByQueue = new Map<string, Set<RoutedAgent>>();
  private readonly handleTimes = new Map<string, number[]>();
  private readonly acceptTimes = new Map<string, number[]>();
  private readonly listeners = new Set<RoutingListener>();
  /**
   * Events of the decision under way. They reach listeners only once the decision is complete, so a
   * listener that calls back into the engine (take an unresponsive agent's chats away, drop a
   * conversation nobody can take over) always finds consistent state.
   */
  private readonly outbox: RoutingEvent[] = [];
  private depth = 0;
  private readonly dirtyQueues = new Set<string>();
  private positionTimer: number | null = null;
  private seq = 0;
  /** Orders set-asides and agents becoming available (see SetAside.stamp). */
  private stamps = 0;

  constructor(options: RoutingEngineOptions) {
    this.current = routingConfigSchema.parse(options.config ?? DEFAULT_ROUTING_CONFIG_INPUT);
    this.clock = options.clock;
    // Timers start decisions of their own (an offer expires, a queue overflows).
    this.scheduler = { schedule: (delayMs, run) => options.scheduler.schedule(delayMs, () => this.decide(run)), cancel: (handle) => options.scheduler.cancel(handle) };
    this.store = options.store ?? createMemoryRoutingStore();
    this.newOfferId = options.newOfferId ?? randomUUID;
    this.onListenerError = options.onListenerError ?? (() => undefined);
    this.installQueues();
    this.wrapDecisions();
  }

  /** The configuration in force (replaced whole by `reconfigure`). */
  get config(): RoutingConfig {
    return this.current;
  }

  private installQueues(): void {
    for (const queue of this.current.queues) {
      this.queues.set(queue.id, queue);
      if (!this.lines.has(queue.id)) this.lines.set(queue.id, Array.from({ length: PRIORITY_LEVELS }, () => new WaitingLine()));
      if (!this.agentsByQueue.has(queue.id)) this.agentsByQueue.set(queue.id, new Set());
      if (!this.handleTimes.has(queue.id)) this.handleTimes.set(queue.id, []);
      if (!this.acceptTimes.has(queue.id)) this.acceptTimes.set(queue.id, []);
    }
    this.overflowSources.clear();
    for (const queue of this.current.queues) {
      if (queue.overflowTo !== undefined) {
        const sources = this.overflowSources.get(queue.overflowTo) ?? [];
        sources.push(queue);
        this.overflowSources.set(queue.overflowTo, sources);
      }
    }
  }

  /**
   * A new configuration at run time (an admin changed queues, hours, holidays, overflow, timeouts):
   * validated whole, refused if it removes a queue that still has conversations; otherwise in force
   * at once — agents are matched to the queues again and waiting conversations offered under the new
   * rules. Offers and timers already running keep the timeouts they were given.
   */
  reconfigure(input: RoutingConfigInput): RoutingResult<{ queueIds: string[] }> {
    const parsed = routingConfigSchema.safeParse(input);
    if (!parsed.success) return fail('bad_input', issuesText(parsed.error));
    const next = parsed.data;
    const kept = new Set(next.queues.map((q) => q.id));
    const removed = this.current.queues.filter((q) => !kept.has(q.id)).map((q) => q.id);
    for (const conversation of this.store.conversations()) {
      if (removed.includes(conversation.queueId)) {
        return fail('queue_in_use', `Queue ${conversation.queueId} still has conversations: move or close them before removing it.`);
      }
    }
    this.current = next;
    for (const queueId of removed) {
      this.queues.delete(queueId);
      this.lines.delete(queueId);
      this.agentsByQueue.delete(queueId);
      this.handleTimes.delete(queueId);
      this.acceptTimes.delete(queueId);
    }
    this.installQueues();
    for (const agent of this.store.agents()) {
      for (const set of this.agentsByQueue.values()) set.delete(agent);
      agent.queueIds = next.queues.filter((q) => q.skills.every((s) => agent.skills.has(s))).map((q) => q.id);
      for (const queueId of agent.queueIds) this.agentsByQueue.get(queueId)!.add(agent);
      this.store.saveAgent(agent);
    }
    for (const queue of next.queues) this.markDirty(queue.id);
    for (const agent of this.store.agents()) this.dispatchAgent(agent);
    return ok({ queueIds: next.queues.map((q) => q.id) });
  }

  /** Wraps the public methods that change state, so each call is one decision (see `outbox`). */
  private wrapDecisions(): void {
    for (const name of DECISIONS) {
      const method = this[name] as (...args: unknown[]) => unknown;
      (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => this.decide(() => method.apply(this, args));
    }
  }

  private decide<T>(run: () => T): T {
    this.depth++;
    try {
      return run();
    } finally {
      this.depth--;
      if (this.depth === 0) this.flushOutbox();
    }
  }

  private flushOutbox(): void {
    // A listener's own call into the engine is a new decision; its events queue behind these.
    this.depth++;
    try {
      for (let event = this.outbox.shift(); event; event = this.outbox.shift()) this.deliver(event);
    } finally {
      this.depth--;
    }
    if (this.outbox.length > 0) this.flushOutbox();
  }

  /** The engine's single output; the routing module forwards it to the event bus. */
  subscribe(listener: RoutingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // -------------------------------------------------------------------------------------------
  // Conversations
  // -------------------------------------------------------------------------------------------

  /**
   * Put a conversation in line (or tell why not: out of hours); offers it at once when an agent is free.
   * `excludeAgents`: agents not to offer it to (e.g. the agent who just transferred it away).
   */
  enqueue(input: EnqueueRequestInput, options: { excludeAgents?: readonly string[] } = {}): RoutingResult<EnqueueOutcome> {
    const parsed = enqueueRequestSchema.safeParse(input);
    if (!parsed.success) return fail('bad_input', issuesText(parsed.error));
    const request = parsed.data;
    const queue = this.queues.get(request.queueId);
    if (!queue) return fail('unknown_queue', `No queue ${request.queueId}.`);
    if (this.store.getConversation(request.conversationId)) return fail('already_routed', `Conversation ${request.conversationId} is already being routed.`);

    const now = this.clock.now();
    const hours = businessHoursStatus(queue.businessHours, now);
    if (!hours.open) {
      this.emit({ type: 'queue.out-of-hours', conversationId: request.conversationId, queueId: queue.id, message: queue.outOfHoursMessage, nextOpenAt: hours.nextOpenAt });
      return ok({ outcome: 'out-of-hours', message: queue.outOfHoursMessage, nextOpenAt: hours.nextOpenAt });
    }

    const enqueuedAt = request.enqueuedAt ?? now;
    const conversation: RoutedConversation = {
      conversationId: request.conversationId,
      queueId: queue.id,
      priority: request.priority,
      skills: [...new Set(request.skills)],
      enqueuedAt,
      order: enqueuedAt,
      seq: ++this.seq,
      excludedAgents: new Map(),
      state: 'waiting',
      offerId: null,
      agentId: null,
      assignedAt: null,
      reason: null,
      lastPosition: null,
      overflowTimer: null,
    };
    for (const agentId of options.excludeAgents ?? []) this.setAside(conversation, agentId, 'declined');
    this.store.saveConversation(conversation);
    this.lineOf(conversation).insert(conversation, 'tail');
    this.scheduleOverflow(conversation);
    const offer = this.dispatchConversation(conversation);
    if (offer) return ok({ outcome: 'offered', offerId: offer.offerId, agentId: offer.agentId });

    // Someone at a lower priority level now waits one place longer.
    if (conversation.priority < PRIORITY_LEVELS - 1) this.markDirty(queue.id);
    const position = this.positionOf(conversation);
    conversation.lastPosition = position.position;
    this.emit({ type: 'queue.position', conversationId: conversation.conversationId, queueId: queue.id, position: position.position, estimatedWaitMs: position.estimatedWaitMs });
    return ok({ outcome: 'queued', position: position.position, estimatedWaitMs: position.estimatedWaitMs });
  }

  /** The conversation is over (closed, abandoned, or handed back to the bot): drop it wherever it is. */
  conversationEnded(conversationId: string): RoutingResult<{ state: RoutedConversation['state'] }> {
    const conversation = this.store.getConversation(conversationId);
    if (!conversation) return fail('unknown_conversation', `Conversation ${conversationId} is not being routed.`);
    const state = conversation.state;
    if (state === 'waiting') {
      this.lineOf(conversation).remove(conversationId);
      this.markDirty(conversation.queueId);
      this.forget(conversation);
    } else if (state === 'offered') {
      const offer = this.store.getOffer(conversation.offerId!)!;
      const agent = this.endOffer(offer);
      this.emit({ type: 'offer.withdrawn', offerId: offer.offerId, conversationId, agentId: offer.agentId, cause: 'conversation-ended' });
      this.forget(conversation);
      this.dispatchAgent(agent);
    } else {
      return this.released(conversation.agentId!, conversationId);
    }
    return ok({ state });
  }

  /** An agent is done with a conversation (closed after wrap-up, or transferred away): frees their capacity. */
  released(agentId: string, conversationId: string): RoutingResult<{ state: RoutedConversation['state'] }> {
    const conversation = this.store.getConversation(conversationId);
    const agent = this.store.getAgent(agentId);
    if (!conversation || conversation.state !== 'assigned' || conversation.agentId !== agentId || !agent) {
      return fail('unknown_conversation', `Conversation ${conversationId} is not assigned to agent ${agentId}.`);
    }
    agent.conversations.delete(conversationId);
    agent.load--;
    this.store.saveAgent(agent);
    pushSample(this.handleTimes.get(conversation.queueId)!, this.clock.now() - conversation.assignedAt!, this.config.statsWindow);
    this.forget(conversation);
    this.dispatchAgent(agent);
    return ok({ state: 'assigned' });
  }

  // -------------------------------------------------------------------------------------------
  // Offers
  // -------------------------------------------------------------------------------------------

  accept(offerId: string, agentId?: string): RoutingResult<{ conversationId: string; agentId: string; reason: AssignmentReason }> {
    const offer = this.store.getOffer(offerId);
    if (!offer) return fail('unknown_offer', 'This offer no longer exists: it was accepted, declined, withdrawn or it expired.');
    if (agentId !== undefined && agentId !== offer.agentId) return fail('not_your_offer', 'This offer was made to another agent.');
    const conversation = this.store.getConversation(offer.conversationId)!;
    const agent = this.store.getAgent(offer.agentId)!;
    const now = this.clock.now();
    this.scheduler.cancel(offer.timer);
    this.store.deleteOffer(offerId);
    agent.offers.delete(offerId);
    agent.conversations.add(conversation.conversationId);
    agent.consecutiveTimeouts = 0;
    this.store.saveAgent(agent);
    conversation.state = 'assigned';
    conversation.offerId = null;
    conversation.assignedAt = now;
    this.store.saveConversation(conversation);
    pushSample(this.acceptTimes.get(conversation.queueId)!, now - offer.createdAt, this.config.statsWindow);
    this.emit({ type: 'offer.accepted', offerId, conversationId: conversation.conversationId, agentId: agent.agentId });
    this.emit({ type: 'conversation.assigned', conversationId: conversation.conversationId, agentId: agent.agentId, queueId: conversation.queueId, reason: offer.reason });
    return ok({ conversationId: conversation.conversationId, agentId: agent.agentId, reason: offer.reason });
  }

  /** The agent says no: the conversation goes back to its place in line and to the next agent. */
  decline(offerId: string, agentId?: string): RoutingResult<{ conversationId: string }> {
    const offer = this.store.getOffer(offerId);
    if (!offer) return fail('unknown_offer', 'This offer no longer exists: it was accepted, declined, withdrawn or it expired.');
    if (agentId !== undefined && agentId !== offer.agentId) return fail('not_your_offer', 'This offer was made to another agent.');
    const agent = this.endOffer(offer);
    const conversation = this.store.getConversation(offer.conversationId)!;
    this.setAside(conversation, agent.agentId, 'declined');
    this.putBack(conversation, 'in-place');
    this.emit({ type: 'offer.withdrawn', offerId, conversationId: conversation.conversationId, agentId: agent.agentId, cause: 'declined' });
    this.dispatchConversation(conversation);
    this.dispatchAgent(agent);
    return ok({ conversationId: conversation.conversationId });
  }

  /**
   * Not offered to this agent for `reofferAfterMs` (or until they next become available); then, if
   * it still waits, routing looks for an agent for it again, this one included.
   */
  private setAside(conversation: RoutedConversation, agentId: string, cause: SetAside['cause']): void {
    const now = this.clock.now();
    conversation.excludedAgents.set(agentId, { cause, at: now, until: now + this.config.reofferAfterMs, stamp: ++this.stamps });
    const { conversationId } = conversation;
    this.scheduler.schedule(this.config.reofferAfterMs, () => {
      const current = this.store.getConversation(conversationId);
      if (current !== conversation || current.state !== 'waiting') return;
      this.dispatchConversation(current);
    });
  }

  private expire(offerId: string): void {
    const offer = this.store.getOffer(offerId);
    if (!offer) return;
    const agent = this.endOffer(offer);
    const conversation = this.store.getConversation(offer.conversationId)!;
    this.setAside(conversation, agent.agentId, 'timed-out');
    this.putBack(conversation, 'in-place');
    this.emit({ type: 'offer.expired', offerId, conversationId: conversation.conversationId, agentId: agent.agentId });
    agent.consecutiveTimeouts++;
    this.store.saveAgent(agent);
    if (this.config.unresponsiveAfterTimeouts > 0 && agent.consecutiveTimeouts >= this.config.unresponsiveAfterTimeouts) {
      this.agentUnresponsive(agent.agentId);
    }
    this.dispatchConversation(conversation);
    this.dispatchAgent(agent);
  }

  // -------------------------------------------------------------------------------------------
  // Agents
  // -------------------------------------------------------------------------------------------

  /** Presence, skills and capacity of an agent (from the presence service or the agent's profile). */
  setAgentState(agentId: string, input: AgentState): RoutingResult<{ agentId: string; queueIds: string[] }> {
    const id = agentIdSchema.safeParse(agentId);
    if (!id.success) return fail('bad_input', `agentId: ${issuesText(id.error)}`);
    const parsed = agentStateSchema.safeParse(input);
    if (!parsed.success) return fail('bad_input', issuesText(parsed.error));
    const state = parsed.data;
    const now = this.clock.now();
    let agent = this.store.getAgent(agentId);
    const wasAvailable = agent?.presence === 'available';
    if (!agent) {
      agent = { agentId, presence: state.presence, skills: new Set(), capacity: 0, load: 0, idleSince: now, availableStamp: ++this.stamps, consecutiveTimeouts: 0, offers: new Set(), conversations: new Set(), queueIds: [] };
    }
    agent.presence = state.presence;
    agent.skills = new Set(state.skills);
    agent.capacity = state.capacity ?? this.config.defaultCapacity;
    if (state.presence === 'available' && !wasAvailable) {
      agent.idleSince = now;
      // Back at work: conversations set aside for them before are theirs to be offered again.
      agent.availableStamp = ++this.stamps;
      agent.consecutiveTimeouts = 0;
    }
    for (const queueId of agent.queueIds) this.agentsByQueue.get(queueId)!.delete(agent);
    agent.queueIds = this.config.queues.filter((q) => q.skills.every((s) => agent.skills.has(s))).map((q) => q.id);
    for (const queueId of agent.queueIds) this.agentsByQueue.get(queueId)!.add(agent);
    this.store.saveAgent(agent);
    for (const queueId of agent.queueIds) this.markDirty(queueId);

    if (state.presence === 'offline') {
      // Nobody is there to accept: the offers go to the next agent now rather than after the timeout.
      for (const offerId of [...agent.offers]) this.withdrawOffer(offerId, 'agent-offline', 'in-place');
    }
    this.dispatchAgent(agent);
    return ok({ agentId, queueIds: [...agent.queueIds] });
  }

  /**
   * The agent stopped responding (missed offers, lost connection past its grace period): they stop
   * receiving work, their pending offers go back to the head of their priority and to the next agent.
   * With `reassignActive`, their accepted conversations are requeued the same way.
   */
  agentUnresponsive(agentId: string, options: { reassignActive?: boolean } = {}): RoutingResult<{ requeued: string[] }> {
    const agent = this.store.getAgent(agentId);
    if (!agent) return fail('unknown_agent', `No agent ${agentId}.`);
    agent.presence = 'away';
    this.store.saveAgent(agent);
    for (const queueId of agent.queueIds) this.markDirty(queueId);
    this.emit({ type: 'agent.unresponsive', agentId, consecutiveTimeouts: agent.consecutiveTimeouts });

    const requeued: RoutedConversation[] = [];
    for (const offerId of [...agent.offers]) {
      requeued.push(this.withdrawOffer(offerId, 'agent-unresponsive', 'head', false));
    }
    if (options.reassignActive) requeued.push(...this.takeActiveFrom(agent));
    for (const conversation of requeued) this.dispatchConversation(conversation);
    return ok({ requeued: requeued.map((c) => c.conversationId) });
  }

  /**
   * The agent's accepted conversations go back to the head of their lines and to other agents
   * (`conversation.requeued` for each, before any new offer). Their presence is left as it is.
   */
  reassignActive(agentId: string): RoutingResult<{ requeued: string[] }> {
    const agent = this.store.getAgent(agentId);
    if (!agent) return fail('unknown_agent', `No agent ${agentId}.`);
    const requeued = this.takeActiveFrom(agent);
    for (const conversation of requeued) this.dispatchConversation(conversation);
    return ok({ requeued: requeued.map((c) => c.conversationId) });
  }

  /**
   * A supervisor gives a waiting or offered conversation to an agent of their choosing: a pending
   * offer is withdrawn (cause `reassigned`; that agent gets other work), it leaves its line and is
   * the agent's, counted in their load whatever their presence.
   */
  assignWaiting(conversationId: string, agentId: string): RoutingResult<{ offeredTo: string | null }> {
    const id = agentIdSchema.safeParse(agentId);
    if (!id.success) return fail('bad_input', `agentId: ${issuesText(id.error)}`);
    const conversation = this.store.getConversation(conversationId);
    if (!conversation) return fail('unknown_conversation', `Conversation ${conversationId} is not being routed.`);
    if (conversation.state === 'assigned') return fail('already_routed', `Conversation ${conversationId} already has an agent.`);
    const now = this.clock.now();
    let offeredTo: RoutedAgent | null = null;
    if (conversation.state === 'offered') {
      const offer = this.store.getOffer(conversation.offerId!)!;
      offeredTo = this.endOffer(offer);
      this.emit({ type: 'offer.withdrawn', offerId: offer.offerId, conversationId, agentId: offer.agentId, cause: 'reassigned' });
    } else {
      this.takeOutOfLine(conversation);
    }
    this.markDirty(conversation.queueId);
    const target = this.store.getAgent(agentId) ?? this.registerAgent(agentId);
    conversation.state = 'assigned';
    conversation.offerId = null;
    conversation.agentId = target.agentId;
    conversation.assignedAt = now;
    conversation.reason = null;
    this.store.saveConversation(conversation);
    target.conversations.add(conversationId);
    target.load++;
    target.idleSince = now;
    this.store.saveAgent(target);
    if (offeredTo && offeredTo !== target) this.dispatchAgent(offeredTo);
    return ok({ offeredTo: offeredTo?.agentId ?? null });
  }

  private takeActiveFrom(agent: RoutedAgent): RoutedConversation[] {
    const requeued: RoutedConversation[] = [];
    for (const conversationId of [...agent.conversations]) {
      const conversation = this.store.getConversation(conversationId)!;
      agent.conversations.delete(conversationId);
      agent.load--;
      this.setAside(conversation, agent.agentId, 'timed-out');
      conversation.agentId = null;
      conversation.assignedAt = null;
      this.putBack(conversation, 'head');
      this.emit({ type: 'conversation.requeued', conversationId, queueId: conversation.queueId, fromAgentId: agent.agentId, cause: 'agent-unresponsive' });
      requeued.push(conversation);
    }
    this.store.saveAgent(agent);
    return requeued;
  }

  /**
   * A conversation becomes an agent's without an offer: a transfer or reassignment to them, or, at
   * start, a conversation that was already theirs (restoring their load). A conversation assigned to
   * another agent moves (that agent's capacity is freed); an unknown one is registered as assigned.
   * An agent routing has not seen yet is registered offline with the default capacity until their
   * presence arrives. Waiting or offered conversations are refused (`already_routed`).
   */
  assignDirect(input: EnqueueRequestInput & { agentId: string; assignedAt?: number }): RoutingResult<{ fromAgentId: string | null }> {
    const { agentId, assignedAt, ...enqueue } = input;
    const parsed = enqueueRequestSchema.safeParse(enqueue);
    if (!parsed.success) return fail('bad_input', issuesText(parsed.error));
    const id = agentIdSchema.safeParse(agentId);
    if (!id.success) return fail('bad_input', `agentId: ${issuesText(id.error)}`);
    const request = parsed.data;
    if (!this.queues.has(request.queueId)) return fail('unknown_queue', `No queue ${request.queueId}.`);
    const now = this.clock.now();
    const existing = this.store.getConversation(request.conversationId);
    if (existing && existing.state !== 'assigned') return fail('already_routed', `Conversation ${request.conversationId} is waiting for an agent.`);
    const target = this.store.getAgent(agentId) ?? this.registerAgent(agentId);
    let fromAgentId: string | null = null;
    if (existing) {
      if (existing.agentId === target.agentId) return ok({ fromAgentId: target.agentId });
      fromAgentId = existing.agentId;
      const previous = fromAgentId === null ? undefined : this.store.getAgent(fromAgentId);
      if (previous) {
        previous.conversations.delete(existing.conversationId);
        previous.load--;
        this.store.saveAgent(previous);
      }
      existing.agentId = target.agentId;
      existing.reason = null;
      this.store.saveConversation(existing);
      target.conversations.add(existing.conversationId);
      target.load++;
      this.store.saveAgent(target);
      if (previous) this.dispatchAgent(previous);
      return ok({ fromAgentId });
    }
    const enqueuedAt = request.enqueuedAt ?? now;
    this.store.saveConversation({
      conversationId: request.conversationId,
      queueId: request.queueId,
      priority: request.priority,
      skills: [...new Set(request.skills)],
      enqueuedAt,
      order: enqueuedAt,
      seq: ++this.seq,
      excludedAgents: new Map(),
      state: 'assigned',
      offerId: null,
      agentId: target.agentId,
      assignedAt: assignedAt ?? now,
      reason: null,
      lastPosition: null,
      overflowTimer: null,
    });
    target.conversations.add(request.conversationId);
    target.load++;
    this.store.saveAgent(target);
    return ok({ fromAgentId });
  }

  private registerAgent(agentId: string): RoutedAgent {
    const agent: RoutedAgent = {
      agentId,
      presence: 'offline',
      skills: new Set(),
      capacity: this.config.defaultCapacity,
      load: 0,
      idleSince: this.clock.now(),
      availableStamp: 0,
      consecutiveTimeouts: 0,
      offers: new Set(),
      conversations: new Set(),
      queueIds: [],
    };
    this.store.saveAgent(agent);
    return agent;
  }

  /** The agent's pending offers, oldest first (a reconnecting desk gets them back). */
  pendingOffers(agentId: string): Omit<Offer, 'timer'>[] {
    const agent = this.store.getAgent(agentId);
    if (!agent) return [];
    return [...agent.offers]
      .map((offerId) => this.store.getOffer(offerId)!)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(({ timer, ...offer }) => {
        void timer;
        return offer;
      });
  }

  agent(agentId: string): RoutedAgent | undefined {
    return this.store.getAgent(agentId);
  }

  /** Every agent routing knows of (signed in now or earlier in this process). */
  agentIds(): string[] {
    return [...this.store.agents()].map((a) => a.agentId);
  }

  // -------------------------------------------------------------------------------------------
  // Reading
  // -------------------------------------------------------------------------------------------

  /** Waiting conversations of a queue in serving order, with position and estimated wait. */
  positions(queueId: string): RoutingResult<QueuePosition[]> {
    const lines = this.lines.get(queueId);
    if (!lines) return fail('unknown_queue', `No queue ${queueId}.`);
    const now = this.clock.now();
    const estimate = this.estimator(queueId);
    const result: QueuePosition[] = [];
    let position = 0;
    for (const line of lines) {
      for (const c of line) {
        position++;
        result.push({ conversationId: c.conversationId, priority: c.priority, position, estimatedWaitMs: estimate(position), waitedMs: now - c.enqueuedAt });
      }
    }
    return ok(result);
  }

  position(conversationId: string): RoutingResult<QueuePosition> {
    const conversation = this.store.getConversation(conversationId);
    if (!conversation || conversation.state !== 'waiting') return fail('unknown_conversation', `Conversation ${conversationId} is not waiting in a queue.`);
    return ok(this.positionOf(conversation));
  }

  conversation(conversationId: string): RoutedConversation | undefined {
    return this.store.getConversation(conversationId);
  }

  /** Whether any queue is open now; if none is, when the first one opens (epoch ms, null: not within two weeks). */
  availability(): { open: boolean; nextOpenAt: number | null } {
    return availabilityOf(this.config.queues.map((q) => q.businessHours), this.clock.now());
  }

  snapshot(): RoutingSnapshot {
    const now = this.clock.now();
    const offered = new Map<string, number>();
    for (const c of this.store.conversations()) if (c.state === 'offered') offered.set(c.queueId, (offered.get(c.queueId) ?? 0) + 1);
    return {
      queues: this.config.queues.map((q) => {
        const lines = this.lines.get(q.id)!;
        const waiting = lines.reduce((n, l) => n + l.size, 0);
        let oldestEnqueuedAt: number | null = null;
        for (const line of lines) {
          // FIFO per priority: the longest wait of a line is among its first few (put-back ones go first).
          for (const c of line) {
            if (oldestEnqueuedAt === null || c.enqueuedAt < oldestEnqueuedAt) oldestEnqueuedAt = c.enqueuedAt;
            break;
          }
        }
        const agents = [...this.agentsByQueue.get(q.id)!];
        return {
          queueId: q.id,
          name: q.name,
          waiting,
          waitingByPriority: lines.map((l) => l.size),
          offered: offered.get(q.id) ?? 0,
          oldestWaitMs: oldestEnqueuedAt === null ? null : now - oldestEnqueuedAt,
          estimatedWaitMs: this.estimator(q.id)(waiting + 1),
          agentsSignedIn: agents.filter((a) => a.presence !== 'offline').length,
          agentsAvailable: agents.filter((a) => a.presence === 'available').length,
          open: businessHoursStatus(q.businessHours, now).open,
        };
      }),
      agents: [...this.store.agents()].map((a) => ({
        agentId: a.agentId,
        presence: a.presence,
        load: a.load,
        capacity: a.capacity,
        skills: [...a.skills],
        offers: a.offers.size,
        conversations: a.conversations.size,
        conversationIds: [...a.conversations],
      })),
      conversations: [...this.store.conversations()].map((c) => ({
        conversationId: c.conversationId,
        queueId: c.queueId,
        priority: c.priority,
        state: c.state,
        agentId: c.agentId,
        waitedMs: now - c.enqueuedAt,
        reason: c.reason,
      })),
    };
  }

  /** Stop all timers (server shutdown). */
  close(): void {
    for (const c of this.store.conversations()) if (c.overflowTimer !== null) this.scheduler.cancel(c.overflowTimer);
    for (const a of this.store.agents()) for (const offerId of a.offers) this.scheduler.cancel(this.store.getOffer(offerId)!.timer);
    if (this.positionTimer !== null) this.scheduler.cancel(this.positionTimer);
    this.positionTimer = null;
  }

  // -------------------------------------------------------------------------------------------
  // Dispatch
  // -------------------------------------------------------------------------------------------

  /** Offer a waiting conversation to the best eligible agent, if there is one. */
  private dispatchConversation(conversation: RoutedConversation): Offer | null {
    if (conversation.state !== 'waiting') return null;
    const choice = chooseAgent({ conversation, pools: this.poolsFor(conversation), now: this.clock.now() });
    if (choice.agent === null) return null;
    return this.createOffer(conversation, this.store.getAgent(choice.agent.agentId)!, choice.reason);
  }

  /** Give a free agent the most urgent, longest-waiting conversation they may take, until they are full. */
  private dispatchAgent(agent: RoutedAgent): void {
    for (let guard = 0; guard < 32 && agent.presence === 'available' && agent.load < agent.capacity; guard++) {
      const next = this.bestConversationFor(agent);
      if (!next) return;
      // Explain the decision over all agents of the pools; with the invariant it picks this agent.
      if (!this.dispatchConversation(next)) return;
    }
  }

  private bestConversationFor(agent: RoutedAgent): RoutedConversation | undefined {
    const now = this.clock.now();
    let best: RoutedConversation | undefined;
    const consider = (candidate: RoutedConversation | undefined) => {
      if (candidate && (!best || compareWaiting(candidate, best) < 0)) best = candidate;
    };
    for (const queueId of agent.queueIds) {
      const own = this.lines.get(queueId)!;
      const sources = this.overflowSources.get(queueId) ?? [];
      for (let priority = 0; priority < PRIORITY_LEVELS; priority++) {
        if (best && best.priority < priority) break;
        consider(firstTakeable(own[priority]!, agent, now, () => true));
        for (const source of sources) {
          consider(firstTakeable(this.lines.get(source.id)![priority]!, agent, now, (c) => overflowReached(c.enqueuedAt, source.overflowAfterMs, now)));
        }
      }
    }
    return best;
  }

  private poolsFor(conversation: RoutedConversation): ChoiceInput['pools'] {
    const queue = this.queues.get(conversation.queueId)!;
    const pools: ChoiceInput['pools'] = [
      { queueId: queue.id, requiredSkills: union(queue.skills, conversation.skills), agents: this.agentsByQueue.get(queue.id)! },
    ];
    if (queue.overflowTo !== undefined && overflowReached(conversation.enqueuedAt, queue.overflowAfterMs, this.clock.now())) {
      const target = this.queues.get(queue.overflowTo)!;
      pools.push({ queueId: target.id, requiredSkills: union(target.skills, conversation.skills), agents: this.agentsByQueue.get(target.id)!, overflowFrom: queue.id });
    }
    return pools;
  }

  private createOffer(conversation: RoutedConversation, agent: RoutedAgent, reason: AssignmentReason): Offer {
    const now = this.clock.now();
    const offerId = this.newOfferId();
    this.takeOutOfLine(conversation);
    conversation.state = 'offered';
    conversation.offerId = offerId;
    conversation.agentId = agent.agentId;
    conversation.reason = reason;
    conversation.lastPosition = null;
    this.store.saveConversation(conversation);
    agent.load++;
    agent.idleSince = now;
    agent.offers.add(offerId);
    this.store.saveAgent(agent);
    const offer: Offer = {
      offerId,
      conversationId: conversation.conversationId,
      agentId: agent.agentId,
      queueId: reason.overflow?.toQueueId ?? conversation.queueId,
      createdAt: now,
      expiresAt: now + this.config.offerTimeoutMs,
      timer: this.scheduler.schedule(this.config.offerTimeoutMs, () => this.expire(offerId)),
      reason,
    };
    this.store.saveOffer(offer);
    this.markDirty(conversation.queueId);
    this.emit({ type: 'offer.created', offerId, conversationId: conversation.conversationId, agentId: agent.agentId, queueId: offer.queueId, expiresAt: offer.expiresAt, reason });
    return offer;
  }

  /** Remove an offer and give the agent their capacity back; the conversation is left for the caller to place. */
  private endOffer(offer: Offer): RoutedAgent {
    const agent = this.store.getAgent(offer.agentId)!;
    this.scheduler.cancel(offer.timer);
    this.store.deleteOffer(offer.offerId);
    agent.offers.delete(offer.offerId);
    agent.load--;
    this.store.saveAgent(agent);
    return agent;
  }

  private withdrawOffer(offerId: string, cause: OfferEndCause, where: 'in-place' | 'head', dispatch = true): RoutedConversation {
    const offer = this.store.getOffer(offerId)!;
    this.endOffer(offer);
    const conversation = this.store.getConversation(offer.conversationId)!;
    if (cause === 'agent-unresponsive') this.setAside(conversation, offer.agentId, 'timed-out');
    this.putBack(conversation, where);
    this.emit({ type: 'offer.withdrawn', offerId, conversationId: conversation.conversationId, agentId: offer.agentId, cause });
    if (dispatch) this.dispatchConversation(conversation);
    return conversation;
  }

  /** Back in line: at its original place (decline, timeout), or ahead of everyone of its priority (unresponsive agent). */
  private putBack(conversation: RoutedConversation, where: 'in-place' | 'head'): void {
    const line = this.lineOf(conversation);
    if (where === 'head') {
      const head = line.first();
      if (head) conversation.order = Math.min(conversation.order, head.order - 1);
    }
    conversation.state = 'waiting';
    conversation.offerId = null;
    conversation.agentId = null;
    this.store.saveConversation(conversation);
    line.insert(conversation, 'head');
    this.scheduleOverflow(conversation);
    this.markDirty(conversation.queueId);
  }

  /** Wake the conversation up when it may overflow, so already-free overflow agents get it on time. */
  private scheduleOverflow(conversation: RoutedConversation): void {
    const queue = this.queues.get(conversation.queueId)!;
    if (queue.overflowAfterMs === undefined || conversation.overflowTimer !== null) return;
    const now = this.clock.now();
    if (overflowReached(conversation.enqueuedAt, queue.overflowAfterMs, now)) return;
    conversation.overflowTimer = this.scheduler.schedule(conversation.enqueuedAt + queue.overflowAfterMs - now, () => {
      conversation.overflowTimer = null;
      this.dispatchConversation(conversation);
    });
  }

  /** Out of its waiting line, its overflow timer stopped (it is being offered or given to an agent). */
  private takeOutOfLine(conversation: RoutedConversation): void {
    this.lineOf(conversation).remove(conversation.conversationId);
    if (conversation.overflowTimer !== null) {
      this.scheduler.cancel(conversation.overflowTimer);
      conversation.overflowTimer = null;
    }
  }

  private forget(conversation: RoutedConversation): void {
    if (conversation.overflowTimer !== null) this.scheduler.cancel(conversation.overflowTimer);
    this.store.deleteConversation(conversation.conversationId);
  }

  // -------------------------------------------------------------------------------------------
  // Positions
  // -------------------------------------------------------------------------------------------

  private lineOf(conversation: RoutedConversation): WaitingLine {
    return this.lines.get(conversation.queueId)![conversation.priority]!;
  }

  private positionOf(conversation: RoutedConversation): QueuePosition {
    const lines = this.lines.get(conversation.queueId)!;
    let ahead = 0;
    for (let p = 0; p < conversation.priority; p++) ahead += lines[p]!.size;
    const position = ahead + lines[conversation.priority]!.indexOf(conversation.conversationId);
    return {
      conversationId: conversation.conversationId,
      priority: conversation.priority,
      position,
      estimatedWaitMs: this.estimator(conversation.queueId)(position),
      waitedMs: this.clock.now() - conversation.enqueuedAt,
    };
  }

  private estimator(queueId: string): (position: number) => number | null {
    let slots = 0;
    for (const agent of this.agentsByQueue.get(queueId)!) if (agent.presence !== 'offline') slots += agent.capacity;
    const averageHandleMs = averageOr(this.handleTimes.get(queueId)!, this.config.defaultHandleTimeMs);
    const averageAcceptMs = averageOr(this.acceptTimes.get(queueId)!, 0);
    return (position) => estimateWaitMs({ position, slots, averageHandleMs, averageAcceptMs });
  }

  /** Positions move on almost every change: send them coalesced, at most once per interval. */
  private markDirty(queueId: string): void {
    this.dirtyQueues.add(queueId);
    if (this.positionTimer === null) {
      this.positionTimer = this.scheduler.schedule(this.config.positionUpdateIntervalMs, () => {
        this.positionTimer = null;
        this.flushPositions();
      });
    }
  }

  /** Send `queue.position` to every waiting conversation of the changed queues whose position moved. */
  flushPositions(): void {
    const queueIds = [...this.dirtyQueues];
    this.dirtyQueues.clear();
    for (const queueId of queueIds) {
      const estimate = this.estimator(queueId);
      let position = 0;
      for (const line of this.lines.get(queueId)!) {
        for (const c of line) {
          position++;
          if (c.lastPosition === position) continue;
          c.lastPosition = position;
          this.emit({ type: 'queue.position', conversationId: c.conversationId, queueId, position, estimatedWaitMs: estimate(position) });
        }
      }
    }
  }

  private emit(event: RoutingEvent): void {
    this.outbox.push(event);
    if (this.depth === 0) this.flushOutbox();
  }

  private deliver(event: RoutingEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A failing subscriber must not corrupt routing state halfway through a decision.
        this.onListenerError(event.type, error);
      }
    }
  }
}

function firstTakeable(line: WaitingLine, agent: RoutedAgent, now: number, allowed: (c: RoutedConversation) => boolean): RoutedConversation | undefined {
  for (const c of line) {
    if (!allowed(c)) return undefined;
    if (setAsideNow(c.excludedAgents.get(agent.agentId), agent, now)) continue;
    if (c.skills.some((s) => !agent.skills.has(s))) continue;
    return c;
  }
  return undefined;
}

function union(a: readonly Skill[], b: readonly Skill[]): Skill[] {
  return b.length === 0 ? [...a] : [...new Set([...a, ...b])];
}

function pushSample(window: number[], value: number, size: number): void {
  window.push(value);
  if (window.length > size) window.shift();
}
