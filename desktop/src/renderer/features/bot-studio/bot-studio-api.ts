/**
 * REST of bot studio: scenarios (list, read, create, save the draft, publish, roll back, import and
 * export in Azure Health Bot's format), the string tables, the language models, and test chats of a
 * draft over the Direct Line–shaped channel API (`POST /api/bot/conversations { trigger, draft: true }`;
 * the activities go with the visitor token that comes back, in `test-chat-client.ts`).
 */
import type {
  DirectLineStartResponse,
  ScenarioDetail,
  ScenarioDraft,
  ScenarioExport,
  ScenarioImport,
  ScenarioImportResponse,
  ScenarioProblem,
  ScenarioSummary,
  StringTables,
} from '@carebridge/server/contracts/bot';
import type { LanguageModelDetail, LanguageModelSummary, Recognition, SaveLanguageModelRequest } from '@carebridge/server/contracts/language';
import { baseApi } from '../../api/base-api.js';

type DraftBody = Omit<ScenarioDraft, 'description' | 'active'> & { description?: string; active?: boolean };

export const botStudioApi = baseApi.enhanceEndpoints({ addTagTypes: ['BotScenarios', 'BotScenario', 'BotStrings', 'LanguageModels', 'LanguageModel'] }).injectEndpoints({
  endpoints: (build) => ({
    listScenarios: build.query<{ scenarios: ScenarioSummary[] }, void>({ query: () => '/bot/scenarios', providesTags: ['BotScenarios'] }),
    getScenario: build.query<ScenarioDetail, { id: string; version?: number }>({
      query: ({ id, version }) => `/bot/scenarios/${encodeURIComponent(id)}${version ? `?version=${version}` : ''}`,
      providesTags: (_r, _e, { id }) => [{ type: 'BotScenario', id }],
    }),
    createScenario: build.mutation<ScenarioDetail, DraftBody>({
      query: (body) => ({ url: '/bot/scenarios', method: 'POST', body }),
      invalidatesTags: ['BotScenarios'],
    }),
    saveScenarioDraft: build.mutation<ScenarioDetail, { id: string; body: DraftBody }>({
      query: ({ id, body }) => ({ url: `/bot/scenarios/${encodeURIComponent(id)}/draft`, method: 'PUT', body }),
      invalidatesTags: (_r, _e, { id }) => ['BotScenarios', { type: 'BotScenario', id }],
    }),
    publishScenario: build.mutation<ScenarioDetail & { warnings: ScenarioProblem[] }, { id: string }>({
      query: ({ id }) => ({ url: `/bot/scenarios/${encodeURIComponent(id)}/publish`, method: 'POST', body: {} }),
      invalidatesTags: (_r, _e, { id }) => ['BotScenarios', { type: 'BotScenario', id }],
    }),
    rollbackScenario: build.mutation<ScenarioDetail & { warnings: ScenarioProblem[] }, { id: string; version: number }>({
      query: ({ id, version }) => ({ url: `/bot/scenarios/${encodeURIComponent(id)}/rollback`, method: 'POST', body: { version } }),
      invalidatesTags: (_r, _e, { id }) => ['BotScenarios', { type: 'BotScenario', id }],
    }),
    importScenario: build.mutation<ScenarioImportResponse, { body: ScenarioImport; publish: boolean }>({
      query: ({ body, publish }) => ({ url: `/bot/scenarios/import?publish=${publish ? 'true' : 'false'}`, method: 'POST', body }),
      invalidatesTags: ['BotScenarios', 'BotScenario', 'BotStrings'],
    }),
    exportScenario: build.mutation<ScenarioExport, { id: string; version?: number }>({
      query: ({ id, version }) => ({ url: `/bot/scenarios/${encodeURIComponent(id)}/export${version ? `?version=${version}` : ''}` }),
    }),
    getStrings: build.query<{ strings: StringTables }, void>({ query: () => '/bot/strings', providesTags: ['BotStrings'] }),
    saveStrings: build.mutation<{ strings: StringTables }, { strings: StringTables }>({
      query: (body) => ({ url: '/bot/strings', method: 'PUT', body }),
      async onQueryStarted(_arg, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled;
          dispatch(botStudioApi.util.upsertQueryData('getStrings', undefined, data));
        } catch {
          // The editor shows the error.
        }
      },
    }),
    listLanguageModels: build.query<{ models: LanguageModelSummary[] }, void>({ query: () => '/bot/language-models', providesTags: ['LanguageModels'] }),
    getLanguageModel: build.query<LanguageModelDetail, string>({ query: (id) => `/bot/language-models/${encodeURIComponent(id)}`, providesTags: (_r, _e, id) => [{ type: 'LanguageModel', id }] }),
    saveLanguageModel: build.mutation<LanguageModelDetail, { id: string; body: SaveLanguageModelRequest }>({
      query: ({ id, body }) => ({ url: `/bot/language-models/${encodeURIComponent(id)}`, method: 'PUT', body }),
      invalidatesTags: (_r, _e, { id }) => ['LanguageModels', { type: 'LanguageModel', id }],
    }),
    recognize: build.mutation<Recognition & { threshold: number }, { text: string; locale: 'en-US' | 'es-US' }>({
      query: (body) => ({ url: '/bot/language-models/recognize', method: 'POST', body }),
    }),
    // A test chat starts with the author's token (baseApi adds it); its activities carry the chat's own visitor token (test-chat-client.ts).
    startTestChat: build.mutation<DirectLineStartResponse, { trigger: string; locale?: 'en-US' | 'es-US' }>({
      query: (body) => ({ url: '/bot/conversations', method: 'POST', body: { ...body, draft: true, displayName: 'Bot studio test' } }),
    }),
  }),
});

export const {
  useListScenariosQuery,
  useGetScenarioQuery,
  useCreateScenarioMutation,
  useSaveScenarioDraftMutation,
  usePublishScenarioMutation,
  useRollbackScenarioMutation,
  useImportScenarioMutation,
  useExportScenarioMutation,
  useGetStringsQuery,
  useSaveStringsMutation,
  useListLanguageModelsQuery,
  useGetLanguageModelQuery,
  useSaveLanguageModelMutation,
  useRecognizeMutation,
  useStartTestChatMutation,
} = botStudioApi;

/** The sentence the server gave for a refusal, or a plain one. */
export function problemOf(error: unknown, what: string): string | null {
  if (!error) return null;
  const e = error as { status?: unknown; data?: { error?: { message?: unknown } }; error?: unknown };
  if (typeof e.data?.error?.message === 'string') return `Could not ${what}: ${e.data.error.message}`;
  if (typeof e.error === 'string') return `Could not ${what}: the server could not be reached (${e.error}).`;
  return `Could not ${what}.`;
}

/** The step problems a 422 names (`error.details.errors: [{ stepId, field, message }]`). */
export function scenarioProblemsOf(error: unknown): ScenarioProblem[] {
  const e = error as { status?: unknown; data?: { error?: { details?: { errors?: unknown } } } } | undefined;
  const errors = e?.data?.error?.details?.errors;
  return e?.status === 422 && Array.isArray(errors) ? (errors as ScenarioProblem[]) : [];
}
