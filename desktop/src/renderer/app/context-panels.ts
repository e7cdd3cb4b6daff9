/**
 * The side panels of the conversation view's context pane, and who sees each (like
 * `workspaces.ts`). Each Panel is a `lazy()` component from its feature's index.ts and gets
 * `ContextPanelProps` (common/context-panels.ts). The shell provides this list to the page.
 *
 * Smart assist's panel also has a banner above the transcript; sentiment's a badge on each session tab.
 */
import type { ContextPanel } from '../common/context-panels.js';
import { ConversationDetailsPanel } from '../features/conversations/index.js';
import { Patient360Panel } from '../features/patients/index.js';
import { AppointmentsPanel } from '../features/scheduling/index.js';
import { ScriptPanel } from '../features/scripts/index.js';
import { KnowledgePanel } from '../features/knowledge/index.js';
import { RedFlagBanner, SmartAssistPanel } from '../features/assist/index.js';
import { SentimentBadge, SentimentPanel } from '../features/sentiment/index.js';

export const CONTEXT_PANELS: readonly ContextPanel[] = [
  { id: 'conversation-details', title: 'Conversation details', roles: ['agent', 'supervisor'], order: 10, Panel: ConversationDetailsPanel },
  { id: 'patient-360', title: 'Patient', roles: ['agent', 'supervisor'], order: 20, Panel: Patient360Panel },
  { id: 'appointments', title: 'Appointments', roles: ['agent', 'supervisor'], order: 25, Panel: AppointmentsPanel },
  { id: 'script', title: 'Script', roles: ['agent', 'supervisor'], order: 30, Panel: ScriptPanel },
  { id: 'knowledge', title: 'Knowledge', roles: ['agent', 'supervisor'], order: 40, Panel: KnowledgePanel },
  { id: 'smart-assist', title: 'Smart assist', roles: ['agent', 'supervisor'], order: 50, Panel: SmartAssistPanel, Banner: RedFlagBanner },
  { id: 'sentiment', title: 'Sentiment', roles: ['agent', 'supervisor'], order: 60, Panel: SentimentPanel, TabBadge: SentimentBadge },
];
