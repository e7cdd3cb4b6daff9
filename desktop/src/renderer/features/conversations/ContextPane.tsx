/**
 * The conversation view's third pane: the context panels registered for the user's role
 * (app/context-panels.ts, provided through ContextPanelsContext), each a collapsible section with
 * the panel in its own chunk and error boundary. With no conversation selected it says so. Another
 * feature may ask for a panel (`common/context-requests.ts`, e.g. a script's macro): the pane then
 * opens (narrow screens), expands that section, scrolls to it and puts the focus on its heading.
 */
import { Suspense, useId } from 'react';
import { useContextPanelOpener } from '../../common/context-requests.js';
import { ErrorBoundary } from '../../common/ErrorBoundary.js';
import { useContextPanels, type ContextPanel, type ContextPanelProps } from '../../common/context-panels.js';

interface Props {
  id: string;
  role: string;
  /** The conversation on screen, or null. */
  selected: ContextPanelProps | null;
  /** Sections the user folded, by panel id (kept by the page across conversations). */
  collapsed: Readonly<Record<string, boolean>>;
  onToggle(panelId: string): void;
  /** Another feature asked for this panel: show the pane and expand the section. */
  onReveal(panelId: string): void;
  /** On a narrow screen the pane shows only when asked for. */
  narrowOpen: boolean;
}

export function ContextPane({ id, role, selected, collapsed, onToggle, onReveal, narrowOpen }: Props) {
  const panels = useContextPanels(role);
  const titleId = useId();
  useContextPanelOpener((panelId, conversationId) => {
    if (!selected || selected.conversationId !== conversationId || !panels.some((p) => p.id === panelId)) return false;
    onReveal(panelId);
    // After the section is shown and expanded.
    requestAnimationFrame(() => {
      const toggle = document.querySelector<HTMLButtonElement>(`#context-${panelId}-heading button`);
      toggle?.scrollIntoView({ block: 'start', behavior: 'smooth' });
      toggle?.focus({ preventScroll: true });
    });
    return true;
  });
  return (
    <aside id={id} className={`pane pane-context${narrowOpen ? '' : ' narrow-closed'}`} aria-labelledby={titleId}>
      <h2 id={titleId} className="pane-title">
        Conversation context
      </h2>
      {!selected ? (
        <div className="context-empty">
          <p className="empty-title">No conversation selected</p>
          <p className="muted small">Open a conversation to see what the desk knows about it here.</p>
        </div>
      ) : panels.length === 0 ? (
        <p className="muted small">No context panels for your role yet.</p>
      ) : (
        panels.map((panel) => <ContextSection key={panel.id} panel={panel} selected={selected} collapsed={collapsed[panel.id] === true} onToggle={() => onToggle(panel.id)} />)
      )}
    </aside>
  );
}

function ContextSection({ panel, selected, collapsed, onToggle }: { panel: ContextPanel; selected: ContextPanelProps; collapsed: boolean; onToggle(): void }) {
  const headingId = `context-${panel.id}-heading`;
  const bodyId = `context-${panel.id}`;
  const { Panel } = panel;
  return (
    <section className="context-section" aria-labelledby={headingId}>
      <h3 id={headingId} className="context-heading">
        <button type="button" className="context-toggle" aria-expanded={!collapsed} aria-controls={bodyId} onClick={onToggle}>
          {panel.title}
        </button>
      </h3>
      <div id={bodyId} className="context-body" hidden={collapsed}>
        <ErrorBoundary key={selected.conversationId} what={panel.title}>
          <Suspense
            fallback={
              <p className="loading small" role="status">
                Loading…
              </p>
            }
          >
            <Panel {...selected} />
          </Suspense>
        </ErrorBoundary>
      </div>
    </section>
  );
}
