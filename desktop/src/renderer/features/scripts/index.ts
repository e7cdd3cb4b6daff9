/** The public door of features/scripts. Scripts: agent scripts (placeholder). */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const ScriptsPage = lazy(() => import('./ScriptsPage.js'));
