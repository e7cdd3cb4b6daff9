/**
 * Supervisor insights (issue 13, part 5): the event log's event types, the report and live queries,
 * and what they answer. Every figure is computed from the stored event log (`insight_events`), so it
 * can be reproduced. Pure zod.
 */
import { z } from 'zod';
import { CONVERSATION_CHANNELS } from './conversations.js';

/**
 * What the event log records. One row per event; each row carries the conversation's channel, and
 * its queue and agent once known, so a report filters and groups without joins.
 *
 * - `conversation.started`: a chat began (with the bot). `channel`.
 * - `conversation.handed-off`: the bot handed off; the chat waits in `queue` (value: priority).
 * - `conversation.offered`: routing offered it to `agent`.
 * - `conversation.accepted`: `agent` took it (value: ms waited since it was queued).
 * - `conversation.first-response`: the first staff `text` message after accept (value: ms since accept).
 * - `conversation.transferred`: to another agent or queue (`agent`: who had it; data `{ cause, toAgentId?, toQueue? }`).
 * - `conversation.closed`: a chat a person handled ended (value: handle ms, accept → close; data `{ by, disposition }`).
 * - `conversation.abandoned`: closed while waiting for a person (value: ms waited).
 * - `conversation.bot-contained`: ended with the bot, never handed off.
 * - `survey.answered`: value CSAT (1–5) or null, value2 NPS (0–10) or null.
 * - `sentiment.scored`: value the conversation's 7-point scale (−3 very negative … +3 very positive).
 * - `assist.rated`: an agent rated a smart-assist suggestion (value 1 accepted, 0 not; data `{ kind }`).
 */
export const INSIGHT_EVENT_TYPES = [
  'conversation.started',
  'conversation.handed-off',
  'conversation.offered',
  'conversation.accepted',
  'conversation.first-response',
  'conversation.transferred',
  'conversation.closed',
  'conversation.abandoned',
  'conversation.bot-contained',
  'survey.answered',
  'sentiment.scored',
  'assist.rated',
] as const;
export type InsightEventType = (typeof INSIGHT_EVENT_TYPES)[number];

export const INSIGHT_GROUP_BYS = ['day', 'agent', 'queue', 'channel'] as const;
export type InsightGroupBy = (typeof INSIGHT_GROUP_BYS)[number];

/** The longest range one report covers, in days (both ends included). */
export const MAX_REPORT_DAYS = 400;
/** Service level thresholds, in seconds. */
export const SERVICE_LEVEL_SECONDS = [30, 60, 120] as const;

const DAY_MS = 86_400_000;

/** A calendar date `YYYY-MM-DD` that exists (clinic time zone). */
export const reportDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'must be a real calendar date');

