/**
 * REST reads of conversation history: a page of the filtered, searched list
 * (`GET /api/conversations/history`) and one conversation read back whole
 * (`GET /api/conversations/history/:id`), with the survey the patient answered for it.
 */
import type { HistoryConversationResponse, HistoryListResponse, HistoryScope, SurveyResponseView } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';

export interface HistoryFilters {
  scope: HistoryScope;
  state: 'any' | 'open' | 'closed';
  queue: string;
  agentId: string;
  disposition: string;
  from: string;
  to: string;
  q: string;
}

export const EMPTY_FILTERS: HistoryFilters = { scope: 'mine', state: 'any', queue: '', agentId: '', disposition: '', from: '', to: '', q: '' };

/** The query string for these filters (empty ones left out) and page. */
export function historyQueryString(filters: HistoryFilters, cursor: string | null, limit = 25): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters) as [keyof HistoryFilters, string][]) {
    const trimmed = value.trim();
    if (trimmed === '' || (key === 'scope' && trimmed === 'mine') || (key === 'state' && trimmed === 'any')) continue;
    params.set(key, trimmed);
  }
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(limit));
  return params.toString();
}

export const historyApi = baseApi.enhanceEndpoints({ addTagTypes: ['History'] }).injectEndpoints({
  endpoints: (build) => ({
    getHistoryPage: build.query<HistoryListResponse, { filters: HistoryFilters; cursor: string | null }>({
      query: ({ filters, cursor }) => `/conversations/history?${historyQueryString(filters, cursor)}`,
      providesTags: ['History'],
      keepUnusedDataFor: 30,
    }),
    getHistoryConversation: build.query<HistoryConversationResponse, string>({
      query: (id) => `/conversations/history/${encodeURIComponent(id)}`,
      keepUnusedDataFor: 30,
    }),
    getConversationSurvey: build.query<{ offered: boolean; response: SurveyResponseView | null }, string>({
      query: (id) => `/surveys/conversations/${encodeURIComponent(id)}`,
      keepUnusedDataFor: 30,
    }),
  }),
});

export const { useGetHistoryPageQuery, useGetHistoryConversationQuery, useGetConversationSurveyQuery } = historyApi;

/** What the server said went wrong, as a sentence. */
export function historyErrorText(error: unknown): string | null {
  if (!error) return null;
  const e = error as { status?: unknown; data?: { error?: { message?: unknown } }; error?: unknown };
  if (typeof e.data?.error?.message === 'string') return e.data.error.message;
  if (typeof e.error === 'string') return `The server could not be reached: ${e.error}`;
  return `The request failed (${String(e.status ?? 'unknown')}).`;
}
