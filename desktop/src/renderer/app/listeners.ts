/**
 * Every side effect that hangs off an action, registered in one list on one listener middleware
 * per store. The order is the order effects start in: the features' first (the inbox subscribes to
 * live events before the session's effect opens the socket, and resets before it closes), then the
 * session's (live socket, presence, sign-out cleanup), the shell's badge, the connection's notice.
 */
import { createListenerMiddleware } from '@reduxjs/toolkit';
import { registerInboxListeners } from '../features/conversations/index.js';
import { registerSupervisorListeners } from '../features/supervisor/index.js';
import { registerSentimentListeners } from '../features/sentiment/index.js';
import { registerConnectionListeners } from './connection/connection-listeners.js';
import type { AppDispatch, AppListeners, RootState } from './root-state.js';
import { registerSessionListeners } from './session/session-listeners.js';
import { registerShellListeners } from './shell/shell-listeners.js';

export function createListeners(): AppListeners {
  const listeners = createListenerMiddleware<RootState, AppDispatch>();
  registerInboxListeners(listeners);
  registerSupervisorListeners(listeners);
  registerSentimentListeners(listeners);
  registerSessionListeners(listeners);
  registerShellListeners(listeners);
  registerConnectionListeners(listeners);
  return listeners;
}
