/** The public door of features/knowledge. Knowledge: the knowledge-base workspace (placeholder). */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const KnowledgePage = lazy(() => import('./KnowledgePage.js'));
