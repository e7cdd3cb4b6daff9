/**
 * The public door of features/knowledge: the Knowledge workspace (search, read; editors write,
 * review, publish and restore) and the conversation view's "Knowledge" context panel.
 */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const KnowledgePage = lazy(() => import('./KnowledgePage.js'));
/** The context pane's Knowledge panel, in a chunk of its own (registered in app/context-panels.ts). */
export const KnowledgePanel = lazy(() => import('./KnowledgePanel.js'));
