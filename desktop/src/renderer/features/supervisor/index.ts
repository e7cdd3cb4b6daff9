/** The public door of features/supervisor: the supervisor workspace and its reconnect listener. */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const SupervisorPage = lazy(() => import('./SupervisorPage.js'));
export { registerSupervisorListeners } from './supervisor-api.js';
