/**
 * Sentiment over REST and the socket: a conversation's trend (`GET /api/conversations/:id/sentiment`,
 * audited on the server, so it is read once and then extended by the live events), the supervisors'
 * heat view (`GET /api/sentiment/live`, then `supervisor:sentiment`), and the listeners that keep the
 * session tabs' badges and alerts current.
 */
import type { ConversationSentimentResponse, LiveSentimentResponse } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';
import { subscribeLive } from '../../api/socket.js';
import type { AppListeners } from '../../app/root-state.js';
import { signedIn } from '../../app/session/session-slice.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { scaleWord, sentimentAlerted, sentimentReceived } from './sentiment-slice.js';

export const sentimentApi = baseApi.enhanceEndpoints({ addTagTypes: ['SentimentTrend', 'SentimentLive'] }).injectEndpoints({
  endpoints: (build) => ({
    getSentimentTrend: build.query<ConversationSentimentResponse, string>({
      query: (conversationId) => `/conversations/${encodeURIComponent(conversationId)}/sentiment`,
      providesTags: (_r, _e, id) => [{ type: 'SentimentTrend', id }],
      keepUnusedDataFor: 30,
      async onCacheEntryAdded(conversationId, { updateCachedData, cacheDataLoaded, cacheEntryRemoved }) {
        try {
          await cacheDataLoaded;
        } catch {
          return;
        }
        // New messages extend the trend; their words are in the transcript, so the point has no excerpt.
        const off = subscribeLive('conversation:sentiment', (e) => {
          if (e.conversationId !== conversationId) return;
          updateCachedData((draft) => {
            draft.current = e.conversation;
            const known = draft.points.find((p) => p.messageId === e.messageId);
            const point = { messageId: e.messageId, seq: known?.seq ?? (draft.points.at(-1)?.seq ?? 0) + 1, at: e.at, excerpt: known?.excerpt ?? '', message: e.message, provider: e.provider, conversation: e.conversation, drop: e.drop ? { from: e.drop.from, to: e.drop.to } : null };
            if (known) Object.assign(known, point);
            else draft.points.push(point);
          });
        });
        await cacheEntryRemoved;
        off();
      },
    }),
    getLiveSentiment: build.query<LiveSentimentResponse, void>({
      query: () => '/sentiment/live',
      providesTags: ['SentimentLive'],
      keepUnusedDataFor: 0,
      async onCacheEntryAdded(_arg, { updateCachedData, cacheDataLoaded, cacheEntryRemoved }) {
        // Listening from before the first answer: a change while it is on its way is applied after it.
        type Current = LiveSentimentResponse['conversations'][number]['current'];
        let loaded = false;
        const early: Array<[string, Current]> = [];
        const set = (conversationId: string, current: Current) => {
          if (!loaded) return void early.push([conversationId, current]);
          updateCachedData((draft) => {
            const row = draft.conversations.find((c) => c.conversationId === conversationId);
            if (row) row.current = current;
            else draft.conversations.push({ conversationId, current });
          });
        };
        const offs = [subscribeLive('supervisor:sentiment', (e) => set(e.conversationId, e.conversation)), subscribeLive('supervisor:sentiment-alert', (e) => set(e.conversationId, e.conversation))];
        try {
          await cacheDataLoaded;
          loaded = true;
          for (const [conversationId, current] of early.splice(0)) set(conversationId, current);
        } catch {
          // The view shows the error.
        }
        await cacheEntryRemoved;
        for (const off of offs) off();
      },
    }),
  }),
});

export const { useGetSentimentTrendQuery, useGetLiveSentimentQuery } = sentimentApi;

/** From sign-in: every sentiment push for this desk's conversations into the slice; an alert is also announced. */
export function registerSentimentListeners(listeners: AppListeners): void {
  let offs: Array<() => void> = [];
  listeners.startListening({
    actionCreator: signedIn,
    effect: (_action, api) => {
      for (const off of offs) off();
      offs = [
        subscribeLive('conversation:sentiment', (e) => api.dispatch(sentimentReceived(e))),
        subscribeLive('conversation:sentiment-alert', (e) => {
          api.dispatch(sentimentAlerted(e));
          api.dispatch(statusShown(`Sentiment alert: a patient's chat turned ${scaleWord(e.conversation.scale).toLowerCase()}.`));
        }),
      ];
    },
  });
}
