/** The public door of features/history: the conversation history workspace (list, search, read-back). */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const HistoryPage = lazy(() => import('./HistoryPage.js'));
