/**
 * The slot for side panels in the conversation view's context pane (patient 360, agent scripts,
 * knowledge, smart assist, sentiment…). The list of panels is `app/context-panels.ts`; the shell
 * provides it through `ContextPanelsContext`, so the conversations feature renders whatever is
 * registered without importing the features that provide the panels.
 */
import { createContext, useContext, type ComponentType, type LazyExoticComponent } from 'react';
import type { ConversationView, HandoffPacket, STAFF_ROLES } from '@carebridge/server/contracts';

type StaffRole = (typeof STAFF_ROLES)[number];

/** What every panel is given about the conversation on screen (kept live by the inbox). */
export interface ContextPanelProps {
  conversationId: string;
  /** State, channel, queue, priority, patient id, participants… as the desk holds it now. */
  conversation: ConversationView;
  /** The bot's hand-off packet (intent, collected answers, triage), when the bot handed over. */
  packet: HandoffPacket | null;
}

export interface ContextPanel {
  /** Stable id: the section's DOM id and the key its open/closed state is kept under. */
  id: string;
  /** The section's heading and the accessible name of its toggle. */
  title: string;
  roles: readonly StaffRole[] | 'everyone';
  /** Position from the top; leave gaps (10, 20, …) so panels can go in between. */
  order: number;
  /** `lazy(() => import(...))` from the providing feature's index.ts: each panel is its own chunk. */
  Panel: LazyExoticComponent<ComponentType<ContextPanelProps>>;
  /**
   * Optional: something that must be seen above the transcript, not only in the side pane (smart
   * assist's red-flag banner). Rendered for the same roles; it renders nothing when there is nothing to
   * say. Not lazy: a suspending component above the transcript delays its commits and the transcript
   * stops following new messages.
   */
  Banner?: ComponentType<ContextPanelProps>;
  /** Optional: a word on each session tab (sentiment), for the same roles; nothing when there is nothing to say. */
  TabBadge?: ComponentType<{ conversationId: string }>;
}

export const ContextPanelsContext = createContext<readonly ContextPanel[]>([]);

/** The panels this role sees, in order. */
export function panelsFor(panels: readonly ContextPanel[], role: string): ContextPanel[] {
  return panels.filter((p) => p.roles === 'everyone' || (p.roles as readonly string[]).includes(role)).sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

export function useContextPanels(role: string): ContextPanel[] {
  const panels = useContext(ContextPanelsContext);
  return panelsFor(panels, role);
}
