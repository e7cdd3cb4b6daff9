/** An agent working in another window must learn that offers cannot reach them any more. */
import { notifyWhenAway } from '../../features/notifications/index.js';
import type { AppListeners } from '../root-state.js';
import { connectionChanged } from './connection-slice.js';

export function registerConnectionListeners(listeners: AppListeners): void {
  listeners.startListening({
    actionCreator: connectionChanged,
    effect: (action, api) => {
      const { status, detail } = action.payload;
      const previous = api.getOriginalState().connection.status;
      if (status !== 'offline' || previous === 'offline') return;
      notifyWhenAway(
        { kind: 'system', title: 'Carebridge is offline', body: detail ?? 'The live connection to the server stopped. Open Carebridge to sign in again.' },
        api.getState().settings.values.notifications,
      );
    },
  });
}