/** Days from `from` to `to`, both included. */
export function daysInRange(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** `GET /api/insights/report?from=&to=&groupBy=&agentId=&queue=&channel=` (and `report.csv`). */
export const insightsReportQuerySchema = z
  .strictObject({
    from: reportDateSchema,
    to: reportDateSchema,
    groupBy: z.enum(INSIGHT_GROUP_BYS).default('day'),
    agentId: z.string().min(1).max(100).optional(),
    queue: z.string().min(1).max(64).optional(),
    channel: z.enum(CONVERSATION_CHANNELS).optional(),
  })
  .superRefine((query, ctx) => {
    if (query.from > query.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    else if (daysInRange(query.from, query.to) > MAX_REPORT_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may cover at most ${MAX_REPORT_DAYS} days` });
  });
export type InsightsReportQuery = z.infer<typeof insightsReportQuerySchema>;

/** Count, median, p90 and mean of durations in milliseconds (null when there are none). */
export interface DurationStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
  meanMs: number | null;
}

export interface InsightMetrics {
  /** Conversations: started (by day or channel), handed off to the queue (by queue), accepted by the agent (by agent). */
  conversations: number;
  handedOff: number;
  botContained: number;
  /** bot-contained / started; null when grouped or filtered by agent or queue (the bot has neither). */
  containmentRate: number | null;
  /** handed off / started; null when grouped or filtered by agent or queue. */
  handoffRate: number | null;
  accepted: number;
  abandoned: number;
  /** abandoned / (accepted + abandoned). */
  abandonmentRate: number | null;
  transfers: number;
  waitTime: DurationStats;
  firstResponse: DurationStats;
  handleTime: DurationStats;
  /** Share of waits answered within 30/60/120 s: accepted within / (accepted + abandoned). */
  serviceLevel: { s30: number | null; s60: number | null; s120: number | null };
  /** CSAT answers and the share of them that are 4 or 5. */
  csat: { answers: number; satisfiedShare: number | null };
  /** NPS answers and % promoters (9–10) − % detractors (0–6), −100…+100. */
  nps: { answers: number; score: number | null };
  /** Sentiment scorings (each carries the conversation's 7-point scale after a patient message) and their mean, −3…+3. */
  sentiment: { scores: number; meanScale: number | null };
  /** Smart-assist suggestions rated and the share accepted. */
  assist: { rated: number; accepted: number; acceptance: number | null };
}

export interface InsightGroup extends InsightMetrics {
  /** The day (YYYY-MM-DD), agent id, queue id or channel; `(none)` for events without one. */
  key: string;
  /** A name for people (agent's display name, queue name); the key otherwise. */
  label: string;
}

export interface InsightsReport {
  from: string;
  to: string;
  groupBy: InsightGroupBy;
  filters: { agentId: string | null; queue: string | null; channel: string | null };
  timeZone: string;
  generatedAt: string;
  /** Whether any figure comes from synthetic (seeded) events. */
  includesSynthetic: boolean;
  groups: InsightGroup[];
  totals: InsightMetrics;
}

/** `GET /api/insights/live`: the live picture with today's figures (clinic time zone). */
export interface InsightsLiveQueue {
  id: string;
  name: string;
  open: boolean;
  waiting: number;
  longestWaitMs: number | null;
  agentsAvailable: number;
  /** Today: waits answered within 30/60/120 s of those that ended (accepted or abandoned). */
  serviceLevel: { s30: number | null; s60: number | null; s120: number | null };
  answeredToday: number;
  abandonedToday: number;
}

export interface InsightsLiveAgent {
  userId: string;
  displayName: string;
  presence: 'available' | 'busy' | 'away' | 'offline';
  load: number;
  capacity: number;
  /** Conversations the agent closed today and their handle time. */
  handleTimeToday: DurationStats;
}

export const SENTIMENT_SCALE_LABELS = ['very negative', 'negative', 'slightly negative', 'neutral', 'slightly positive', 'positive', 'very positive'] as const;

export interface InsightsLive {
  at: string;
  today: string;
  queues: InsightsLiveQueue[];
  agents: InsightsLiveAgent[];
  conversations: {
    open: number;
    /** Open conversations by their latest sentiment scale (−3…+3), null when none is scored. */
    sentiment: { scale: number; label: string; conversations: number }[] | null;
  };
}

/** One column of the report's table and CSV: both are built from this list, so they show the same figures. */
export interface InsightColumn {
  id: string;
  label: string;
  /** `ms` durations, `share` 0…1, `count`, `score` (NPS −100…+100), `scale` (−3…+3). */
  unit: 'count' | 'ms' | 'share' | 'score' | 'scale';
  get(metrics: InsightMetrics): number | null;
}

export const INSIGHT_COLUMNS: readonly InsightColumn[] = [
  { id: 'conversations', label: 'Conversations', unit: 'count', get: (m) => m.conversations },
  { id: 'handed_off', label: 'Handed off', unit: 'count', get: (m) => m.handedOff },
  { id: 'bot_contained', label: 'Bot contained', unit: 'count', get: (m) => m.botContained },
  { id: 'containment_rate', label: 'Containment rate', unit: 'share', get: (m) => m.containmentRate },
  { id: 'handoff_rate', label: 'Hand-off rate', unit: 'share', get: (m) => m.handoffRate },
  { id: 'accepted', label: 'Accepted', unit: 'count', get: (m) => m.accepted },
  { id: 'abandoned', label: 'Abandoned', unit: 'count', get: (m) => m.abandoned },
  { id: 'abandonment_rate', label: 'Abandonment rate', unit: 'share', get: (m) => m.abandonmentRate },
  { id: 'transfers', label: 'Transfers', unit: 'count', get: (m) => m.transfers },
  { id: 'first_response_median_ms', label: 'First response median', unit: 'ms', get: (m) => m.firstResponse.medianMs },
  { id: 'first_response_p90_ms', label: 'First response p90', unit: 'ms', get: (m) => m.firstResponse.p90Ms },
  { id: 'first_response_mean_ms', label: 'First response mean', unit: 'ms', get: (m) => m.firstResponse.meanMs },
  { id: 'handle_time_median_ms', label: 'Handle time median', unit: 'ms', get: (m) => m.handleTime.medianMs },
  { id: 'handle_time_p90_ms', label: 'Handle time p90', unit: 'ms', get: (m) => m.handleTime.p90Ms },
  { id: 'handle_time_mean_ms', label: 'Handle time mean', unit: 'ms', get: (m) => m.handleTime.meanMs },
  { id: 'wait_median_ms', label: 'Wait median', unit: 'ms', get: (m) => m.waitTime.medianMs },
  { id: 'wait_p90_ms', label: 'Wait p90', unit: 'ms', get: (m) => m.waitTime.p90Ms },
  { id: 'service_level_30s', label: 'Service level 30 s', unit: 'share', get: (m) => m.serviceLevel.s30 },
  { id: 'service_level_60s', label: 'Service level 60 s', unit: 'share', get: (m) => m.serviceLevel.s60 },
  { id: 'service_level_120s', label: 'Service level 120 s', unit: 'share', get: (m) => m.serviceLevel.s120 },
  { id: 'csat_answers', label: 'CSAT answers', unit: 'count', get: (m) => m.csat.answers },
  { id: 'csat_satisfied_share', label: 'CSAT (4–5)', unit: 'share', get: (m) => m.csat.satisfiedShare },
  { id: 'nps_answers', label: 'NPS answers', unit: 'count', get: (m) => m.nps.answers },
  { id: 'nps', label: 'NPS', unit: 'score', get: (m) => m.nps.score },
  { id: 'sentiment_scores', label: 'Sentiment scorings', unit: 'count', get: (m) => m.sentiment.scores },
  { id: 'sentiment_mean_scale', label: 'Sentiment (−3…+3)', unit: 'scale', get: (m) => m.sentiment.meanScale },
  { id: 'assist_rated', label: 'Suggestions rated', unit: 'count', get: (m) => m.assist.rated },
  { id: 'assist_acceptance', label: 'Assist acceptance', unit: 'share', get: (m) => m.assist.acceptance },
];
