/**
 * Supervision: the live picture supervisors watch (conversations not closed, queues, agents, and why
 * routing chose each agent), coalesced into at most one snapshot per interval while something changes,
 * and who is silently monitoring which conversation. The actions themselves (monitor, whisper, join,
 * force close) are conversation-service methods and reassignment is the assignment service's; this
 * module never touches sockets: the realtime layer subscribes with `onSnapshot`.
 */
import type { AssignmentReason } from '../contracts/routing.js';
import type { SupervisedConversation, SupervisedQueue, SupervisedAgent, SupervisorSnapshot } from '../contracts/supervision.js';
import type { ConversationService } from '../conversations/service.js';
import type { ConversationRow } from '../conversations/repository.js';
import type { RoutingEngine } from '../routing/engine.js';
import type { PresenceService } from '../presence/service.js';
import type { Logger } from '../platform/logging.js';

export interface SupervisionDeps {
  conversations: ConversationService;
  routing: RoutingEngine;
  presence: PresenceService;
  logger: Logger;
  /** At most one pushed snapshot per this many ms (default 1000). */
  intervalMs?: number;
  now?: () => number;
}

type SnapshotListener = (snapshot: SupervisorSnapshot) => void;

export class SupervisionService {
  private readonly intervalMs: number;
  private readonly now: () => number;
  /** conversation id → supervisors (user ids) monitoring it silently. */
  private readonly monitoring = new Map<string, Set<string>>();
  private readonly listeners = new Set<SnapshotListener>();
  private readonly unsubscribers: (() => void)[] = [];
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private lastPushAt = 0;

  constructor(private readonly deps: SupervisionDeps) {
    this.intervalMs = deps.intervalMs ?? 1000;
    this.now = deps.now ?? Date.now;
    const changed = () => this.markChanged();
    this.unsubscribers.push(
      deps.conversations.on('conversation.updated', changed),
      deps.conversations.on('participant.joined', changed),
      deps.conversations.on('staff.removed', changed),
      deps.routing.subscribe((event) => {
        // Positions move constantly and change nothing supervisors see that the other events do not.
        if (event.type !== 'queue.position') changed();
      }),
      deps.presence.onChange(changed),
    );
  }

  /** Pushed snapshots (to the `supervisors` room); the listener is only called while something changed. */
  onSnapshot(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  startMonitoring(conversationId: string, supervisorId: string): void {
    let set = this.monitoring.get(conversationId);
    if (!set) this.monitoring.set(conversationId, (set = new Set()));
    set.add(supervisorId);
    this.markChanged();
  }

  stopMonitoring(conversationId: string, supervisorId: string): void {
    const set = this.monitoring.get(conversationId);
    if (!set?.delete(supervisorId)) return;
    if (set.size === 0) this.monitoring.delete(conversationId);
    this.markChanged();
  }

  isMonitoring(conversationId: string, supervisorId: string): boolean {
    return this.monitoring.get(conversationId)?.has(supervisorId) ?? false;
  }

  snapshot(): SupervisorSnapshot {
    const routing = this.deps.routing.snapshot();
    const names = new Map<string, string>();
    const nameOf = (userId: string) => {
      let name = names.get(userId);
      if (name === undefined) names.set(userId, (name = this.deps.conversations.displayNameOf(userId) ?? userId));
      return name;
    };
    const conversations: SupervisedConversation[] = [];
    const participantsOf = this.deps.conversations.participantsOfOpenConversations();
    for (const row of this.deps.conversations.openConversations()) {
      if (row.state === 'closed') continue;
      const participants = participantsOf.get(row.id) ?? [];
      const owner = row.agent_id === null ? undefined : participants.find((p) => p.userId === row.agent_id);
      const supervisors = new Set([...participants.filter((p) => p.kind === 'supervisor').map((p) => p.userId), ...(this.monitoring.get(row.id) ?? [])]);
      conversations.push({
        id: row.id,
        state: row.state,
        queue: row.queue,
        priority: row.priority,
        channel: row.channel,
        patientId: row.patient_id,
        visitorName: row.visitor_name,
        agentId: row.agent_id,
        agentName: row.agent_id === null ? null : (owner?.displayName ?? nameOf(row.agent_id)),
        waitingSince: row.state === 'queued' || row.state === 'offered' ? (row.queued_at ?? row.updated_at) : null,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        reason: this.reasonFor(row),
        supervisors: [...supervisors].sort(),
      });
    }
    const queues: SupervisedQueue[] = routing.queues.map((q) => ({
      id: q.queueId,
      name: q.name,
      open: q.open,
      waiting: q.waiting,
      offered: q.offered,
      oldestWaitMs: q.oldestWaitMs,
      estimatedWaitMs: q.estimatedWaitMs,
      agentsAvailable: q.agentsAvailable,
    }));
    const agents: SupervisedAgent[] = routing.agents
      .map((a) => ({
        userId: a.agentId,
        displayName: nameOf(a.agentId),
        presence: this.deps.presence.get(a.agentId).state,
        load: a.load,
        capacity: a.capacity,
        skills: [...a.skills].sort(),
        conversationIds: [...a.conversationIds].sort(),
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.userId.localeCompare(b.userId));
    return { at: new Date(this.now()).toISOString(), conversations, queues, agents };
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers.length = 0;
    this.listeners.clear();
  }

  /** Routing's reason for the current offer or assignment; the stored one once routing forgot (restart); null when given by hand. */
  private reasonFor(row: ConversationRow): AssignmentReason | null {
    const routed = this.deps.routing.conversation(row.id);
    if (routed && routed.state !== 'waiting' && routed.reason !== null && (row.state === 'offered' || routed.agentId === row.agent_id)) return routed.reason;
    if (row.agent_id === null || row.assignment_reason === null) return null;
    try {
      return JSON.parse(row.assignment_reason) as AssignmentReason;
    } catch {
      return null;
    }
  }

  /** Something supervisors see changed: push a snapshot now, or once the interval since the last one is over. */
  private markChanged(): void {
    this.dirty = true;
    if (this.timer !== null || this.listeners.size === 0) return;
    const wait = Math.max(0, this.lastPushAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = null;
    if (!this.dirty || this.listeners.size === 0) return;
    this.dirty = false;
    this.lastPushAt = this.now();
    let snapshot: SupervisorSnapshot;
    try {
      snapshot = this.snapshot();
    } catch (err) {
      this.deps.logger.error({ err }, 'supervisor snapshot failed');
      return;
    }
    for (const listener of this.listeners) listener(snapshot);
  }
}
