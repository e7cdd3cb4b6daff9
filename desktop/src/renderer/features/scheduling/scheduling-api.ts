/**
 * REST calls of the Appointments panel: the search form's options, free times, holds, a patient's
 * appointments (the conversation with the verified patient is the reason, so the server audits the
 * read under it), booking, cancelling, rescheduling, and the confirmation card sent into the chat.
 * Changes refresh the patient's appointment list and their patient 360.
 */
import type {
  AppointmentListResponse,
  AppointmentResponse,
  AvailabilityResponse,
  ChatCard,
  CreateHoldResponse,
  MessageView,
  RescheduleResponse,
  SchedulingMode,
  SchedulingOptions,
  SlotTakenResponse,
} from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';

export interface AvailabilityFilters {
  specialty: string;
  practitioner: string;
  location: string;
  language: string;
  mode: '' | SchedulingMode;
  from: string;
  to: string;
}

/** The query string of a search (empty filters left out). */
export function availabilityQueryString(filters: AvailabilityFilters, cursor: string | null, limit = 30): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== '') params.set(key, value);
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(limit));
  return params.toString();
}

/** The fresh times a `slot_taken` refusal carries, when the error is one. */
export function slotTaken(error: unknown): SlotTakenResponse | null {
  const data = (error as { status?: unknown; data?: unknown } | undefined)?.data as Partial<SlotTakenResponse> | undefined;
  return data?.error?.code === 'slot_taken' && Array.isArray(data.availability) ? (data as SlotTakenResponse) : null;
}

type InConversation = { conversationId: string; patientId: string };
const changed = (patientId: string) => [
  { type: 'Appointments' as const, id: patientId },
  { type: 'Patient360' as const, id: patientId },
];

export const schedulingApi = baseApi.enhanceEndpoints({ addTagTypes: ['Appointments', 'Patient360'] }).injectEndpoints({
  endpoints: (build) => ({
    getSchedulingOptions: build.query<SchedulingOptions, void>({
      query: () => '/scheduling/options',
      keepUnusedDataFor: 300,
    }),
    searchAvailability: build.query<AvailabilityResponse, { filters: AvailabilityFilters; cursor: string | null }>({
      query: ({ filters, cursor }) => `/scheduling/availability?${availabilityQueryString(filters, cursor)}`,
      keepUnusedDataFor: 0,
    }),
    getAppointments: build.query<AppointmentListResponse, InConversation>({
      query: ({ conversationId, patientId }) => `/scheduling/appointments?patient=${encodeURIComponent(patientId)}&conversationId=${encodeURIComponent(conversationId)}`,
      providesTags: (_r, _e, { patientId }) => [{ type: 'Appointments', id: patientId }],
      keepUnusedDataFor: 30,
    }),
    holdSlot: build.mutation<CreateHoldResponse, string>({
      query: (slotId) => ({ url: '/scheduling/holds', method: 'POST', body: { slotId } }),
    }),
    releaseHold: build.mutation<void, string>({
      query: (holdId) => ({ url: `/scheduling/holds/${encodeURIComponent(holdId)}`, method: 'DELETE' }),
    }),
    bookAppointment: build.mutation<AppointmentResponse, InConversation & { slotId: string; note?: string }>({
      query: ({ conversationId, patientId, slotId, note }) => ({ url: '/scheduling/appointments', method: 'POST', body: { patientId, slotId, conversationId, ...(note ? { note } : {}) } }),
      invalidatesTags: (r, _e, { patientId }) => (r ? changed(patientId) : []),
    }),
    cancelAppointment: build.mutation<AppointmentResponse, InConversation & { appointmentId: string; reason?: string }>({
      query: ({ conversationId, appointmentId, reason }) => ({ url: `/scheduling/appointments/${encodeURIComponent(appointmentId)}/cancel`, method: 'POST', body: { conversationId, ...(reason ? { reason } : {}) } }),
      invalidatesTags: (r, _e, { patientId }) => (r ? changed(patientId) : []),
    }),
    rescheduleAppointment: build.mutation<RescheduleResponse, InConversation & { appointmentId: string; slotId: string }>({
      query: ({ conversationId, appointmentId, slotId }) => ({ url: `/scheduling/appointments/${encodeURIComponent(appointmentId)}/reschedule`, method: 'POST', body: { conversationId, slotId } }),
      invalidatesTags: (r, _e, { patientId }) => (r ? changed(patientId) : []),
    }),
    sendCard: build.mutation<{ message: MessageView }, { conversationId: string; card: ChatCard; clientMessageId: string }>({
      query: ({ conversationId, card, clientMessageId }) => ({ url: `/conversations/${encodeURIComponent(conversationId)}/cards`, method: 'POST', body: { card, clientMessageId } }),
    }),
  }),
});

export const {
  useGetSchedulingOptionsQuery,
  useLazySearchAvailabilityQuery,
  useGetAppointmentsQuery,
  useHoldSlotMutation,
  useReleaseHoldMutation,
  useBookAppointmentMutation,
  useCancelAppointmentMutation,
  useRescheduleAppointmentMutation,
  useSendCardMutation,
} = schedulingApi;
