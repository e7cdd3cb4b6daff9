/**
 * The routing rules as small pure functions: who may take a conversation, who gets it, which
 * conversation is served first, and how long a caller will wait. The engine (engine.ts) only keeps
 * indexes and timers around these.
 */
import type {
  AssignmentReason,
  CandidateSummary,
  DecidingRule,
  ExclusionCause,
  Priority,
  Skill,
} from '../contracts/routing.js';
import type { PresenceState } from '../contracts/realtime.js';

export interface AgentView {
  agentId: string;
  presence: PresenceState;
  skills: ReadonlySet<Skill>;
  capacity: number;
  /** Offers plus assigned conversations. */
  load: number;
  /** Since when the agent has had no new work (epoch ms). */
  idleSince: number;
  /** Stamp (engine order, see SetAside.stamp) of the agent's last becoming available: set-asides from before no longer count. */
  availableStamp?: number;
}

/**
 * An agent a conversation is not offered to for a while: they declined it, or let its offer expire
 * (or were taken off it as unresponsive). Only until `until`, and only until the agent next becomes
 * available: a set-aside is a pause, never a ban, so a waiting chat cannot be stranded by the only
 * agent there is.
 */
export interface SetAside {
  cause: 'declined' | 'timed-out';
  /** When it was set aside (epoch ms). */
  at: number;
  /** The engine's order of events: compared with the agent's availableStamp (same-millisecond safe). */
  stamp: number;
  /** Offered to this agent again from then on (epoch ms). */
  until: number;
}

export interface WaitingView {
  conversationId: string;
  queueId: string;
  priority: Priority;
  /** Skills needed on top of the queue's. */
  skills: readonly Skill[];
  enqueuedAt: number;
  /** FIFO key: the enqueue time, or earlier than the queue head when put back at the head. */
  order: number;
  /** Enqueue sequence: breaks ties between equal `order`s. */
  seq: number;
  /** Agents who declined or let an offer for this conversation time out, for a while. */
  excludedAgents: ReadonlyMap<string, SetAside>;
}

/** Serving order: lower priority number first, then FIFO by order (enqueue time), then sequence. */
export function compareWaiting(a: Pick<WaitingView, 'priority' | 'order' | 'seq'>, b: Pick<WaitingView, 'priority' | 'order' | 'seq'>): number {
  return a.priority - b.priority || a.order - b.order || a.seq - b.seq;
}

export interface Exclusion {
  cause: ExclusionCause;
  detail: string;
}

/** Why an agent cannot be offered a conversation, or null when they can. */
export function exclusionFor(agent: AgentView, requiredSkills: readonly Skill[], conversation: Pick<WaitingView, 'excludedAgents'>, now: number): Exclusion | null {
  if (agent.presence !== 'available') return { cause: 'presence', detail: `presence is ${agent.presence}` };
  const missing = requiredSkills.filter((s) => !agent.skills.has(s));
  if (missing.length > 0) return { cause: 'missing-skills', detail: `lacks ${missing.join(', ')}` };
  if (agent.load >= agent.capacity) return { cause: 'at-capacity', detail: `load ${agent.load} of ${agent.capacity}` };
  const earlier = setAsideNow(conversation.excludedAgents.get(agent.agentId), agent, now);
  if (earlier?.cause === 'declined') return { cause: 'declined', detail: 'declined this conversation' };
  if (earlier?.cause === 'timed-out') return { cause: 'timed-out', detail: 'let an offer for this conversation time out' };
  return null;
}

/** The set-aside if it still holds at `now` for this agent, else undefined. */
export function setAsideNow(mark: SetAside | undefined, agent: Pick<AgentView, 'availableStamp'>, now: number): SetAside | undefined {
  if (!mark || mark.until <= now) return undefined;
  if (agent.availableStamp !== undefined && agent.availableStamp > mark.stamp) return undefined;
  return mark;
}

/** Best agent first: least loaded, then longest idle, then agent id (stable). */
export function compareCandidates(a: AgentView, b: AgentView): number {
  return a.load - b.load || a.idleSince - b.idleSince || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);
}

export function decidingRule(best: AgentView, runnerUp: AgentView | undefined): DecidingRule {
  if (!runnerUp) return 'only-candidate';
  if (best.load !== runnerUp.load) return 'least-loaded';
  if (best.idleSince !== runnerUp.idleSince) return 'longest-idle';
  return 'agent-id';
}

export const MAX_EXCLUDED_LISTED = 20;
export const MAX_RUNNERS_UP = 5;

