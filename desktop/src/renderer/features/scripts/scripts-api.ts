/**
 * REST of agent scripts: the scripts and their versions (supervisors save drafts, publish, roll
 * back, and validate while they type), a conversation's run (chosen, switched, steps recorded), and
 * the caller's identity for the verify-identity macro.
 */
import type {
  ConversationIdentity,
  PatientSearchResponse,
  ScriptDetail,
  ScriptError,
  ScriptListResponse,
  ScriptRunResponse,
  ScriptRunStep,
  ScriptRunView,
  ScriptValidation,
  VerifyIdentityRequest,
} from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';

export const scriptsApi = baseApi.enhanceEndpoints({ addTagTypes: ['AgentScripts', 'AgentScript', 'ScriptRun', 'Identity'] }).injectEndpoints({
  endpoints: (build) => ({
    listScripts: build.query<ScriptListResponse, void>({ query: () => '/agent-scripts', providesTags: ['AgentScripts'] }),
    getScript: build.query<ScriptDetail, string>({ query: (id) => `/agent-scripts/${encodeURIComponent(id)}`, providesTags: (_r, _e, id) => [{ type: 'AgentScript', id }] }),
    validateScript: build.mutation<ScriptValidation, { yaml: string; scriptId?: string }>({
      query: ({ yaml, scriptId }) => ({ url: `/agent-scripts/validate${scriptId ? `?scriptId=${encodeURIComponent(scriptId)}` : ''}`, method: 'POST', body: { yaml } }),
    }),
    createScript: build.mutation<ScriptDetail, { yaml: string }>({
      query: ({ yaml }) => ({ url: '/agent-scripts', method: 'POST', body: { yaml } }),
      invalidatesTags: ['AgentScripts'],
    }),
    saveDraft: build.mutation<ScriptDetail, { id: string; yaml: string }>({
      query: ({ id, yaml }) => ({ url: `/agent-scripts/${encodeURIComponent(id)}/draft`, method: 'PUT', body: { yaml } }),
      invalidatesTags: (_r, _e, { id }) => ['AgentScripts', { type: 'AgentScript', id }],
    }),
    publishScript: build.mutation<ScriptDetail, { id: string; version: number }>({
      query: ({ id, version }) => ({ url: `/agent-scripts/${encodeURIComponent(id)}/publish`, method: 'POST', body: { version } }),
      invalidatesTags: (_r, _e, { id }) => ['AgentScripts', { type: 'AgentScript', id }, 'ScriptRun'],
    }),
    rollbackScript: build.mutation<ScriptDetail, { id: string; version: number }>({
      query: ({ id, version }) => ({ url: `/agent-scripts/${encodeURIComponent(id)}/rollback`, method: 'POST', body: { version } }),
      invalidatesTags: (_r, _e, { id }) => ['AgentScripts', { type: 'AgentScript', id }, 'ScriptRun'],
    }),
    getScriptRun: build.query<ScriptRunResponse, string>({
      query: (conversationId) => `/conversations/${encodeURIComponent(conversationId)}/script-run`,
      providesTags: (_r, _e, id) => [{ type: 'ScriptRun', id }],
      keepUnusedDataFor: 30,
    }),
    chooseScript: build.mutation<ScriptRunResponse, { conversationId: string; scriptId: string }>({
      query: ({ conversationId, scriptId }) => ({ url: `/conversations/${encodeURIComponent(conversationId)}/script-run`, method: 'PUT', body: { scriptId } }),
      async onQueryStarted({ conversationId }, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled;
          dispatch(scriptsApi.util.upsertQueryData('getScriptRun', conversationId, data));
        } catch {
          // The panel shows the error.
        }
      },
    }),
    recordStep: build.mutation<{ run: ScriptRunView; next: ScriptRunStep | null }, { conversationId: string; stepId: string; answer?: string }>({
      query: ({ conversationId, stepId, answer }) => ({
        url: `/conversations/${encodeURIComponent(conversationId)}/script-run/steps/${encodeURIComponent(stepId)}`,
        method: 'POST',
        body: answer === undefined ? {} : { answer },
      }),
      async onQueryStarted({ conversationId }, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled;
          dispatch(scriptsApi.util.updateQueryData('getScriptRun', conversationId, (draft) => ({ ...draft, run: data.run })));
        } catch {
          // The panel shows the error.
        }
      },
    }),
    // Named apart from features/patients' endpoints (one API: names must differ); the same 'Identity' tag keeps both panels current.
    getScriptIdentity: build.query<ConversationIdentity, string>({
      query: (conversationId) => `/conversations/${encodeURIComponent(conversationId)}/identity`,
      providesTags: (_r, _e, id) => [{ type: 'Identity', id }],
    }),
    searchPatientsForScript: build.mutation<PatientSearchResponse, { name?: string; birthDate?: string }>({
      query: (body) => ({ url: '/patients/search', method: 'POST', body, headers: { 'X-Access-Reason': 'identity verification (agent script)' } }),
    }),
    verifyIdentityForScript: build.mutation<ConversationIdentity, { conversationId: string; body: VerifyIdentityRequest }>({
      query: ({ conversationId, body }) => ({ url: `/conversations/${encodeURIComponent(conversationId)}/identity/verify`, method: 'POST', body }),
      invalidatesTags: (_r, _e, { conversationId }) => [{ type: 'Identity', id: conversationId }, { type: 'ScriptRun', id: conversationId }],
    }),
  }),
});

export const {
  useListScriptsQuery,
  useGetScriptQuery,
  useValidateScriptMutation,
  useCreateScriptMutation,
  useSaveDraftMutation,
  usePublishScriptMutation,
  useRollbackScriptMutation,
  useGetScriptRunQuery,
  useChooseScriptMutation,
  useRecordStepMutation,
  useGetScriptIdentityQuery,
  useSearchPatientsForScriptMutation,
  useVerifyIdentityForScriptMutation,
} = scriptsApi;

/** The sentence the server gave for a refusal, or a plain one. */
export function problemOf(error: unknown, what: string): string | null {
  if (!error) return null;
  const e = error as { data?: { error?: { message?: unknown } }; error?: unknown };
  if (typeof e.data?.error?.message === 'string') return `Could not ${what}: ${e.data.error.message}`;
  if (typeof e.error === 'string') return `Could not ${what}: the server could not be reached (${e.error}).`;
  return `Could not ${what}.`;
}

/** The line, column and step errors a 422 names (`errors` at the top level). */
export function scriptErrorsOf(error: unknown): ScriptError[] {
  const e = error as { status?: unknown; data?: { errors?: unknown } } | undefined;
  return e?.status === 422 && Array.isArray(e.data?.errors) ? (e.data.errors as ScriptError[]) : [];
}
