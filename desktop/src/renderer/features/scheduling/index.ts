/** The public door of features/scheduling: the conversation view's Appointments panel (app/context-panels.ts). */
import { lazy } from 'react';

/** Context panel, in a chunk of its own. */
export const AppointmentsPanel = lazy(() => import('./AppointmentsPanel.js'));
