/**
 * REST calls of the patients feature: find a patient (with a stated reason), a conversation's
 * identity and its verification, patient 360 (in a conversation, or outside one with a reason) and
 * revealing one masked detail. Every one of them is audited by the server.
 */
import type { ConversationIdentity, Patient360, PatientMatch, PatientSearchRequest, RevealableField, RevealResponse, VerifyIdentityRequest } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';

/** Whose record and why: the conversation (verified patient) or a reason typed by the user. */
export type RecordAccess = { conversationId: string; reason?: undefined } | { conversationId?: undefined; reason: string };

const accessQuery = (access: RecordAccess) => (access.conversationId ? `?conversationId=${encodeURIComponent(access.conversationId)}` : '');
const accessHeaders = (access: RecordAccess): Record<string, string> => (access.reason ? { 'X-Access-Reason': access.reason } : {});

export const patientsApi = baseApi.enhanceEndpoints({ addTagTypes: ['Identity', 'Patient360'] }).injectEndpoints({
  endpoints: (build) => ({
    searchPatients: build.mutation<{ results: PatientMatch[] }, { request: PatientSearchRequest; reason: string }>({
      query: ({ request, reason }) => ({ url: '/patients/search', method: 'POST', body: request, headers: { 'X-Access-Reason': reason } }),
    }),
    getIdentity: build.query<ConversationIdentity, string>({
      query: (conversationId) => `/conversations/${encodeURIComponent(conversationId)}/identity`,
      providesTags: (_r, _e, id) => [{ type: 'Identity', id }],
    }),
    verifyIdentity: build.mutation<ConversationIdentity, { conversationId: string; body: VerifyIdentityRequest }>({
      query: ({ conversationId, body }) => ({ url: `/conversations/${encodeURIComponent(conversationId)}/identity/verify`, method: 'POST', body }),
      async onQueryStarted({ conversationId }, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled;
          dispatch(patientsApi.util.upsertQueryData('getIdentity', conversationId, data));
        } catch {
          // A refusal: the identity is re-read so the tries left are current.
          dispatch(patientsApi.util.invalidateTags([{ type: 'Identity', id: conversationId }]));
        }
      },
    }),
    getPatient360: build.query<Patient360, { patientId: string; access: RecordAccess }>({
      query: ({ patientId, access }) => ({ url: `/patients/${encodeURIComponent(patientId)}/360${accessQuery(access)}`, headers: accessHeaders(access) }),
      providesTags: (_r, _e, { patientId }) => [{ type: 'Patient360', id: patientId }],
      keepUnusedDataFor: 60,
    }),
    revealDetail: build.mutation<RevealResponse, { patientId: string; field: RevealableField; access: RecordAccess }>({
      query: ({ patientId, field, access }) => ({
        url: `/patients/${encodeURIComponent(patientId)}/reveal`,
        method: 'POST',
        body: access.conversationId ? { field, conversationId: access.conversationId } : { field },
        headers: accessHeaders(access),
      }),
    }),
  }),
});

export const { useSearchPatientsMutation, useGetIdentityQuery, useVerifyIdentityMutation, useGetPatient360Query, useRevealDetailMutation } = patientsApi;
