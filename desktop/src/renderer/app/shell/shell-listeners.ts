/** The unread count on the dock/taskbar badge follows the shell's count. */
import { getBridge } from '../../common/bridge.js';
import type { AppListeners } from '../root-state.js';
import { unreadChanged } from './shell-slice.js';

export function registerShellListeners(listeners: AppListeners): void {
  listeners.startListening({
    actionCreator: unreadChanged,
    effect: (action) => {
      void getBridge().setBadge(action.payload);
    },
  });
}
