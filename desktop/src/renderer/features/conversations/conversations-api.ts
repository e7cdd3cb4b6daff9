/**
 * REST reads of the inbox: the clinic's conversation settings (dispositions, quick replies,
 * session limit, queues) and the colleagues to transfer to, consult or mention.
 */
import type { AgentListResponse, AgentSummary, ConversationSettingsResponse } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';

/** Used until the server's settings arrive (and if it has none): no dispositions required, ten tabs. */
export const FALLBACK_SETTINGS: ConversationSettingsResponse = { dispositions: [], requireDisposition: false, quickReplies: [], maxSessions: 10, queues: [] };

export const conversationsApi = baseApi.enhanceEndpoints({ addTagTypes: ['Colleagues', 'ConversationSettings'] }).injectEndpoints({
  endpoints: (build) => ({
    getConversationSettings: build.query<ConversationSettingsResponse, void>({
      query: () => '/conversations/settings',
      providesTags: ['ConversationSettings'],
      keepUnusedDataFor: 600,
    }),
    getColleagues: build.query<AgentSummary[], void>({
      query: () => '/conversations/agents',
      transformResponse: (body: AgentListResponse) => body.items,
      providesTags: ['Colleagues'],
      keepUnusedDataFor: 30,
    }),
  }),
});

export const { useGetConversationSettingsQuery, useGetColleaguesQuery } = conversationsApi;
