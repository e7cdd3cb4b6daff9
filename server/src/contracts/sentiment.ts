/**
 * Sentiment of patient text (server/src/sentiment): REST bodies and the `/staff` socket events it
 * pushes. Patients never receive any of these. Pure zod.
 */
import { z } from 'zod';

export const SENTIMENT_LABELS = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/**
 * Why a text was not (fully) scored: `empty` (nothing but whitespace), `truncated` (longer than
 * `SENTIMENT_MAX_CHARS`: the first part was scored), `binary` (control characters or undecodable
 * bytes: neutral), `unsupported-language` (mostly non-Latin script, or Spanish: neutral).
 */
export const SENTIMENT_FLAGS = ['empty', 'truncated', 'binary', 'unsupported-language'] as const;
export type SentimentFlag = (typeof SENTIMENT_FLAGS)[number];

/** The 7-point scale, 1 … 7. */
export const SENTIMENT_SCALE_NAMES = ['very negative', 'negative', 'slightly negative', 'neutral', 'slightly positive', 'positive', 'very positive'] as const;
export type SentimentScaleName = (typeof SENTIMENT_SCALE_NAMES)[number];

/** The most texts one `POST /api/sentiment` scores, and the longest text it accepts. */
export const SENTIMENT_BATCH_LIMITS = { texts: 1_000, chars: 5_000 } as const;
/** What the model reads of a longer text (the rest is ignored, flagged `truncated`). */
export const SENTIMENT_MAX_CHARS = 5_000;

export const sentimentScaleSchema = z.number().int().min(1).max(7);

export const sentimentResultSchema = z.object({
  label: z.enum(SENTIMENT_LABELS),
  /** −1 (most negative) … 1 (most positive). */
  score: z.number().min(-1).max(1),
  /** 1 very negative … 4 neutral … 7 very positive. */
  scale: sentimentScaleSchema,
  flags: z.array(z.enum(SENTIMENT_FLAGS)),
});
export type SentimentResult = z.infer<typeof sentimentResultSchema>;

/** Which provider produced a stored score: the local lexicon model, or Azure AI Language (which replaces it when it answers). */
export const SENTIMENT_PROVIDERS = ['local', 'azure'] as const;
export type SentimentProviderName = (typeof SENTIMENT_PROVIDERS)[number];

/** A conversation's sentiment: the weighted last 6 patient messages. */
export const conversationSentimentSchema = z.object({
  scale: sentimentScaleSchema,
  label: z.enum(SENTIMENT_LABELS),
  score: z.number().min(-1).max(1),
  /** How many patient messages the value rests on (at most 6). */
  messages: z.number().int().min(0).max(6),
});
export type ConversationSentiment = z.infer<typeof conversationSentimentSchema>;

// --- REST ---

export const scoreTextsBodySchema = z.strictObject({
  texts: z
    .array(z.string({ error: 'Each text must be a string.' }).max(SENTIMENT_BATCH_LIMITS.chars, `Each text may have at most ${SENTIMENT_BATCH_LIMITS.chars.toLocaleString('en-US')} characters.`), {
      error: 'texts must be an array of strings.',
    })
    .min(1, 'Send at least one text.')
    .max(SENTIMENT_BATCH_LIMITS.texts, `At most ${SENTIMENT_BATCH_LIMITS.texts.toLocaleString('en-US')} texts per request.`),
});
export type ScoreTextsBody = z.infer<typeof scoreTextsBodySchema>;

export const scoreTextsResponseSchema = z.object({
  results: z.array(sentimentResultSchema),
});
export type ScoreTextsResponse = z.infer<typeof scoreTextsResponseSchema>;

/** One patient message on the trend: its own score and the conversation's value after it. */
export const sentimentTrendPointSchema = z.object({
  messageId: z.string(),
  seq: z.number().int(),
  at: z.string(),
  /** The first 80 characters of the message (whitespace collapsed). */
  excerpt: z.string(),
  message: sentimentResultSchema,
  provider: z.enum(SENTIMENT_PROVIDERS),
  conversation: conversationSentimentSchema,
  /** Set when this message lowered the conversation's scale: the point the trend line names. */
  drop: z.object({ from: sentimentScaleSchema, to: sentimentScaleSchema }).nullable(),
});
export type SentimentTrendPoint = z.infer<typeof sentimentTrendPointSchema>;

export const conversationSentimentResponseSchema = z.object({
  conversationId: z.string(),
  /** The current value (null before the patient's first scored message). */
  current: conversationSentimentSchema.nullable(),
  /** The alert threshold in force (`SENTIMENT_ALERT_SCALE`): at or below it the desk alerts. */
  alertScale: sentimentScaleSchema,
  /** Every scored patient message, oldest first. */
  points: z.array(sentimentTrendPointSchema),
});
export type ConversationSentimentResponse = z.infer<typeof conversationSentimentResponseSchema>;

// --- socket events, server → client (`/staff` only) ---

/**
 * `conversation:sentiment` to the conversation's room (its agent, consultants, monitoring
 * supervisors) after every scored patient message (and again when Azure's score replaces the local
 * one); `supervisor:sentiment` to the supervisors' room when the conversation's scale changed
 * (`changed`: the heat view needs values, not every message).
 */
export interface ConversationSentimentEvent {
  conversationId: string;
  messageId: string;
  message: SentimentResult;
  provider: SentimentProviderName;
  conversation: ConversationSentiment;
  /** This message lowered the conversation's scale. */
  drop: { from: number; to: number; messageId: string } | null;
  /** The conversation's scale differs from before this message (always true for its first). */
  changed: boolean;
  at: string;
}

/**
 * `conversation:sentiment-alert` to the conversation's room and `supervisor:sentiment-alert` to the
 * supervisors' room: the conversation fell to `alertScale` or below. Once per crossing; it re-arms
 * when the conversation climbs back above the threshold.
 */
export interface SentimentAlertEvent {
  conversationId: string;
  /** The patient's message that took it over the threshold (the desk has it in the transcript; supervisors read it in the trend). */
  messageId: string;
  conversation: ConversationSentiment;
  alertScale: number;
  at: string;
}

/** `GET /api/sentiment/live` (supervisors): the current value of every conversation still open, for the heat view. */
export interface LiveSentimentResponse {
  alertScale: number;
  conversations: { conversationId: string; current: ConversationSentiment | null }[];
}

/** What the sentiment domain pushes on `/staff`. */
export interface SentimentServerEvents {
  'conversation:sentiment': (event: ConversationSentimentEvent) => void;
  'conversation:sentiment-alert': (event: SentimentAlertEvent) => void;
  'supervisor:sentiment': (event: ConversationSentimentEvent) => void;
  'supervisor:sentiment-alert': (event: SentimentAlertEvent) => void;
}
