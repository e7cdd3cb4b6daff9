/**
 * Routing of live conversations to agents: queue configuration, the inputs the routing engine accepts,
 * the events it emits and the reason attached to every decision ("why this agent"). Pure zod, shared by
 * the server, the desk (supervisor views) and the portal (queue position).
 */
import { z } from 'zod';
import { presenceStateSchema } from './realtime.js';

export const ROUTING_SKILLS = ['scheduling', 'billing', 'nurse-line', 'pharmacy', 'general', 'spanish'] as const;
export const skillSchema = z.enum(ROUTING_SKILLS);
export type Skill = z.infer<typeof skillSchema>;

/** 0 = urgent (red flag) … 3 = low. Lower numbers are served first. */
export const PRIORITIES = [0, 1, 2, 3] as const;
export const prioritySchema = z.number().int().min(0).max(3);
export type Priority = z.infer<typeof prioritySchema>;
export const RED_FLAG_PRIORITY = 0;
export const DEFAULT_PRIORITY = 2;

const idSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
const queueIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and - only');

// ---------------------------------------------------------------------------------------------
// Business hours
// ---------------------------------------------------------------------------------------------

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM (00:00–24:00)');
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** One opening window within a local day, e.g. `{ open: '08:00', close: '18:00' }`; close may be `24:00`. */
export const openingWindowSchema = z
  .strictObject({ open: clockTimeSchema, close: clockTimeSchema })
  .refine((w) => minutesOf(w.open) < minutesOf(w.close), { message: 'open must be before close (split windows that cross midnight)' });
export type OpeningWindow = z.infer<typeof openingWindowSchema>;

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const businessHoursSchema = z.strictObject({
  /** IANA time zone the windows and holidays are expressed in, e.g. `America/New_York`. */
  timeZone: z.string().min(1).max(64).refine(isTimeZone, { message: 'unknown IANA time zone' }),
  /** Opening windows per local weekday; a missing or empty day is closed. */
  weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(openingWindowSchema).max(8)),
  /** Local dates (YYYY-MM-DD) on which the queue is closed all day. */
  holidays: z.array(z.iso.date()).max(366).default([]),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;
export type BusinessHoursInput = z.input<typeof businessHoursSchema>;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

export const queueConfigSchema = z
  .strictObject({
    id: queueIdSchema,
    name: z.string().min(1).max(100),
    /** Skills an agent needs, all of them, to be offered this queue's conversations. */
    skills: z.array(skillSchema).min(1).max(ROUTING_SKILLS.length),
    /** Another queue whose agents may be offered this queue's conversations once they waited `overflowAfterMs`. */
    overflowTo: queueIdSchema.optional(),
    overflowAfterMs: z.number().int().min(0).max(24 * 3600_000).optional(),
    /** Priority of this queue's chats (0 urgent … 3 low) unless the hand-off sets one (a red flag: 0); default 2. */
    priority: prioritySchema.optional(),
    /** `null`: open around the clock. */
    businessHours: businessHoursSchema.nullable().default(null),
    outOfHoursMessage: z.string().min(1).max(1000).default('We are closed right now. Please leave a message or try again during opening hours.'),
  })
  .refine((q) => (q.overflowTo === undefined) === (q.overflowAfterMs === undefined), {
    message: 'overflowTo and overflowAfterMs go together',
  })
  .refine((q) => q.overflowTo !== q.id, { message: 'a queue cannot overflow to itself' });
export type QueueConfig = z.infer<typeof queueConfigSchema>;
export type QueueConfigInput = z.input<typeof queueConfigSchema>;

export const routingConfigSchema = z
  .strictObject({
    /** How long an agent has to accept an offer before it goes to the next agent. */
    offerTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
    /** Concurrent conversations (offers included) per agent when their state does not say. */
    defaultCapacity: z.number().int().min(1).max(10).default(4),
    /** Consecutive offer timeouts after which an agent is treated as unresponsive (0: never). */
    unresponsiveAfterTimeouts: z.number().int().min(0).max(20).default(2),
    /**
     * An agent who declined a conversation or let its offer expire is offered it again after this
     * long if it still waits (sooner once the agent sets themselves available again).
     */
    reofferAfterMs: z.number().int().min(1000).max(3_600_000).default(60_000),
    /** Queue position updates are coalesced and sent at most this often. */
    positionUpdateIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    /** Handle time assumed for the wait estimate until a queue has measured some. */
    defaultHandleTimeMs: z.number().int().min(1000).max(24 * 3600_000).default(300_000),
    /** How many recent handle/accept times per queue the wait estimate averages. */
    statsWindow: z.number().int().min(1).max(1000).default(50),
    queues: z.array(queueConfigSchema).min(1).max(100),
  })
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    for (const [i, q] of config.queues.entries()) {
      if (ids.has(q.id)) ctx.addIssue({ code: 'custom', path: ['queues', i, 'id'], message: `duplicate queue id ${q.id}` });
      ids.add(q.id);
    }
    for (const [i, q] of config.queues.entries()) {
      if (q.overflowTo !== undefined && !ids.has(q.overflowTo)) {
        ctx.addIssue({ code: 'custom', path: ['queues', i, 'overflowTo'], message: `unknown queue ${q.overflowTo}` });
      }
    }
  });
