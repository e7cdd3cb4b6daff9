/**
 * REST of the admin workspace: the clinic settings by section (`GET /api/admin/settings`,
 * `PUT /api/admin/settings/:section` with the version read, 409 when someone saved first).
 * Saving the conversations section refreshes the desk's own settings (dispositions, quick replies).
 */
import type { ClinicSettingSection, ClinicSettingsResponse, ClinicSettingValue, ClinicSettingView } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';
import { conversationsApi } from '../conversations/index.js';

export const adminApi = baseApi.enhanceEndpoints({ addTagTypes: ['ClinicSettings'] }).injectEndpoints({
  endpoints: (build) => ({
    getClinicSettings: build.query<ClinicSettingsResponse, void>({
      query: () => '/admin/settings',
      providesTags: ['ClinicSettings'],
      keepUnusedDataFor: 0,
    }),
    saveClinicSetting: build.mutation<ClinicSettingView, { section: ClinicSettingSection; version: number; value: ClinicSettingValue<ClinicSettingSection> }>({
      query: ({ section, version, value }) => ({ url: `/admin/settings/${section}`, method: 'PUT', body: { version, value } }),
      invalidatesTags: ['ClinicSettings'],
      async onQueryStarted({ section }, { dispatch, queryFulfilled }) {
        try {
          await queryFulfilled;
          if (section === 'conversations' || section === 'routing') dispatch(conversationsApi.util.invalidateTags(['ConversationSettings']));
        } catch {
          // The form shows the error.
        }
      },
    }),
  }),
});

export const { useGetClinicSettingsQuery, useSaveClinicSettingMutation } = adminApi;

export interface SaveProblem {
  message: string;
  /** Field paths the server named (e.g. `queues.1.businessHours.timeZone`), with their messages. */
  issues: { path: string; message: string }[];
  /** Someone else saved first: reload. */
  stale: boolean;
}

/** What the server said was wrong with a save, as text and field issues. */
export function saveProblemOf(error: unknown): SaveProblem | null {
  if (!error) return null;
  const e = error as { status?: unknown; data?: { error?: { code?: unknown; message?: unknown; details?: { issues?: unknown } } }; error?: unknown };
  const body = e.data?.error;
  if (body && typeof body.message === 'string') {
    const issues = Array.isArray(body.details?.issues)
      ? (body.details.issues as { path?: unknown; message?: unknown }[]).map((i) => ({ path: String(i.path ?? ''), message: String(i.message ?? '') }))
      : [];
    return { message: body.message, issues, stale: e.status === 409 && /changed by someone else/.test(body.message) };
  }
  if (typeof e.error === 'string') return { message: `The server could not be reached: ${e.error}`, issues: [], stale: false };
  return { message: 'The server could not save this.', issues: [], stale: false };
}
