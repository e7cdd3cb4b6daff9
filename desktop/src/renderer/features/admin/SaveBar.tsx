/** The save row under a settings form: Save, Discard, what happened, and the server's field issues. */
import type { ClinicSettingSection } from '@carebridge/server/contracts';
import { InlineError } from '../../common/InlineError.js';
import type { SectionEditor } from './use-section.js';

interface Props<S extends ClinicSettingSection> {
  editor: SectionEditor<S>;
  label: string;
  /** Turns a field path from the server into words (e.g. the queue's name instead of `queues.1`). */
  describePath?(path: string): string;
  /** A client-side problem to show instead of saving. */
  blocked?: string | null;
}

export function SaveBar<S extends ClinicSettingSection>({ editor, label, describePath = (p) => p, blocked }: Props<S>) {
  const { problem, notice, dirty, saving, view } = editor;
  return (
    <div className="admin-savebar">
      <div className="row">
        <button type="submit" className="button primary" disabled={saving || !dirty || Boolean(blocked)}>
          {saving ? 'Saving…' : label}
        </button>
        <button type="button" className="button ghost" disabled={saving || !dirty} onClick={editor.reload}>
          Discard changes
        </button>
        <span className="muted small">
          {dirty ? 'Unsaved changes. ' : ''}
          {view ? (view.updatedBy ? `Last saved by ${view.updatedBy}, ${new Date(view.updatedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}.` : 'From the configuration file (never changed here).') : ''}
        </span>
      </div>
      <p role="status" className="admin-notice">
        {notice ?? ''}
      </p>
      {blocked ? <InlineError message={blocked} /> : null}
      {problem ? (
        <div role="alert" className="inline-error admin-problem">
          <p>{problem.issues.length > 0 ? 'Not saved: fix these first.' : problem.message}</p>
          {problem.issues.length > 0 ? (
            <ul>
              {problem.issues.map((issue, i) => (
                <li key={i}>
                  {describePath(issue.path)}: {issue.message}
                </li>
              ))}
            </ul>
          ) : null}
          {problem.stale ? (
            <button type="button" className="button" onClick={editor.reload}>
              Reload the saved settings
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