export type RoutingConfig = z.infer<typeof routingConfigSchema>;
export type RoutingConfigInput = z.input<typeof routingConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Engine inputs
// ---------------------------------------------------------------------------------------------

export const enqueueRequestSchema = z.strictObject({
  conversationId: idSchema,
  queueId: queueIdSchema,
  priority: prioritySchema.default(DEFAULT_PRIORITY),
  /** Skills needed on top of the queue's own (e.g. `spanish` for a Spanish-speaking caller). */
  skills: z.array(skillSchema).max(ROUTING_SKILLS.length).default([]),
  /** When the conversation started waiting (epoch ms); defaults to now. Used when restoring. */
  enqueuedAt: z.number().int().min(0).optional(),
});
export type EnqueueRequest = z.infer<typeof enqueueRequestSchema>;
export type EnqueueRequestInput = z.input<typeof enqueueRequestSchema>;

export const agentStateSchema = z.strictObject({
  presence: presenceStateSchema,
  skills: z.array(skillSchema).max(ROUTING_SKILLS.length),
  /** Concurrent conversations this agent may hold (offers included); defaults to the configured capacity. */
  capacity: z.number().int().min(0).max(10).optional(),
});
export type AgentState = z.infer<typeof agentStateSchema>;

export const agentIdSchema = idSchema;

// ---------------------------------------------------------------------------------------------
// Decisions and events
// ---------------------------------------------------------------------------------------------

export const EXCLUSION_CAUSES = ['presence', 'missing-skills', 'at-capacity', 'declined', 'timed-out'] as const;
export type ExclusionCause = (typeof EXCLUSION_CAUSES)[number];

/** The rule that separated the chosen agent from the runner-up. */
export type DecidingRule = 'only-candidate' | 'least-loaded' | 'longest-idle' | 'agent-id';

export interface CandidateSummary {
  agentId: string;
  load: number;
  capacity: number;
  /** How long the agent has been without new work (ms). */
  idleMs: number;
}

/** Why a conversation went to an agent: recorded with every offer and assignment. */
export interface AssignmentReason {
  conversationId: string;
  queueId: string;
  priority: Priority;
  /** Skills required (queue's plus the conversation's) and matched by the chosen agent. */
  requiredSkills: Skill[];
  /** Set when the agent came from an overflow queue. */
  overflow: { fromQueueId: string; toQueueId: string; waitedMs: number } | null;
  chosen: CandidateSummary;
  decidingRule: DecidingRule;
  /** Agents examined (all agents of the queue(s) considered). */
  candidatesConsidered: number;
  eligibleCount: number;
  /** Up to five other eligible agents, best first. */
  runnersUp: CandidateSummary[];
  /** Why the others could not have it: counts per cause, and the first agents per cause. */
  excludedCounts: Partial<Record<ExclusionCause, number>>;
  excluded: { agentId: string; cause: ExclusionCause; detail: string }[];
  waitedMs: number;
  decidedAt: number;
}

/** `reassigned`: a supervisor gave the conversation to an agent directly. */
export type OfferEndCause = 'declined' | 'agent-unresponsive' | 'agent-offline' | 'conversation-ended' | 'reassigned';

export type RoutingEvent =
  | { type: 'offer.created'; offerId: string; conversationId: string; agentId: string; queueId: string; expiresAt: number; reason: AssignmentReason }
  | { type: 'offer.expired'; offerId: string; conversationId: string; agentId: string }
  | { type: 'offer.withdrawn'; offerId: string; conversationId: string; agentId: string; cause: OfferEndCause }
  | { type: 'offer.accepted'; offerId: string; conversationId: string; agentId: string }
  | { type: 'conversation.assigned'; conversationId: string; agentId: string; queueId: string; reason: AssignmentReason }
  | { type: 'conversation.requeued'; conversationId: string; queueId: string; fromAgentId: string; cause: 'agent-unresponsive' }
  | { type: 'agent.unresponsive'; agentId: string; consecutiveTimeouts: number }
  | { type: 'queue.position'; conversationId: string; queueId: string; position: number; estimatedWaitMs: number | null }
  | { type: 'queue.out-of-hours'; conversationId: string; queueId: string; message: string; nextOpenAt: number | null };
export type RoutingEventType = RoutingEvent['type'];

export interface QueuePosition {
  conversationId: string;
  priority: Priority;
  /** 1 = next to be served. */
  position: number;
  /** `null` when no agent of the queue is signed in. */
  estimatedWaitMs: number | null;
  waitedMs: number;
}

// ---------------------------------------------------------------------------------------------
// Agents' routing profiles (stored per account; admins edit them)
// ---------------------------------------------------------------------------------------------

/** `GET|PUT /api/admin/users/:id/routing-profile` (admin; supervisors may read). */
export const agentRoutingProfileSchema = z.strictObject({
  skills: z.array(skillSchema).max(ROUTING_SKILLS.length),
  /** Concurrent conversations (offers included); 0 takes the agent out of routing. */
  capacity: z.number().int().min(0).max(10),
});
export type AgentRoutingProfile = z.infer<typeof agentRoutingProfileSchema>;
