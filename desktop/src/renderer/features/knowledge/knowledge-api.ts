/**
 * REST calls of the knowledge feature: search, browse and read articles (`/api/knowledge/*`), the
 * editors' workflow (create, save the draft, submit, publish, versions, restore, review due), and
 * sending an article to the patient as a chat card (`POST /api/conversations/:id/cards`).
 */
import type {
  ChatCard,
  CreateArticleRequest,
  KnowledgeArticle,
  KnowledgeListQuery,
  KnowledgeListResponse,
  KnowledgeReviewDueResponse,
  KnowledgeSearchQuery,
  KnowledgeSearchResponse,
  KnowledgeVersionsResponse,
  KnowledgeWriteResponse,
  MessageView,
  UpdateDraftRequest,
} from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';

const queryString = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

const articleTags = (id: string) => [{ type: 'KnowledgeArticle' as const, id }, { type: 'KnowledgeArticle' as const, id: 'LIST' }, { type: 'KnowledgeVersions' as const, id }];

export const knowledgeApi = baseApi.enhanceEndpoints({ addTagTypes: ['KnowledgeArticle', 'KnowledgeVersions', 'KnowledgeSearch'] }).injectEndpoints({
  endpoints: (build) => ({
    searchKnowledge: build.query<KnowledgeSearchResponse, KnowledgeSearchQuery>({
      query: (q) => `/knowledge/search${queryString({ q: q.q, audience: q.audience, language: q.language, category: q.category, limit: q.limit })}`,
      providesTags: [{ type: 'KnowledgeSearch', id: 'ALL' }],
      keepUnusedDataFor: 30,
    }),
    listArticles: build.query<KnowledgeListResponse, KnowledgeListQuery>({
      query: (q) => `/knowledge/articles${queryString({ audience: q.audience, language: q.language, category: q.category, status: q.status })}`,
      providesTags: [{ type: 'KnowledgeArticle', id: 'LIST' }],
    }),
    getArticle: build.query<KnowledgeArticle, string>({
      query: (id) => `/knowledge/articles/${encodeURIComponent(id)}`,
      providesTags: (_r, _e, id) => [{ type: 'KnowledgeArticle', id }],
    }),
    getVersions: build.query<KnowledgeVersionsResponse, string>({
      query: (id) => `/knowledge/articles/${encodeURIComponent(id)}/versions`,
      providesTags: (_r, _e, id) => [{ type: 'KnowledgeVersions', id }],
    }),
    getVersion: build.query<KnowledgeArticle, { id: string; version: number }>({
      query: ({ id, version }) => `/knowledge/articles/${encodeURIComponent(id)}/versions/${version}`,
      providesTags: (_r, _e, { id }) => [{ type: 'KnowledgeVersions', id }],
    }),
    getReviewDue: build.query<KnowledgeReviewDueResponse, void>({
      query: () => '/knowledge/review-due',
      providesTags: [{ type: 'KnowledgeArticle', id: 'LIST' }],
    }),
    createArticle: build.mutation<KnowledgeWriteResponse, CreateArticleRequest>({
      query: (body) => ({ url: '/knowledge/articles', method: 'POST', body }),
      invalidatesTags: [{ type: 'KnowledgeArticle', id: 'LIST' }],
    }),
    saveDraft: build.mutation<KnowledgeWriteResponse, { id: string; body: UpdateDraftRequest }>({
      query: ({ id, body }) => ({ url: `/knowledge/articles/${encodeURIComponent(id)}/draft`, method: 'PUT', body }),
      invalidatesTags: (_r, _e, { id }) => articleTags(id),
    }),
    submitArticle: build.mutation<KnowledgeWriteResponse, string>({
      query: (id) => ({ url: `/knowledge/articles/${encodeURIComponent(id)}/submit`, method: 'POST' }),
      invalidatesTags: (_r, _e, id) => articleTags(id),
    }),
    publishArticle: build.mutation<KnowledgeWriteResponse, string>({
      query: (id) => ({ url: `/knowledge/articles/${encodeURIComponent(id)}/publish`, method: 'POST' }),
      invalidatesTags: (_r, _e, id) => [...articleTags(id), { type: 'KnowledgeSearch', id: 'ALL' }],
    }),
    restoreVersion: build.mutation<KnowledgeWriteResponse, { id: string; version: number }>({
      query: ({ id, version }) => ({ url: `/knowledge/articles/${encodeURIComponent(id)}/versions/${version}/restore`, method: 'POST' }),
      invalidatesTags: (_r, _e, { id }) => articleTags(id),
    }),
    sendCard: build.mutation<{ message: MessageView }, { conversationId: string; card: ChatCard; clientMessageId: string }>({
      query: ({ conversationId, card, clientMessageId }) => ({ url: `/conversations/${encodeURIComponent(conversationId)}/cards`, method: 'POST', body: { card, clientMessageId } }),
    }),
  }),
});

export const {
  useSearchKnowledgeQuery,
  useListArticlesQuery,
  useGetArticleQuery,
  useGetVersionsQuery,
  useGetVersionQuery,
  useGetReviewDueQuery,
  useCreateArticleMutation,
  useSaveDraftMutation,
  useSubmitArticleMutation,
  usePublishArticleMutation,
  useRestoreVersionMutation,
  useSendCardMutation,
} = knowledgeApi;
