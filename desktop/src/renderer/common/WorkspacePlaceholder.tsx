import type { ReactNode } from 'react';

interface Props {
  title: string;
  /** What this workspace will be for. */
  purpose: string;
  /** The issue/feature that brings it. */
  arrivesWith: string;
  children?: ReactNode;
}

/** A workspace whose feature has not landed yet: its heading, what it is for, and an empty state. */
export function WorkspacePlaceholder({ title, purpose, arrivesWith, children }: Props) {
  return (
    <section className="workspace" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">{title}</h1>
        <p className="muted">{purpose}</p>
      </header>
      <div className="empty-state" role="note" aria-label={`${title} is coming`}>
        <div className="empty-icon" aria-hidden="true" />
        <p className="empty-title">Nothing here yet</p>
        <p className="muted">This workspace arrives with {arrivesWith}.</p>
      </div>
      {children}
    </section>
  );
}
