import { useId, useState } from 'react';
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
    </section>
  );
}
