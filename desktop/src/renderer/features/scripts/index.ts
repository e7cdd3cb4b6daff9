/** The public door of features/scripts: the Scripts workspace and the conversation view's "Script" panel. */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const ScriptsPage = lazy(() => import('./ScriptsPage.js'));
/** The context pane's "Script" panel: the script runner (its own chunk; registered in app/context-panels.ts). */
export const ScriptPanel = lazy(() => import('./ScriptPanel.js'));
