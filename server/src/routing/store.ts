/**
 * Where the routing engine keeps its records. In memory for now; a durable store (migration 006)
 * implements the same synchronous interface over better-sqlite3, and the engine rebuilds its indexes
 * from it at start. The engine mutates records it got from the store and calls `save*` after each change.
 */
import type { AssignmentReason, Priority, Skill } from '../contracts/routing.js';
import type { PresenceState } from '../contracts/realtime.js';
import type { TimerHandle } from './clock.js';
import type { SetAside } from './decisions.js';

export interface RoutedConversation {
  conversationId: string;
  queueId: string;
  priority: Priority;
  skills: Skill[];
  enqueuedAt: number;
  order: number;
  seq: number;
  /** Agents it is not offered to for a while (see decisions.ts, SetAside). */
  excludedAgents: Map<string, SetAside>;
  state: 'waiting' | 'offered' | 'assigned';
  offerId: string | null;
  agentId: string | null;
  assignedAt: number | null;
  /** Why the current (or last) agent was chosen. */
  reason: AssignmentReason | null;
  /** Last position sent to the caller, so unchanged positions are not re-sent. */
  lastPosition: number | null;
  overflowTimer: TimerHandle | null;
}

export interface RoutedAgent {
  agentId: string;
  presence: PresenceState;
  skills: Set<Skill>;
  capacity: number;
  load: number;
  idleSince: number;
  /** The engine's stamp of the agent's last becoming available (see SetAside). */
  availableStamp: number;
  consecutiveTimeouts: number;
  offers: Set<string>;
  conversations: Set<string>;
  /** Queues whose skills this agent has. */
  queueIds: string[];
}

export interface Offer {
  offerId: string;
  conversationId: string;
  agentId: string;
  queueId: string;
  createdAt: number;
  expiresAt: number;
  timer: TimerHandle;
  reason: AssignmentReason;
}

export interface RoutingStore {
  getConversation(conversationId: string): RoutedConversation | undefined;
  saveConversation(conversation: RoutedConversation): void;
  deleteConversation(conversationId: string): void;
  conversations(): Iterable<RoutedConversation>;
  getAgent(agentId: string): RoutedAgent | undefined;
  saveAgent(agent: RoutedAgent): void;
  agents(): Iterable<RoutedAgent>;
  getOffer(offerId: string): Offer | undefined;
  saveOffer(offer: Offer): void;
  deleteOffer(offerId: string): void;
}

export function createMemoryRoutingStore(): RoutingStore {
  const conversations = new Map<string, RoutedConversation>();
  const agents = new Map<string, RoutedAgent>();
  const offers = new Map<string, Offer>();
  return {
    getConversation: (id) => conversations.get(id),
    saveConversation: (c) => void conversations.set(c.conversationId, c),
    deleteConversation: (id) => void conversations.delete(id),
    conversations: () => conversations.values(),
    getAgent: (id) => agents.get(id),
    saveAgent: (a) => void agents.set(a.agentId, a),
    agents: () => agents.values(),
    getOffer: (id) => offers.get(id),
    saveOffer: (o) => void offers.set(o.offerId, o),
    deleteOffer: (id) => void offers.delete(id),
  };
}
