/**
 * The conversation view's third pane: the context panels registered for the user's role
 * (app/context-panels.ts, provided through ContextPanelsContext), each a collapsible section with
 * the panel in its own chunk and error boundary. With no conversation selected it says so.
 */
import { Suspense, useId } from 'react';
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
  /** On a narrow screen the pane shows only when asked for. */
  narrowOpen: boolean;
}

export function ContextPane({ id, role, selected, collapsed, onToggle, narrowOpen }: Props) {
  const panels = useContextPanels(role);
  const titleId = useId();
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
