/** Reading a health library article (`GET /api/knowledge/articles/:id`): published articles for patients, no sign-in needed. */
import type { KnowledgeArticle } from '../../../../../src/contracts/knowledge.js';
import { baseApi } from '../../api/base-api.js';

export const libraryApi = baseApi.injectEndpoints({
  endpoints: (build) => ({
    libraryArticle: build.query<KnowledgeArticle, string>({
      query: (id) => `/knowledge/articles/${encodeURIComponent(id)}`,
      keepUnusedDataFor: 300,
    }),
  }),
});

export const { useLibraryArticleQuery } = libraryApi;
