/**
 * REST reads of the inbox: the clinic's conversation settings (dispositions, quick replies,
 * session limit, queues) and the colleagues to transfer to, consult or mention.
 */
import type { AgentListResponse, AgentSummary, ConversationSettingsResponse, ConversationSummary, QuickReply } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';

/** Used until the server's settings arrive (and if it has none): no dispositions required, ten tabs. */
export const FALLBACK_SETTINGS: ConversationSettingsResponse = { dispositions: [], requireDisposition: false, quickReplies: [], maxSessions: 10, queues: [] };

export const conversationsApi = baseApi.enhanceEndpoints({ addTagTypes: ['Colleagues', 'ConversationSettings', 'MyQuickReplies'] }).injectEndpoints({
  endpoints: (build) => ({
    getConversationSettings: build.query<ConversationSettingsResponse, void>({
      query: () => '/conversations/settings',
      providesTags: ['ConversationSettings'],
      keepUnusedDataFor: 600,
    }),
    /** My own quick replies (agents, supervisors), offered before the clinic's. */
    getMyQuickReplies: build.query<QuickReply[], void>({
      query: () => '/me/quick-replies',
      transformResponse: (body: { quickReplies: QuickReply[] }) => body.quickReplies,
      providesTags: ['MyQuickReplies'],
      keepUnusedDataFor: 600,
    }),
    saveMyQuickReplies: build.mutation<QuickReply[], QuickReply[]>({
      query: (quickReplies) => ({ url: '/me/quick-replies', method: 'PUT', body: { quickReplies } }),
      transformResponse: (body: { quickReplies: QuickReply[] }) => body.quickReplies,
      invalidatesTags: ['MyQuickReplies'],
    }),
    /** The extractive wrap-up summary (reason, done, follow-ups) the wrap-up notes start from. */
    getWrapupSummary: build.query<ConversationSummary, string>({
      query: (conversationId) => `/conversations/${encodeURIComponent(conversationId)}/summary`,
      keepUnusedDataFor: 0,
    }),
    getColleagues: build.query<AgentSummary[], void>({
      query: () => '/conversations/agents',
      transformResponse: (body: AgentListResponse) => body.items,
      providesTags: ['Colleagues'],
      keepUnusedDataFor: 30,
    }),
  }),
});

export const { useGetConversationSettingsQuery, useGetColleaguesQuery, useGetMyQuickRepliesQuery, useSaveMyQuickRepliesMutation, useGetWrapupSummaryQuery } = conversationsApi;

/** My own quick replies first; a clinic reply with the same shortcut gives way to mine. */
export function mergeQuickReplies(mine: readonly QuickReply[], clinic: readonly QuickReply[]): QuickReply[] {
  const taken = new Set(mine.map((r) => r.shortcut));
  return [...mine, ...clinic.filter((r) => !taken.has(r.shortcut))];
}
