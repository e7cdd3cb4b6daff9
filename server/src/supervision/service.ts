/**
 * Supervision: the live picture supervisors watch (conversations not closed, queues, agents, and why
 * routing chose each agent), coalesced into at most one snapshot per interval while something changes,
 * and who is silently monitoring which conversation. The actions (monitor, whisper, join, force close)
 * are in actions.ts and reassignment is the assignment service's. It never touches sockets: the
 * module hands it a sink with `pushTo` while someone is subscribed.
 */
import type { AssignmentReason } from '../contracts/routing.js';
import type { SupervisedConversation, SupervisedQueue, SupervisedAgent, SupervisorSnapshot } from '../contracts/supervision.js';
import type { ConversationsApi, OpenConversation } from '../conversations/index.js';
import type { RoutingEngine } from '../routing/index.js';
import type { PresenceService } from '../presence/index.js';
import type { StaffDirectory } from '../accounts/index.js';
import type { Logger } from '../platform/logging.js';
import { listen, type ListenerRegistration } from '../platform/events.js';

export interface SupervisionDeps {
  conversations: Pick<ConversationsApi['core'], 'openConversations'>;
  directory: Pick<StaffDirectory, 'displayNameOf'>;
  routing: RoutingEngine;
  presence: PresenceService;
  logger: Logger;
  /** At most one pushed snapshot per this many ms (default 1000). */
  intervalMs?: number;
  now?: () => number;
}

/** Where pushed snapshots go (the supervisors' room). */
type SnapshotSink = (snapshot: SupervisorSnapshot) => void;

export class SupervisionService {
  private readonly intervalMs: number;
  private readonly now: () => number;
  /** conversation id → supervisors (user ids) monitoring it silently. */
  private readonly monitoring = new Map<string, Set<string>>();
  private sink: SnapshotSink | null = null;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private lastPushAt = 0;

  constructor(private readonly deps: SupervisionDeps) {
    this.intervalMs = deps.intervalMs ?? 1000;
    this.now = deps.now ?? Date.now;
  }

  /** What changes what supervisors see. */
  listeners(): ListenerRegistration[] {
    const changed = () => this.markChanged();
    const name = 'supervision';
    return [
      listen('conversation.updated', name, changed),
      listen('conversation.participant-joined', name, changed),
      listen('conversation.staff-removed', name, changed),
      listen('routing.event', name, (event) => {
        // Positions move constantly and change nothing supervisors see that the other events do not.
        if (event.type !== 'queue.position') changed();
      }),
      listen('presence.changed', name, changed),
    ];
  }

  /** Push snapshots to `sink` while something changes (null: nobody watches, build none). */
  pushTo(sink: SnapshotSink | null): void {
    this.sink = sink;
    if (sink === null && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
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
      if (name === undefined) names.set(userId, (name = this.deps.directory.displayNameOf(userId) ?? userId));
      return name;
    };
    const conversations: SupervisedConversation[] = [];
    for (const open of this.deps.conversations.openConversations()) {
      const { view, participants } = open;
      if (view.state === 'closed') continue;
      const agentId = view.agentId ?? null;
      const owner = agentId === null ? undefined : participants.find((p) => p.userId === agentId);
      const supervisors = new Set([...participants.filter((p) => p.kind === 'supervisor').map((p) => p.userId), ...(this.monitoring.get(view.id) ?? [])]);
      conversations.push({
        id: view.id,
        state: view.state,
        queue: view.queue,
        priority: view.priority,
        channel: view.channel,
        patientId: view.patientId,
        visitorName: view.visitorName,
        patientName: participants.find((p) => p.kind === 'patient' || p.kind === 'visitor')?.displayName ?? view.visitorName,
        verified: view.patientId !== null,
        agentId,
        agentName: agentId === null ? null : (owner?.displayName ?? nameOf(agentId)),
        waitingSince: open.waitingSince,
        createdAt: view.createdAt,
        updatedAt: view.updatedAt,
        reason: this.reasonFor(open),
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
    this.sink = null;
  }

  /** Routing's reason for the current offer or assignment; the stored one once routing forgot (restart); null when given by hand. */
  private reasonFor({ view, storedReason }: OpenConversation): AssignmentReason | null {
    const routed = this.deps.routing.conversation(view.id);
    const agentId = view.agentId ?? null;
    if (routed && routed.state !== 'waiting' && routed.reason !== null && (view.state === 'offered' || routed.agentId === agentId)) return routed.reason;
    if (agentId === null) return null;
    return storedReason;
  }

  /** Something supervisors see changed: push a snapshot now, or once the interval since the last one is over. */
  private markChanged(): void {
    this.dirty = true;
    if (this.timer !== null || this.sink === null) return;
    const wait = Math.max(0, this.lastPushAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = null;
    if (!this.dirty || this.sink === null) return;
    this.dirty = false;
    this.lastPushAt = this.now();
    let snapshot: SupervisorSnapshot;
    try {
      snapshot = this.snapshot();
    } catch (err) {
      this.deps.logger.error({ err }, 'supervisor snapshot failed');
      return;
    }
    this.sink?.(snapshot);
  }
}
