/**
 * Side effects of the session, in one listener middleware: open the live socket after sign-in and
 * close it at sign-out, re-assert the chosen presence on every (re)connect, refresh a refused token,
 * and mirror the unread count on the badge. The inbox registers its own (features/conversations/inbox-live.ts).
 */
import { createListenerMiddleware } from '@reduxjs/toolkit';
import { baseApi } from '../api/base-api.js';
import { refreshSession } from '../api/refresh.js';
import { closeLiveSocket, openLiveSocket, reconnectLiveSocket, sendLive } from '../api/socket.js';
import { getBridge } from '../common/bridge.js';
import { connectionChanged } from '../features/connection/connection-slice.js';
import { notifyWhenAway } from '../features/notifications/notify.js';
import type { SettingsState } from '../features/settings/settings-slice.js';
import { presenceApi, upsertPresence } from '../features/presence/presence-api.js';
import { registerInboxListeners } from '../features/conversations/inbox-live.js';
import { registerSupervisorListeners } from '../features/supervisor/supervisor-api.js';
import { signedIn, signedOut, type SessionState } from '../features/session/session-slice.js';
import { statusShown, unreadChanged } from '../features/shell/shell-slice.js';
import type { PresenceSliceState } from '../features/presence/presence-slice.js';
import type { AppDispatch } from './store.js';

interface ListenerState {
  session: SessionState;
  presence: PresenceSliceState;
  settings: SettingsState;
}

export const listeners = createListenerMiddleware();
registerInboxListeners(listeners);
registerSupervisorListeners(listeners);

listeners.startListening({
  actionCreator: signedIn,
  effect: (action, api) => {
    const getState = api.getState as () => ListenerState;
    const dispatch = api.dispatch as AppDispatch;
    openLiveSocket(action.payload.serverUrl, {
      token: () => getState().session.accessToken,
      onStatus: (status, detail) => api.dispatch(connectionChanged({ status, detail: detail ?? null })),
      onAuthRejected: () => {
        void refreshSession(api.dispatch, getState).then((refreshed) => {
          if (refreshed) reconnectLiveSocket();
          else if (getState().session.status === 'signedIn') api.dispatch(connectionChanged({ status: 'offline', detail: 'The server refused the live connection.' }));
        });
      },
      onConnected: () => {
        void sendLive('presence:set', { state: getState().presence.chosen }).then((reply) => {
          if (reply.ok) dispatch(presenceApi.util.updateQueryData('getPresence', undefined, (list) => upsertPresence(list, reply.presence)));
        }, () => undefined);
      },
    });
  },
});

listeners.startListening({
  actionCreator: signedOut,
  effect: (_action, api) => {
    closeLiveSocket();
    api.dispatch(connectionChanged({ status: 'idle' }));
    api.dispatch(baseApi.util.resetApiState());
    api.dispatch(statusShown(null));
    api.dispatch(unreadChanged(0));
  },
});

listeners.startListening({
  actionCreator: unreadChanged,
  effect: (action) => {
    void getBridge().setBadge(action.payload);
  },
});

// An agent working in another window must learn that offers cannot reach them any more.
listeners.startListening({
  actionCreator: connectionChanged,
  effect: (action, api) => {
    const { status, detail } = action.payload;
    const previous = (api.getOriginalState() as { connection: { status: string } }).connection.status;
    if (status !== 'offline' || previous === 'offline') return;
    notifyWhenAway(
      { kind: 'system', title: 'Carebridge is offline', body: detail ?? 'The live connection to the server stopped. Open Carebridge to sign in again.' },
      (api.getState() as ListenerState).settings.values.notifications,
    );
  },
});
