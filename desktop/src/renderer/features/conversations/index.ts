/**
 * The public door of features/conversations: the inbox slice and its listeners (for the store),
 * accepting the oldest offer (the shell's shortcut), and the workspace page.
 */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const ConversationsPage = lazy(() => import('./ConversationsPage.js'));
export { inboxSlice, type InboxState } from './inbox-slice.js';
export { registerInboxListeners } from './inbox-live.js';
export { acceptOldestOffer } from './inbox-actions.js';
