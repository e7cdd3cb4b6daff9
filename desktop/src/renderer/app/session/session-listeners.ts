/**
 * The session's side effects: open the live socket after sign-in (refreshing a refused or expired
 * token, re-asserting the chosen presence on every (re)connect, signing out when the server ends the
 * account's sessions) and clean up at sign-out.
 */
import { baseApi } from '../../api/base-api.js';
import { refreshSession } from '../../api/refresh.js';
import { getBridge } from '../../common/bridge.js';
import { closeLiveSocket, openLiveSocket, reconnectLiveSocket, sendLive } from '../../api/socket.js';
import { presenceApi, selectChosenPresence, upsertPresence } from '../../features/presence/index.js';
import { connectionChanged } from '../connection/connection-slice.js';
import type { AppListeners } from '../root-state.js';
import { statusShown, unreadChanged } from '../shell/shell-slice.js';
import { signedIn, signedOut } from './session-slice.js';

export function registerSessionListeners(listeners: AppListeners): void {
  listeners.startListening({
    actionCreator: signedIn,
    effect: (action, api) => {
      const { getState, dispatch } = api;
      openLiveSocket(action.payload.serverUrl, {
        token: () => getState().session.accessToken,
        onStatus: (status, detail) => dispatch(connectionChanged({ status, detail: detail ?? null })),
        onAuthRejected: () => {
          void refreshSession(dispatch, getState).then((refreshed) => {
            if (refreshed) reconnectLiveSocket();
            else if (getState().session.status === 'signedIn') dispatch(connectionChanged({ status: 'offline', detail: 'The server refused the live connection.' }));
          });
        },
        // The socket lives as long as its access token: a fresh token connects again.
        onSessionExpired: () => {
          void refreshSession(dispatch, getState).then((refreshed) => {
            if (refreshed) reconnectLiveSocket();
          });
        },
        // Every session of the account ended on the server: nothing to refresh, sign out and say why.
        onSessionEnded: (message) => {
          void getBridge()
            .session.clear()
            .catch(() => undefined)
            .then(() => dispatch(signedOut({ notice: message })));
        },
        onConnected: () => {
          void sendLive('presence:set', { state: selectChosenPresence(getState()) }).then((reply) => {
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
}
