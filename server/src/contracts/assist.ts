/**
 * Smart assist: what the desk is told after each patient message in a conversation with staff
 * (`assist:suggestions` on `/staff`, to the staff in the conversation), what agents say of a
 * suggestion, and the acceptance report supervisors read.
 */
import { z } from 'zod';
import type { TriageDisposition } from './triage.js';

export const ASSIST_SUGGESTION_KINDS = ['article', 'conversation', 'script', 'reply', 'action'] as const;
export type AssistSuggestionKind = (typeof ASSIST_SUGGESTION_KINDS)[number];

export const ASSIST_ACTIONS = ['book-appointment', 'send-survey', 'escalate-nurse'] as const;
export type AssistActionType = (typeof ASSIST_ACTIONS)[number];

export interface AssistSuggestion {
  /** Stable within the conversation for the same suggestion (`article:flu-shots`), so a rating sticks to it. */
  id: string;
  kind: AssistSuggestionKind;
  title: string;
  /** One line under the title (an article's summary, a reply's text, why an action). */
  detail: string;
  /** 0–1: how sure the suggestion is. */
  confidence: number;
  /** Why, in words an agent reads ("matched: refill, pharmacy"). */
  reason: string;
  /** The patient's words it matched (lower case). */
  matched: string[];
  article?: { id: string; title: string };
  /** Another resolved conversation: its disposition and when, never its patient's words (open it in history to read it, audited). */
  conversation?: { id: string; closedAt: string | null; disposition: string | null; dispositionLabel: string | null; queue: string | null };
  script?: { id: string; title: string };
  reply?: { text: string };
  action?: { type: AssistActionType; specialty?: string; queue?: string };
}

/** A clinical red flag in the patient's words (the bot's triage vocabulary and protocols). */
export interface AssistRedFlag {
  disposition: TriageDisposition;
  /** What to tell the patient now (call 911; call or text 988). */
  instruction: string;
  /** The findings that drove it (their plain names). */
  findings: string[];
  /** The script loaded for it (nurse-triage escalation), when it is published. */
  scriptId: string | null;
  at: string;
}

export interface AssistUpdate {
  conversationId: string;
  /** The patient message these suggestions answer. */
  messageId: string;
  at: string;
  suggestions: AssistSuggestion[];
  /** Set by the first red flag in the conversation and kept (an agent must see it until the chat ends). */
  redFlag: AssistRedFlag | null;
}

/** `GET /api/conversations/:id/assist`: the latest suggestions (null before the first patient message with staff). */
export interface AssistStateResponse {
  update: AssistUpdate | null;
  /** False when the server runs with smart assist off (SMART_ASSIST=off). */
  enabled: boolean;
}

export const ASSIST_RATINGS = ['helpful', 'not-helpful', 'used'] as const;
export type AssistRating = (typeof ASSIST_RATINGS)[number];

/** `POST /api/conversations/:id/assist/ratings`: an agent's word on one suggestion (again: the latest counts). */
export const assistRatingRequestSchema = z.strictObject({
  suggestionId: z.string().min(1).max(200),
  kind: z.enum(ASSIST_SUGGESTION_KINDS),
  rating: z.enum(ASSIST_RATINGS),
});
export type AssistRatingRequest = z.infer<typeof assistRatingRequestSchema>;

/** `GET /api/assist/report?from&to` (supervisors): suggestions shown and what agents made of them, per kind. */
export const assistReportQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export interface AssistReportRow {
  kind: AssistSuggestionKind;
  shown: number;
  helpful: number;
  notHelpful: number;
  used: number;
  /** (used + helpful) / rated, null when none was rated. */
  acceptance: number | null;
}

export interface AssistReportResponse {
  from: string;
  to: string;
  rows: AssistReportRow[];
  redFlags: number;
}

/** Supervisors are told a red flag came up (no patient words: they monitor the chat to read them, audited). */
export interface AssistRedFlagNotice {
  conversationId: string;
  disposition: TriageDisposition;
  agentId: string | null;
  queue: string | null;
  at: string;
}

/** `GET /api/conversations/:id/summary`: the extractive wrap-up summary the agent starts from. */
export interface ConversationSummary {
  reason: string;
  done: string[];
  followUps: string[];
  /** The three parts as the wrap-up notes' text (what the desk pre-fills). */
  text: string;
}

export interface AssistServerEvents {
  'assist:suggestions': (update: AssistUpdate) => void;
  'supervisor:red-flag': (notice: AssistRedFlagNotice) => void;
}
