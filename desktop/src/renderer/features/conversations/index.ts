/**
 * The public door of features/conversations: the inbox slice and its listeners (for the store),
 * accepting the oldest offer (the shell's shortcut), the workspace page, and the "Conversation
 * details" context panel (registered in app/context-panels.ts).
 */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const ConversationsPage = lazy(() => import('./ConversationsPage.js'));
/** The context pane's details panel (its own chunk). */
export const ConversationDetailsPanel = lazy(() => import('./ConversationDetailsPanel.js'));
export { inboxSlice, type InboxState } from './inbox-slice.js';
export { registerInboxListeners } from './inbox-live.js';
export { acceptOldestOffer, conversationAction, sendMessage } from './inbox-actions.js';
export { focusComposerSoon, hasComposer } from './focus.js';
export { CHANNEL_LABELS, STATE_LABELS } from './labels.js';
export { FALLBACK_SETTINGS, conversationsApi, useGetColleaguesQuery, useGetConversationSettingsQuery, useGetMyQuickRepliesQuery, useSaveMyQuickRepliesMutation } from './conversations-api.js';
