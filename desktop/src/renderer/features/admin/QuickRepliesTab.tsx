/**
 * Quick replies: what agents insert with `/q <shortcut>` in the composer. Admins and supervisors
 * edit the clinic's list (supervisors may change nothing else in the conversations settings).
 */
import { useId, useState, type FormEvent } from 'react';
import type { ConversationSettings } from '@carebridge/server/contracts';
import { SaveBar } from './SaveBar.js';
import { useSection } from './use-section.js';

export default function QuickRepliesTab() {
  const editor = useSection('conversations');
  const [filter, setFilter] = useState('');
  const ids = { filter: useId(), list: useId() };
  const settings = editor.draft as ConversationSettings | undefined;
  if (editor.loading || !settings) return editor.loadError ? <p role="alert" className="inline-error">{editor.loadError}</p> : <p className="loading" role="status">Loading quick replies…</p>;

  const replies = settings.quickReplies;
  const set = (next: typeof replies) => editor.setDraft({ ...settings, quickReplies: next });
  const update = (i: number, patch: Partial<(typeof replies)[number]>) => set(replies.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const words = filter.trim().toLowerCase();
  const shown = replies.map((r, i) => ({ r, i })).filter(({ r }) => !words || `${r.shortcut} ${r.title} ${r.body}`.toLowerCase().includes(words));
  const shortcuts = replies.map((r) => r.shortcut);
  const duplicate = shortcuts.find((c, i) => c !== '' && shortcuts.indexOf(c) !== i);
  const describePath = (path: string) => {
    const m = /^quickReplies\.(\d+)\.?(.*)$/.exec(path);
    return m ? `Quick reply ${Number(m[1]) + 1}${replies[Number(m[1])]?.title ? ` “${replies[Number(m[1])]!.title}”` : ''}${m[2] ? ` (${m[2]})` : ''}` : path;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void editor.save();
  };

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Quick replies">
      <div className="card">
        <div className="row">
          <div className="field grow">
            <label htmlFor={ids.filter}>Find a quick reply</label>
            <input id={ids.filter} type="search" className="input" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="e.g. hours" />
          </div>
          <button
            type="button"
            className="button"
            disabled={replies.length >= 500}
            onClick={() => {
              setFilter('');
              set([...replies, { shortcut: '', title: '', body: '' }]);
            }}
          >
            Add a quick reply
          </button>
        </div>
        <h3 id={ids.list} className="visually-hidden">
          Quick replies
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
              <button type="button" className="button ghost small-button danger-text" aria-label={`Remove the quick reply ${r.title || r.shortcut || i + 1}`} onClick={() => set(replies.filter((_, j) => j !== i))}>
                Remove
              </button>
            </li>
          ))}
        </ol>
      </div>
      <SaveBar editor={editor} label="Save quick replies" describePath={describePath} blocked={duplicate ? `The shortcut “${duplicate}” is used twice.` : null} />
    </form>
  );
}
