/**
 * Supervision over the live socket, as RTK Query endpoints (the README's recipe): the live
 * snapshot (subscribed while a component uses it, unsubscribed after), a monitored conversation
 * (transcript incl. notes, streamed), and the actions — whisper, join, reassign, force close.
 * After a reconnect both are fetched again (`registerSupervisorListeners`).
 */
import type { AgentListResponse, AgentSummary, ConversationView, MessageView, SupervisorSnapshot, SurveyResponsesResponse } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';
import { liveErrorMessage, requestLive } from '../../api/live-requests.js';
import { subscribeLive } from '../../api/socket.js';
import type { AppListeners } from '../../app/root-state.js';
import { connectionChanged } from '../../app/connection/connection-slice.js';

export interface MonitoredConversation {
  conversation: ConversationView;
  messages: MessageView[];
}

const failure = (message: string) => ({ error: { status: 'CUSTOM_ERROR' as const, error: message } });

/** Appends messages by seq, each seq once (arrivals can race the monitor's first page). */
export function appendBySeq(messages: MessageView[], incoming: MessageView): void {
  if (messages.some((m) => m.seq === incoming.seq)) return;
  const at = messages.findIndex((m) => m.seq > incoming.seq);
  if (at < 0) messages.push(incoming);
  else messages.splice(at, 0, incoming);
}

export const supervisorApi = baseApi.enhanceEndpoints({ addTagTypes: ['Supervision', 'Monitor'] }).injectEndpoints({
  endpoints: (build) => ({
    getSupervisorSnapshot: build.query<SupervisorSnapshot, void>({
      queryFn: async () => {
        const reply = await requestLive('supervisor:subscribe', {});
        return reply.ok ? { data: reply.snapshot } : failure(liveErrorMessage('show the live picture', reply.error));
      },
      providesTags: ['Supervision'],
      keepUnusedDataFor: 0,
      async onCacheEntryAdded(_arg, { updateCachedData, cacheDataLoaded, cacheEntryRemoved }) {
        const off = subscribeLive('supervisor:snapshot', (snapshot) => {
          updateCachedData((current) => (current.at <= snapshot.at ? snapshot : current));
        });
        try {
          await cacheDataLoaded;
        } catch {
          // The component shows the error; the subscription ends with the entry.
        }
        await cacheEntryRemoved;
        off();
        void requestLive('supervisor:unsubscribe', {});
      },
    }),
    monitorConversation: build.query<MonitoredConversation, string>({
      queryFn: async (conversationId) => {
        const reply = await requestLive('supervisor:monitor', { conversationId });
        return reply.ok ? { data: { conversation: reply.conversation, messages: [...reply.messages].sort((a, b) => a.seq - b.seq) } } : failure(liveErrorMessage('monitor the conversation', reply.error));
      },
      providesTags: ['Monitor'],
      keepUnusedDataFor: 0,
      async onCacheEntryAdded(conversationId, { updateCachedData, cacheDataLoaded, cacheEntryRemoved }) {
        const offs: Array<() => void> = [];
        try {
          await cacheDataLoaded;
          offs.push(
            subscribeLive('message:new', (message) => {
              if (message.conversationId === conversationId) updateCachedData((draft) => appendBySeq(draft.messages, message));
            }),
            subscribeLive('conversation:updated', (conversation) => {
              if (conversation.id === conversationId) updateCachedData((draft) => void (draft.conversation = { ...draft.conversation, ...conversation }));
            }),
          );
        } catch {
          // Refused: nothing to stream.
        }
        await cacheEntryRemoved;
        for (const off of offs) off();
        void requestLive('supervisor:stop-monitor', { conversationId });
      },
    }),
    /** Follow-up survey answers with CSAT and NPS overall, per agent and per queue (REST). */
    getSurveyResults: build.query<SurveyResponsesResponse, void>({
      query: () => '/surveys/responses?limit=500',
      keepUnusedDataFor: 60,
    }),
    /** Every agent account (signed in or not), to name them in the survey results. */
    getAgentDirectory: build.query<AgentSummary[], void>({
      query: () => '/conversations/agents',
      transformResponse: (body: AgentListResponse) => body.items,
      keepUnusedDataFor: 300,
    }),
    whisper: build.mutation<null, { conversationId: string; body: string; clientMessageId: string }>({
      queryFn: async (payload) => {
        const reply = await requestLive('supervisor:whisper', payload);
        return reply.ok ? { data: null } : failure(liveErrorMessage('whisper', reply.error));
      },
    }),
    joinConversation: build.mutation<ConversationView, string>({
      queryFn: async (conversationId) => {
        const reply = await requestLive('supervisor:join', { conversationId });
        return reply.ok ? { data: reply.conversation } : failure(liveErrorMessage('join the conversation', reply.error));
      },
    }),
    reassignConversation: build.mutation<ConversationView, { conversationId: string; agentId: string }>({
      queryFn: async (payload) => {
        const reply = await requestLive('supervisor:reassign', payload);
        return reply.ok ? { data: reply.conversation } : failure(liveErrorMessage('reassign the conversation', reply.error));
      },
    }),
    forceCloseConversation: build.mutation<ConversationView, { conversationId: string; reason: string }>({
      queryFn: async (payload) => {
        const reply = await requestLive('supervisor:force-close', payload);
        return reply.ok ? { data: reply.conversation } : failure(liveErrorMessage('force close the conversation', reply.error));
      },
    }),
  }),
});

export const {
  useGetSupervisorSnapshotQuery,
  useGetSurveyResultsQuery,
  useGetAgentDirectoryQuery,
  useMonitorConversationQuery,
  useWhisperMutation,
  useJoinConversationMutation,
  useReassignConversationMutation,
  useForceCloseConversationMutation,
} = supervisorApi;

/** The error sentence of a failed supervisor endpoint. */
export function supervisorErrorText(error: unknown): string | null {
  if (!error) return null;
  const e = error as { error?: unknown; status?: unknown };
  return typeof e.error === 'string' ? e.error : `The request failed (${String(e.status ?? 'unknown')}).`;
}

/** Subscriptions and monitors live in the server's memory of a socket: renew them after every reconnect. */
export function registerSupervisorListeners(listeners: AppListeners): void {
  listeners.startListening({
    actionCreator: connectionChanged,
    effect: (action, api) => {
      if (action.payload.status === 'connected') api.dispatch(supervisorApi.util.invalidateTags(['Supervision', 'Monitor']));
    },
  });
}
