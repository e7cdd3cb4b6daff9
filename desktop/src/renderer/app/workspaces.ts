/**
 * The workspaces of the desk and who sees each. Each page comes from its feature's `index.ts` as a
 * `lazy()` component, so it loads in a chunk of its own and the initial bundle holds only the shell.
 */
import type { ComponentType, LazyExoticComponent } from 'react';
import type { STAFF_ROLES } from '@carebridge/server/contracts';
import { AdminPage } from '../features/admin/index.js';
import { BotStudioPage } from '../features/bot-studio/index.js';
import { ConversationsPage } from '../features/conversations/index.js';
import { HistoryPage } from '../features/history/index.js';
import { InsightsPage } from '../features/insights/index.js';
import { KnowledgePage } from '../features/knowledge/index.js';
import { OutreachPage } from '../features/outreach/index.js';
import { PatientsPage } from '../features/patients/index.js';
import { ScriptsPage } from '../features/scripts/index.js';
import { SettingsPage } from '../features/settings/index.js';
import { SupervisorPage } from '../features/supervisor/index.js';

export type StaffRole = (typeof STAFF_ROLES)[number];

export interface Workspace {
  id: string;
  label: string;
  roles: readonly StaffRole[] | 'everyone';
  Page: LazyExoticComponent<ComponentType>;
}

export const WORKSPACES: readonly Workspace[] = [
  { id: 'conversations', label: 'Conversations', roles: ['agent', 'supervisor'], Page: ConversationsPage },
  { id: 'patients', label: 'Patients', roles: ['agent', 'supervisor', 'practitioner'], Page: PatientsPage },
  { id: 'history', label: 'History', roles: ['agent', 'supervisor', 'admin'], Page: HistoryPage },
  { id: 'supervisor', label: 'Supervisor', roles: ['supervisor', 'admin'], Page: SupervisorPage },
  { id: 'insights', label: 'Insights', roles: ['supervisor', 'admin'], Page: InsightsPage },
  { id: 'knowledge', label: 'Knowledge', roles: ['agent', 'supervisor', 'practitioner', 'admin'], Page: KnowledgePage },
  { id: 'scripts', label: 'Scripts', roles: ['agent', 'supervisor'], Page: ScriptsPage },
  { id: 'outreach', label: 'Outreach', roles: ['outreach', 'admin'], Page: OutreachPage },
  { id: 'bot-studio', label: 'Bot studio', roles: ['bot-author', 'admin'], Page: BotStudioPage },
  { id: 'admin', label: 'Admin', roles: ['admin', 'supervisor'], Page: AdminPage },
  { id: 'settings', label: 'Settings', roles: 'everyone', Page: SettingsPage },
];

export function workspacesFor(role: string): Workspace[] {
  return WORKSPACES.filter((w) => w.roles === 'everyone' || (w.roles as readonly string[]).includes(role));
}
