/**
 * An editable list of quick replies (shortcut, title, text) with a filter: the clinic's list in the
 * admin workspace and each agent's own in Settings. The caller owns the list and saving it.
 */
import { useId, useState } from 'react';
import type { QuickReply } from '@carebridge/server/contracts';

interface Props {
  replies: readonly QuickReply[];
  onChange(next: QuickReply[]): void;
  /** Names the list for screen readers, e.g. "My quick replies". */
  label: string;
  max: number;
}

export function QuickReplyEditor({ replies, onChange, label, max }: Props) {
  const [filter, setFilter] = useState('');
  const ids = { filter: useId(), list: useId() };
  const update = (i: number, patch: Partial<QuickReply>) => onChange(replies.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const words = filter.trim().toLowerCase();
  const shown = replies.map((r, i) => ({ r, i })).filter(({ r }) => !words || `${r.shortcut} ${r.title} ${r.body}`.toLowerCase().includes(words));
  return (
    <>
      <div className="row">
        <div className="field grow">
          <label htmlFor={ids.filter}>Find a quick reply</label>
          <input id={ids.filter} type="search" className="input" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="e.g. hours" />
        </div>
        <button
          type="button"
          className="button"
          disabled={replies.length >= max}
          onClick={() => {
            setFilter('');
            onChange([...replies, { shortcut: '', title: '', body: '' }]);
          }}
        >
          Add a quick reply
        </button>
      </div>
      <h3 id={ids.list} className="visually-hidden">
        {label}
      </h3>
      {shown.length === 0 ? <p className="muted">{replies.length === 0 ? 'No quick replies yet.' : `No quick reply matches “${filter.trim()}”.`}</p> : null}
      <ol className="admin-list" aria-labelledby={ids.list}>
        {shown.map(({ r, i }) => (
          <li key={i} className="admin-list-item quick-reply-item">
            <label className="field">
              <span>Shortcut</span>
              <input className="input code-input" maxLength={32} required pattern="[a-z0-9-]+" title="lower-case letters, digits and - only" value={r.shortcut} onChange={(e) => update(i, { shortcut: e.target.value })} />
            </label>
            <label className="field grow">
              <span>Title</span>
              <input className="input" maxLength={100} required value={r.title} onChange={(e) => update(i, { title: e.target.value })} />
            </label>
            <label className="field full">
              <span>Text</span>
              <textarea className="input textarea short" maxLength={4000} required value={r.body} onChange={(e) => update(i, { body: e.target.value })} />
            </label>
            <button type="button" className="button ghost small-button danger-text" aria-label={`Remove the quick reply ${r.title || r.shortcut || i + 1}`} onClick={() => onChange(replies.filter((_, j) => j !== i))}>
              Remove
            </button>
          </li>
        ))}
      </ol>
    </>
  );
}

/** The first shortcut used twice, if any (the server refuses such a list). */
export function repeatedShortcut(replies: readonly QuickReply[]): string | undefined {
  const shortcuts = replies.map((r) => r.shortcut);
  return shortcuts.find((c, i) => c !== '' && shortcuts.indexOf(c) !== i);
}
