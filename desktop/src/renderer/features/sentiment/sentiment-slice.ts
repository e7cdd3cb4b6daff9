/**
 * The latest sentiment of each conversation this desk is in, as `conversation:sentiment` pushes it:
 * the session tabs' badges and the Sentiment panel read it; an alert (`conversation:sentiment-alert`)
 * is kept until the conversation climbs back above the threshold.
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { ConversationSentiment, ConversationSentimentEvent, SentimentAlertEvent } from '@carebridge/server/contracts';
import { signedOut } from '../../app/session/session-slice.js';

export interface LiveSentiment {
  current: ConversationSentiment;
  /** The patient's message that last lowered it, and from where to where. */
  drop: { from: number; to: number; messageId: string } | null;
  /** Set by an alert, cleared when the value climbs back above the alert's threshold. */
  alert: { alertScale: number; at: string } | null;
  at: string;
}

export interface SentimentState {
  byConversation: Record<string, LiveSentiment>;
}

declare module '../../app/root-state.js' {
  interface RootState {
    sentiment: SentimentState;
  }
}

const initialState: SentimentState = { byConversation: {} };

export const sentimentSlice = createSlice({
  name: 'sentiment',
  initialState,
  reducers: {
    sentimentReceived(state, action: PayloadAction<ConversationSentimentEvent>) {
      const e = action.payload;
      const before = state.byConversation[e.conversationId];
      if (before && before.at > e.at) return;
      const alert = before?.alert && e.conversation.scale <= before.alert.alertScale ? before.alert : null;
      state.byConversation[e.conversationId] = { current: e.conversation, drop: e.drop ?? before?.drop ?? null, alert, at: e.at };
    },
    sentimentAlerted(state, action: PayloadAction<SentimentAlertEvent>) {
      const e = action.payload;
      const before = state.byConversation[e.conversationId];
      state.byConversation[e.conversationId] = { current: e.conversation, drop: before?.drop ?? null, alert: { alertScale: e.alertScale, at: e.at }, at: before && before.at > e.at ? before.at : e.at };
    },
  },
  extraReducers: (builder) => builder.addCase(signedOut, () => initialState),
});

export const { sentimentReceived, sentimentAlerted } = sentimentSlice.actions;
export const selectLiveSentiment = (state: { sentiment: SentimentState }, conversationId: string): LiveSentiment | undefined => state.sentiment.byConversation[conversationId];

/** The 7-point scale in words (1 very negative … 7 very positive). */
export const SCALE_WORDS = ['Very negative', 'Negative', 'Slightly negative', 'Neutral', 'Slightly positive', 'Positive', 'Very positive'] as const;
export const scaleWord = (scale: number) => SCALE_WORDS[Math.min(7, Math.max(1, Math.round(scale))) - 1]!;
/** A CSS class per band: negative (1–2), slightly negative (3), neutral (4), positive (5–7). */
export const scaleClass = (scale: number) => (scale <= 2 ? 'sentiment-negative' : scale === 3 ? 'sentiment-slightly-negative' : scale === 4 ? 'sentiment-neutral' : 'sentiment-positive');
