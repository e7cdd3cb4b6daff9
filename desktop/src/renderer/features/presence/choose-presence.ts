import type { Dispatch } from '@reduxjs/toolkit';
import type { PresenceState } from '@carebridge/server/contracts';
import type { AppDispatch } from '../../app/root-state.js';
import { presenceApi } from './presence-api.js';
import { presenceChosen } from './presence-slice.js';
import { statusShown } from '../../app/shell/shell-slice.js';

export const PRESENCE_LABELS: Record<PresenceState, string> = { available: 'Available', busy: 'Busy', away: 'Away', offline: 'Offline' };

/**
 * Chooses a presence: remembered locally at once (and re-sent on every reconnect), sent to the
 * server now. Resolves with an error message for the user, or null.
 */
export function choosePresence(state: PresenceState) {
  return async (dispatch: Dispatch): Promise<string | null> => {
    dispatch(presenceChosen(state));
    const result = await (dispatch as AppDispatch)(presenceApi.endpoints.setMyPresence.initiate(state));
    if ('error' in result && result.error) {
      const message = `Your presence is ${PRESENCE_LABELS[state]} here; the server will hear it when the connection is back.`;
      dispatch(statusShown(message));
      return message;
    }
    dispatch(statusShown(`Presence: ${PRESENCE_LABELS[state]}`));
    return null;
  };
}