export interface ChoiceInput {
  conversation: WaitingView;
  /** Queue whose agents are considered (the conversation's own queue, or the overflow queue). */
  pools: { queueId: string; requiredSkills: readonly Skill[]; agents: Iterable<AgentView>; overflowFrom?: string }[];
  now: number;
}

export type Choice =
  | { agent: AgentView; reason: AssignmentReason }
  | { agent: null; candidatesConsidered: number; excludedCounts: Partial<Record<ExclusionCause, number>> };

const summary = (agent: AgentView, now: number): CandidateSummary => ({
  agentId: agent.agentId,
  load: agent.load,
  capacity: agent.capacity,
  idleMs: Math.max(0, now - agent.idleSince),
});

/** Pick the agent for a conversation among the pools' agents and explain the choice. */
export function chooseAgent({ conversation, pools, now }: ChoiceInput): Choice {
  const eligible: { agent: AgentView; pool: ChoiceInput['pools'][number] }[] = [];
  const excluded: AssignmentReason['excluded'] = [];
  const excludedCounts: Partial<Record<ExclusionCause, number>> = {};
  const seen = new Set<string>();
  let considered = 0;
  for (const pool of pools) {
    for (const agent of pool.agents) {
      if (seen.has(agent.agentId)) continue;
      seen.add(agent.agentId);
      considered++;
      const exclusion = exclusionFor(agent, pool.requiredSkills, conversation, now);
      if (exclusion === null) {
        eligible.push({ agent, pool });
      } else {
        excludedCounts[exclusion.cause] = (excludedCounts[exclusion.cause] ?? 0) + 1;
        if (excluded.length < MAX_EXCLUDED_LISTED) excluded.push({ agentId: agent.agentId, ...exclusion });
      }
    }
  }
  if (eligible.length === 0) return { agent: null, candidatesConsidered: considered, excludedCounts };

  // Agents of the conversation's own queue come before overflow agents; within a pool, the best candidate.
  eligible.sort((a, b) => pools.indexOf(a.pool) - pools.indexOf(b.pool) || compareCandidates(a.agent, b.agent));
  const [best, ...others] = eligible as [(typeof eligible)[number], ...typeof eligible];
  const runnerUp = others[0]?.pool === best.pool ? others[0].agent : undefined;
  return {
    agent: best.agent,
    reason: {
      conversationId: conversation.conversationId,
      queueId: conversation.queueId,
      priority: conversation.priority,
      requiredSkills: [...best.pool.requiredSkills],
      overflow:
        best.pool.overflowFrom === undefined
          ? null
          : { fromQueueId: best.pool.overflowFrom, toQueueId: best.pool.queueId, waitedMs: now - conversation.enqueuedAt },
      chosen: summary(best.agent, now),
      decidingRule: decidingRule(best.agent, runnerUp),
      candidatesConsidered: considered,
      eligibleCount: eligible.length,
      runnersUp: others.slice(0, MAX_RUNNERS_UP).map((c) => summary(c.agent, now)),
      excludedCounts,
      excluded,
      waitedMs: now - conversation.enqueuedAt,
      decidedAt: now,
    },
  };
}

/** May a conversation waiting in a queue with overflow be offered to the overflow queue's agents yet? */
export function overflowReached(enqueuedAt: number, overflowAfterMs: number | undefined, now: number): boolean {
  return overflowAfterMs !== undefined && now - enqueuedAt >= overflowAfterMs;
}

export interface WaitEstimateInput {
  /** 1-based place in line. */
  position: number;
  /** Conversations the queue's signed-in agents can hold at once (sum of capacities of agents not offline). */
  slots: number;
  averageHandleMs: number;
  averageAcceptMs: number;
}

/**
 * Estimated wait for the caller at `position`: with `slots` conversations in service, one slot frees up
 * every `averageHandleMs / slots` on average, so the caller waits for `position` slots to free up, then
 * for the agent to accept:
 *
 *     estimatedWaitMs = ceil(position × averageHandleMs / slots + averageAcceptMs)
 *
 * `null` when no agent of the queue is signed in (nobody to wait for).
 */
export function estimateWaitMs({ position, slots, averageHandleMs, averageAcceptMs }: WaitEstimateInput): number | null {
  if (slots <= 0) return null;
  return Math.ceil((position * averageHandleMs) / slots + averageAcceptMs);
}

/** Mean of a window of recent samples, or the fallback when there are none. */
export function averageOr(samples: readonly number[], fallback: number): number {
  if (samples.length === 0) return fallback;
  let sum = 0;
  for (const s of samples) sum += s;
  return sum / samples.length;
}
