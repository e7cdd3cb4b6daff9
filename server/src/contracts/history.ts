/**
 * Conversation history for staff: a filtered, searchable list of conversations (mine, my queues',
 * everyone's for supervisors; open and closed) and one closed conversation read back whole with its
 * wrap-up. Pure zod.
 *
 * - `GET /api/conversations/history?scope=&state=&queue=&agentId=&disposition=&from=&to=&q=&cursor=&limit=`
 *   → `HistoryListResponse` (403 `scope=all` for agents; 400 bad filters)
 * - `GET /api/conversations/history/:conversationId` → `HistoryConversationResponse` (403, 404)
 */
import { z } from 'zod';
import type { ConversationView, MessageView, ParticipantKind, WrapupView } from './conversations.js';

export const HISTORY_SCOPES = ['mine', 'team', 'all'] as const;
export type HistoryScope = (typeof HISTORY_SCOPES)[number];

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

export const historyQuerySchema = z
  .strictObject({
    /** mine: I took part; team: the queues I serve; all: supervisors and admins. */
    scope: z.enum(HISTORY_SCOPES).default('mine'),
    state: z.enum(['any', 'open', 'closed']).default('any'),
    queue: z.string().min(1).max(64).optional(),
    agentId: z.string().min(1).max(100).optional(),
    disposition: z.string().min(1).max(64).optional(),
    /** Started on or after this day (UTC). */
    from: day.optional(),
    /** Started on or before this day (UTC). */
    to: day.optional(),
    /** Words in the transcript (every word must appear; prefixes match) or in the patient's name. */
    q: z.string().max(200).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '`from` must not be after `to`', path: ['to'] });
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** Part of a search snippet; `match` marks the words that matched. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

export interface HistoryItem {
  id: string;
  channel: ConversationView['channel'];
  state: ConversationView['state'];
  queue: string | null;
  patientName: string;
  /** A signed-in portal patient (identity verified). */
  verified: boolean;
  agentId: string | null;
  agentName: string | null;
  createdAt: string;
  closedAt: string | null;
  disposition: { code: string; label: string } | null;
  /** With `q`: the best matching passage of the transcript. */
  snippet: SnippetPart[] | null;
}

export interface HistoryListResponse {
  items: HistoryItem[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export interface HistoryParticipant {
  userId: string;
  kind: ParticipantKind;
  displayName: string | null;
  joinedAt: string;
  leftAt: string | null;
}

export interface HistoryConversationResponse {
  conversation: ConversationView;
  patientName: string;
  /** Everyone who took part, those who left included. */
  participants: HistoryParticipant[];
  /** Notes and whispers included (staff only). */
  messages: MessageView[];
  wrapup: (WrapupView & { dispositionLabel: string | null; byName: string | null }) | null;
}
