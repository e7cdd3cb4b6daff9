/**
 * Wrap-up: the disposition codes agents close conversations with (code for reports, label for
 * people), whether one is required, and how many conversations an agent may hold at once.
 * Codes already used by closed conversations keep their history; a removed code can no longer be
 * chosen.
 */
import { useId, type FormEvent } from 'react';
import type { ConversationSettings } from '@carebridge/server/contracts';
import { SaveBar } from './SaveBar.js';
import { useSection } from './use-section.js';

const codeOf = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);

export default function WrapupTab() {
  const editor = useSection('conversations');
  const ids = { max: useId(), list: useId() };
  const settings = editor.draft as ConversationSettings | undefined;
  if (editor.loading || !settings) return editor.loadError ? <p role="alert" className="inline-error">{editor.loadError}</p> : <p className="loading" role="status">Loading wrap-up settings…</p>;

  const set = (patch: Partial<ConversationSettings>) => editor.setDraft({ ...settings, ...patch });
  const dispositions = settings.dispositions;
  const setDisposition = (i: number, patch: Partial<(typeof dispositions)[number]>) => set({ dispositions: dispositions.map((d, j) => (j === i ? { ...d, ...patch } : d)) });
  const move = (i: number, by: number) => {
    const next = [...dispositions];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item!);
    set({ dispositions: next });
  };
  const codes = dispositions.map((d) => d.code);
  const duplicate = codes.find((c, i) => codes.indexOf(c) !== i);
  const blocked = duplicate ? `The code “${duplicate}” is used twice: each disposition needs its own code.` : settings.requireDisposition && dispositions.length === 0 ? 'Add a disposition, or stop requiring one.' : null;
  const describePath = (path: string) => {
    const m = /^dispositions\.(\d+)\.?(.*)$/.exec(path);
    return m ? `Disposition ${Number(m[1]) + 1}${m[2] ? ` (${m[2]})` : ''}` : path;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void editor.save();
  };

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Wrap-up settings">
      <div className="card">
        <h3 id={ids.list} className="card-title">
          Dispositions
        </h3>
        {dispositions.length === 0 ? <p className="muted">No dispositions: agents close conversations without one.</p> : null}
        <ol className="admin-list" aria-labelledby={ids.list}>
          {dispositions.map((d, i) => (
            <li key={i} className="admin-list-item">
              <label className="field grow">
                <span>Label</span>
                <input
                  className="input"
                  maxLength={100}
                  required
                  value={d.label}
                  onChange={(e) => setDisposition(i, { label: e.target.value, ...(d.code === '' || d.code === codeOf(d.label) ? { code: codeOf(e.target.value) } : {}) })}
                />
              </label>
              <label className="field">
                <span>Code (for reports)</span>
                <input className="input code-input" maxLength={64} required pattern="[a-z0-9-]+" title="lower-case letters, digits and - only" value={d.code} onChange={(e) => setDisposition(i, { code: e.target.value })} />
              </label>
              <div className="row admin-item-actions">
                <button type="button" className="button ghost small-button" disabled={i === 0} aria-label={`Move ${d.label || 'this disposition'} up`} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" className="button ghost small-button" disabled={i === dispositions.length - 1} aria-label={`Move ${d.label || 'this disposition'} down`} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button type="button" className="button ghost small-button danger-text" aria-label={`Remove ${d.label || 'this disposition'}`} onClick={() => set({ dispositions: dispositions.filter((_, j) => j !== i) })}>
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ol>
        <div className="row">
          <button type="button" className="button" disabled={dispositions.length >= 100} onClick={() => set({ dispositions: [...dispositions, { code: '', label: '' }] })}>
            Add a disposition
          </button>
        </div>
        <label className="check">
          <input type="checkbox" checked={settings.requireDisposition} onChange={(e) => set({ requireDisposition: e.target.checked })} />
          Agents must choose a disposition to close a conversation
        </label>
      </div>
      <div className="card">
        <div className="field">
          <label htmlFor={ids.max}>Conversations an agent may have open at once (tabs)</label>
          <input id={ids.max} className="input narrow" type="number" min={1} max={10} value={settings.maxSessions} onChange={(e) => set({ maxSessions: Math.round(Number(e.target.value)) })} />
        </div>
      </div>
      <SaveBar editor={editor} label="Save wrap-up settings" describePath={describePath} blocked={blocked} />
    </form>
  );
}
