/**
 * The workspaces of the desk and who sees each. Pages load lazily (their own chunks), so the
 * initial bundle holds only the shell.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { STAFF_ROLES } from '@carebridge/server/contracts';

type StaffRole = (typeof STAFF_ROLES)[number];

export interface Workspace {
  id: string;
  label: string;
  roles: readonly StaffRole[] | 'everyone';
  Page: LazyExoticComponent<ComponentType>;
}

export const WORKSPACES: readonly Workspace[] = [
  { id: 'conversations', label: 'Conversations', roles: ['agent', 'supervisor'], Page: lazy(() => import('../features/conversations/ConversationsPage.js')) },
  { id: 'supervisor', label: 'Supervisor', roles: ['supervisor', 'admin'], Page: lazy(() => import('../features/supervisor/SupervisorPage.js')) },
  { id: 'knowledge', label: 'Knowledge', roles: ['agent', 'supervisor', 'practitioner'], Page: lazy(() => import('../features/knowledge/KnowledgePage.js')) },
  { id: 'scripts', label: 'Scripts', roles: ['agent', 'supervisor'], Page: lazy(() => import('../features/scripts/ScriptsPage.js')) },
  { id: 'outreach', label: 'Outreach', roles: ['outreach', 'admin'], Page: lazy(() => import('../features/outreach/OutreachPage.js')) },
  { id: 'bot-studio', label: 'Bot studio', roles: ['bot-author', 'admin'], Page: lazy(() => import('../features/bot-studio/BotStudioPage.js')) },
  { id: 'settings', label: 'Settings', roles: 'everyone', Page: lazy(() => import('../features/settings/SettingsPage.js')) },
];

export function workspacesFor(role: string): Workspace[] {
  return WORKSPACES.filter((w) => w.roles === 'everyone' || (w.roles as readonly string[]).includes(role));
}
