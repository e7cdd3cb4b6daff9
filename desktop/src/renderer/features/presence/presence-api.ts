/**
 * Presence from the server: the REST list, kept live by `presence:changed` events streamed into
 * the cache; changing one's own presence goes over REST (works while the socket reconnects).
 */
import type { Presence, PresenceListResponse, PresenceState } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';
import { subscribeLive } from '../../api/socket.js';
import type { SessionState } from '../../app/session/session-slice.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { MISSED_OFFERS_MESSAGE, presenceHeard } from './presence-slice.js';

/** Replaces the user's entry (or adds it); older news never overwrites newer. */
export function upsertPresence(list: Presence[], presence: Presence): void {
  const index = list.findIndex((p) => p.userId === presence.userId);
  if (index < 0) list.push(presence);
  else if (list[index]!.since <= presence.since) list[index] = presence;
}

export const presenceApi = baseApi.injectEndpoints({
  endpoints: (build) => ({
    getPresence: build.query<Presence[], void>({
      query: () => '/presence',
      transformResponse: (body: PresenceListResponse) => body.items,
      providesTags: ['Presence'],
      async onCacheEntryAdded(_arg, { updateCachedData, cacheDataLoaded, cacheEntryRemoved, dispatch, getState }) {
        try {
          await cacheDataLoaded;
        } catch {
          return;
        }
        const unsubscribe = subscribeLive('presence:changed', (presence) => {
          updateCachedData((list) => upsertPresence(list, presence));
          // Set from another device (or by the server): the selector follows.
          const me = (getState() as unknown as { session: SessionState }).session.user?.id;
          if (presence.userId === me) {
            dispatch(presenceHeard({ state: presence.state, ...(presence.reason ? { reason: presence.reason } : {}) }));
            if (presence.reason === 'missed-offers') dispatch(statusShown(MISSED_OFFERS_MESSAGE));
          }
        });
        await cacheEntryRemoved;
        unsubscribe();
      },
    }),
    setMyPresence: build.mutation<Presence, PresenceState>({
      query: (state) => ({ url: '/presence/me', method: 'PUT', body: { state } }),
      async onQueryStarted(_state, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled;
          dispatch(presenceApi.util.updateQueryData('getPresence', undefined, (list) => upsertPresence(list, data)));
        } catch {
          // The component shows the failure.
        }
      },
    }),
  }),
});

export const { useGetPresenceQuery, useSetMyPresenceMutation } = presenceApi;
