import { useEffect, useId, useState, type FormEvent } from 'react';
import type { QuickReply } from '@carebridge/server/contracts';
import { QuickReplyEditor, repeatedShortcut } from '../../common/QuickReplyEditor.js';
import { selectUser } from '../../app/session/session-slice.js';
import { useGetMyQuickRepliesQuery, useSaveMyQuickRepliesMutation } from '../conversations/index.js';
import { InlineError } from '../../common/InlineError.js';
import type { SettingsPatch, Theme } from '../../../shared/ipc-contract.js';
import { getBridge } from '../../common/bridge.js';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { selectSettings, settingsLoaded } from '../../app/settings/settings-slice.js';

export default function SettingsPage() {
  const settings = useAppSelector(selectSettings);
  const dispatch = useAppDispatch();
  const [error, setError] = useState<string | null>(null);
  const [minutes, setMinutes] = useState(String(settings.inactivityMinutes));
  const role = useAppSelector(selectUser)?.role ?? '';
  const themeId = useId();
  const minutesId = useId();

  const update = async (patch: SettingsPatch) => {
    const result = await getBridge().settings.update(patch);
    if (result.ok) {
      dispatch(settingsLoaded(result.value));
      setError(null);
    } else {
      setError(result.error.message);
    }
  };

  return (
    <section className="workspace" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">Settings</h1>
        <p className="muted">Kept for you on this device.</p>
      </header>
      <InlineError message={error} />
      <div className="card settings">
        <div className="field">
          <label htmlFor={themeId}>Theme</label>
          <select id={themeId} className="input" value={settings.theme} onChange={(e) => void update({ theme: e.target.value as Theme })}>
            <option value="system">Same as the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </div>
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(minutes);
            if (!Number.isInteger(n) || n < 1 || n > 240) setError('Automatic sign-out must be between 1 and 240 minutes.');
            else void update({ inactivityMinutes: n });
          }}
        >
          <label htmlFor={minutesId}>Sign out after this many minutes without activity</label>
          <div className="row">
            <input id={minutesId} className="input narrow" type="number" min={1} max={240} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
            <button type="submit" className="button">
              Save
            </button>
          </div>
          <p className="muted small">A warning appears one minute before. Drafts are kept.</p>
        </form>
        <fieldset className="field">
          <legend>Notifications while Carebridge is in the background</legend>
          {(
            [
              ['offers', 'New conversation offers'],
              ['messages', 'New messages'],
              ['sound', 'Play a sound'],
            ] as const
          ).map(([key, label]) => (
            <label key={key} className="check">
              <input type="checkbox" checked={settings.notifications[key]} onChange={(e) => void update({ notifications: { [key]: e.target.checked } })} />
              {label}
            </label>
          ))}
        </fieldset>
      </div>
      {role === 'agent' || role === 'supervisor' ? <MyQuickReplies /> : null}
    </section>
  );
}

/** My own quick replies, kept on the server for me and offered in the composer before the clinic's. */
function MyQuickReplies() {
  const { data, isLoading, error } = useGetMyQuickRepliesQuery();
  const [save, { isLoading: saving }] = useSaveMyQuickRepliesMutation();
  const [draft, setDraft] = useState<QuickReply[] | null>(null);
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const titleId = useId();
  useEffect(() => {
    if (data && draft === null) setDraft(data);
  }, [data, draft]);
  const duplicate = draft ? repeatedShortcut(draft) : undefined;
  const dirty = draft !== null && JSON.stringify(draft) !== JSON.stringify(data ?? []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setNotice('');
    setProblem(null);
    const result = await save(draft);
    if ('error' in result) {
      const body = (result.error as { data?: { error?: { message?: string } } }).data?.error;
      setProblem(body?.message ?? 'Your quick replies could not be saved.');
    } else {
      setDraft(result.data);
      setNotice(`Saved: ${result.data.length} quick ${result.data.length === 1 ? 'reply' : 'replies'} of your own.`);
    }
  };
  return (
    <form className="card settings-quick-replies" aria-labelledby={titleId} onSubmit={(e) => void submit(e)}>
      <h2 id={titleId} className="card-title">
        My quick replies
      </h2>
      <p className="muted small">Only you see these. Type /q and the shortcut in a chat; yours come before the clinic’s, and take the place of one with the same shortcut.</p>
      {isLoading || draft === null ? (
        error ? <InlineError message="Your quick replies could not be loaded." /> : <p className="loading" role="status">Loading your quick replies…</p>
      ) : (
        <>
          <QuickReplyEditor replies={draft} onChange={(next) => { setDraft(next); setNotice(''); }} label="My quick replies" max={100} />
          <div className="row">
            <button type="submit" className="button primary" disabled={saving || !dirty || Boolean(duplicate)}>
              {saving ? 'Saving…' : 'Save my quick replies'}
            </button>
            {duplicate ? <span className="inline-error small">The shortcut “{duplicate}” is used twice.</span> : null}
          </div>
          <p role="status" className="admin-notice">
            {notice}
          </p>
          <InlineError message={problem} />
        </>
      )}
    </form>
  );
}
