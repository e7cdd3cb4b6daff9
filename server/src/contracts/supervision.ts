/**
 * Supervision over the `/staff` namespace (supervisors and admins only): a live picture of queues,
 * conversations and agents, and the actions on a conversation — monitor silently, whisper to the
 * agents only, join, reassign, force close. Every action is audited. Pure zod.
 */
import { z } from 'zod';
import { MAX_MESSAGE_CHARS, type ConversationAck, type ConversationState, type ConversationView, type MessageView } from './conversations.js';
import type { AssignmentReason } from './routing.js';

/** Roles allowed to use the supervisor events. */
export const SUPERVISOR_ROLES = ['supervisor', 'admin'] as const;

const id = z.string().min(1).max(100);

export interface SupervisedConversation {
  id: string;
  state: ConversationState;
  queue: string | null;
  priority: number;
  channel: string;
  patientId: string | null;
  visitorName: string | null;
  /** The name the patient goes by in the chat (a signed-in patient's account name, a visitor's own). */
  patientName: string | null;
  /** A signed-in portal patient: identity verified by their sign-in. */
  verified: boolean;
  agentId: string | null;
  agentName: string | null;
  /** When it started waiting for a person (queued), else null. */
  waitingSince: string | null;
  createdAt: string;
  updatedAt: string;
  /** Why routing gave it to its agent (null: not routed, or transferred/reassigned by hand). */
  reason: AssignmentReason | null;
  /** Supervisors currently monitoring or joined. */
  supervisors: string[];
}

export interface SupervisedQueue {
  id: string;
  name: string;
  open: boolean;
  waiting: number;
  offered: number;
  oldestWaitMs: number | null;
  estimatedWaitMs: number | null;
  agentsAvailable: number;
}

export interface SupervisedAgent {
  userId: string;
  displayName: string;
  presence: 'available' | 'busy' | 'away' | 'offline';
  load: number;
  capacity: number;
  skills: string[];
  conversationIds: string[];
}

export interface SupervisorSnapshot {
  at: string;
  conversations: SupervisedConversation[];
  queues: SupervisedQueue[];
  agents: SupervisedAgent[];
}

const conversationRef = z.strictObject({ conversationId: id });

export const supervisorEvents = {
  /** Start receiving `supervisor:snapshot` (about once a second while something changes); acks the current one. */
  'supervisor:subscribe': z.strictObject({}),
  'supervisor:unsubscribe': z.strictObject({}),
  /** Watch silently: the supervisor's sockets join the room; nobody in the chat is told. Audited. */
  'supervisor:monitor': conversationRef,
  'supervisor:stop-monitor': conversationRef,
  /** A message only staff in the conversation see (kind `whisper`). */
  'supervisor:whisper': z.strictObject({ conversationId: id, clientMessageId: id, body: z.string().trim().min(1).max(MAX_MESSAGE_CHARS) }),
  /** Join the chat as a participant: the patient sees a system line and the supervisor's messages. */
  'supervisor:join': conversationRef,
  /** Give the conversation to another agent (the previous one is removed). */
  'supervisor:reassign': z.strictObject({ conversationId: id, agentId: id }),
  'supervisor:force-close': z.strictObject({ conversationId: id, reason: z.string().trim().min(1).max(500) }),
} as const;
export type SupervisorEvent = keyof typeof supervisorEvents;

export interface SupervisorAcks {
  'supervisor:subscribe': ConversationAck<{ snapshot: SupervisorSnapshot }>;
  'supervisor:unsubscribe': ConversationAck<Record<never, never>>;
  'supervisor:monitor': ConversationAck<{ conversation: ConversationView; messages: MessageView[] }>;
  'supervisor:stop-monitor': ConversationAck<Record<never, never>>;
  'supervisor:whisper': ConversationAck<{ seq: number; messageId: string; duplicate: boolean }>;
  'supervisor:join': ConversationAck<{ conversation: ConversationView }>;
  'supervisor:reassign': ConversationAck<{ conversation: ConversationView }>;
  'supervisor:force-close': ConversationAck<{ conversation: ConversationView }>;
}

export interface SupervisorServerEvents {
  'supervisor:snapshot': (snapshot: SupervisorSnapshot) => void;
}
