/**
 * Smart assist's calls: the latest suggestions of a conversation (REST, then kept live by
 * `assist:suggestions` on the socket), an agent's rating of one, and switching the conversation's
 * script to a suggested one. A red flag that loaded the nurse-escalation script refreshes the
 * Script panel (its `ScriptRun` tag).
 */
import type { AssistRatingRequest, AssistStateResponse, ScriptRunResponse } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';
import { subscribeLive } from '../../api/socket.js';

export const assistApi = baseApi.enhanceEndpoints({ addTagTypes: ['Assist', 'ScriptRun'] }).injectEndpoints({
  endpoints: (build) => ({
    getAssist: build.query<AssistStateResponse, string>({
      query: (conversationId) => `/conversations/${encodeURIComponent(conversationId)}/assist`,
      providesTags: (_r, _e, id) => [{ type: 'Assist', id }],
      async onCacheEntryAdded(conversationId, { updateCachedData, cacheDataLoaded, cacheEntryRemoved, dispatch, getCacheEntry }) {
        const off = subscribeLive('assist:suggestions', (update) => {
          if (update.conversationId !== conversationId) return;
          const before = getCacheEntry().data?.update ?? null;
          updateCachedData((draft) => ({ enabled: draft?.enabled ?? true, update }));
          // The red flag just loaded the nurse-escalation script: show it in the Script panel.
          if (update.redFlag?.scriptId && !before?.redFlag) dispatch(assistApi.util.invalidateTags([{ type: 'ScriptRun', id: conversationId }]));
        });
        try {
          await cacheDataLoaded;
        } catch {
          // The panel shows the error; live updates still fill it in.
        }
        await cacheEntryRemoved;
        off();
      },
    }),
    rateSuggestion: build.mutation<null, { conversationId: string } & AssistRatingRequest>({
      query: ({ conversationId, ...body }) => ({ url: `/conversations/${encodeURIComponent(conversationId)}/assist/ratings`, method: 'POST', body }),
    }),
    switchToScript: build.mutation<ScriptRunResponse, { conversationId: string; scriptId: string }>({
      query: ({ conversationId, scriptId }) => ({ url: `/conversations/${encodeURIComponent(conversationId)}/script-run`, method: 'PUT', body: { scriptId } }),
      invalidatesTags: (_r, _e, { conversationId }) => [{ type: 'ScriptRun', id: conversationId }],
    }),
  }),
});

export const { useGetAssistQuery, useRateSuggestionMutation, useSwitchToScriptMutation } = assistApi;
