/**
 * Queues and hours: each queue's name, required skills, opening hours per weekday (one or more
 * windows), time zone, holidays, overflow and out-of-hours message, plus the offer timeout and the
 * default capacity. Saved as the whole routing section; routing applies it at once (a queue that
 * still has conversations cannot be removed: the server says so and nothing changes).
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import type { WEEKDAYS } from '@carebridge/server/contracts';
import { HANDOFF_QUEUES, ROUTING_SKILLS, type BusinessHours, type QueueConfig, type RoutingConfig } from '@carebridge/server/contracts';
import { SaveBar } from './SaveBar.js';
import { useSection } from './use-section.js';

const DAY_NAMES: Record<(typeof WEEKDAYS)[number], string> = { sun: 'Sunday', mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday' };
/** Monday first, as clinics write their hours. */
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const SKILL_LABELS: Record<string, string> = { scheduling: 'Scheduling', billing: 'Billing', 'nurse-line': 'Nurse line', pharmacy: 'Pharmacy', general: 'General', spanish: 'Spanish' };

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'America/New_York';
const defaultHours = (): BusinessHours => ({
  timeZone: browserZone(),
  weekly: { mon: [{ open: '08:00', close: '18:00' }], tue: [{ open: '08:00', close: '18:00' }], wed: [{ open: '08:00', close: '18:00' }], thu: [{ open: '08:00', close: '18:00' }], fri: [{ open: '08:00', close: '18:00' }] },
  holidays: [],
});
const slug = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);

export default function QueuesTab() {
  const editor = useSection('routing');
  const [selected, setSelected] = useState<string | null>(null);
  const [newHoliday, setNewHoliday] = useState('');
  const ids = { queue: useId(), name: useId(), zone: useId(), zones: useId(), overflow: useId(), after: useId(), message: useId(), timeout: useId(), capacity: useId(), holiday: useId(), kept: useId(), priority: useId() };
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), []);
  const config = editor.draft as RoutingConfig | undefined;
  const stored = new Set((editor.view?.value as RoutingConfig | undefined)?.queues.map((q) => q.id) ?? []);

  if (editor.loading || !config) return editor.loadError ? <p role="alert" className="inline-error">{editor.loadError}</p> : <p className="loading" role="status">Loading queues…</p>;

  const queue = config.queues.find((q) => q.id === selected) ?? config.queues[0]!;
  const setConfig = (patch: Partial<RoutingConfig>) => editor.setDraft({ ...config, ...patch });
  const setQueue = (patch: Partial<QueueConfig>) => setConfig({ queues: config.queues.map((q) => (q.id === queue.id ? { ...q, ...patch } : q)) });
  const setHours = (hours: BusinessHours | null) => setQueue({ businessHours: hours });
  const hours = queue.businessHours;
  const botQueue = (HANDOFF_QUEUES as readonly string[]).includes(queue.id);
  const nameOf = (id: string) => config.queues.find((q) => q.id === id)?.name ?? id;

  const addQueue = () => {
    let id = 'new-queue';
    for (let n = 2; config.queues.some((q) => q.id === id); n++) id = `new-queue-${n}`;
    const created: QueueConfig = { id, name: 'New queue', skills: ['general'], businessHours: defaultHours(), outOfHoursMessage: 'We are closed right now. Please leave a message or try again during opening hours.' };
    setConfig({ queues: [...config.queues, created] });
    setSelected(id);
  };
  const removeQueue = () => {
    const rest = config.queues.filter((q) => q.id !== queue.id).map((q) => (q.overflowTo === queue.id ? { ...q, overflowTo: undefined, overflowAfterMs: undefined } : q));
    setConfig({ queues: rest });
    setSelected(rest[0]?.id ?? null);
  };
  const describePath = (path: string) => {
    const match = /^queues\.(\d+)\.?(.*)$/.exec(path);
    if (!match) return path;
    const q = config.queues[Number(match[1])];
    return `${q ? `Queue “${q.name}”` : 'A queue'}${match[2] ? ` — ${match[2]}` : ''}`;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void editor.save();
  };
  const blocked = config.queues.some((q) => q.skills.length === 0) ? 'Every queue needs at least one skill.' : null;

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Queues and hours">
      <div className="card">
        <div className="row admin-queue-picker">
          <div className="field grow">
            <label htmlFor={ids.queue}>Queue to edit</label>
            <select id={ids.queue} className="input" value={queue.id} onChange={(e) => setSelected(e.target.value)}>
              {config.queues.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="button" onClick={addQueue}>
            Add a queue
          </button>
          <button type="button" className="button ghost danger-text" disabled={botQueue} aria-describedby={botQueue ? ids.kept : undefined} onClick={removeQueue}>
            Remove {queue.name}
          </button>
        </div>
        {botQueue ? (
          <p id={ids.kept} className="muted small">
            The health bot hands chats to this queue, so it stays; change its hours or skills instead.
          </p>
        ) : null}
        <div className="admin-grid">
          <div className="field">
            <label htmlFor={ids.name}>Name</label>
            <input
              id={ids.name}
              className="input"
              maxLength={100}
              required
              value={queue.name}
              onChange={(e) => {
                const name = e.target.value;
                // A queue not saved yet takes its id from its name.
                if (!stored.has(queue.id) && slug(name) && !config.queues.some((q) => q.id === slug(name) && q !== queue)) {
                  const id = slug(name);
                  setConfig({ queues: config.queues.map((q) => (q.id === queue.id ? { ...q, name, id } : q)) });
                  setSelected(id);
                } else setQueue({ name });
              }}
            />
            <span className="muted small">Id: {queue.id}</span>
          </div>
          <fieldset className="field">
            <legend>Skills an agent needs (all of them)</legend>
            <div className="admin-checks">
              {ROUTING_SKILLS.map((skill) => (
                <label key={skill} className="check">
                  <input
                    type="checkbox"
                    checked={queue.skills.includes(skill)}
                    onChange={(e) => setQueue({ skills: e.target.checked ? [...queue.skills, skill] : queue.skills.filter((s) => s !== skill) })}
                  />
                  {SKILL_LABELS[skill] ?? skill}
                </label>
              ))}
            </div>
          </fieldset>
        </div>
      </div>

      <fieldset className="card admin-hours">
        <legend className="card-title">Opening hours of {queue.name}</legend>
        <label className="check">
          <input type="checkbox" checked={hours === null} onChange={(e) => setHours(e.target.checked ? null : defaultHours())} />
          Open around the clock
        </label>
        {hours ? (
          <>
            <div className="field">
              <label htmlFor={ids.zone}>Time zone</label>
              <input id={ids.zone} className="input" list={ids.zones} value={hours.timeZone} onChange={(e) => setHours({ ...hours, timeZone: e.target.value })} />
              <datalist id={ids.zones}>
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </div>
            <table className="data-table admin-week">
              <caption className="visually-hidden">Opening hours by weekday</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Hours</th>
                </tr>
              </thead>
              <tbody>
                {WEEK.map((day) => (
                  <DayRow key={day} day={day} hours={hours} onChange={setHours} />
                ))}
              </tbody>
            </table>
            <div className="field">
              <span id={ids.holiday} className="label">
                Closed all day on
              </span>
              {hours.holidays.length === 0 ? <p className="muted small">No holidays.</p> : null}
              <ul className="admin-chips" aria-labelledby={ids.holiday}>
                {[...hours.holidays].sort().map((date) => (
                  <li key={date} className="admin-chip">
                    <time dateTime={date}>{new Date(`${date}T12:00:00`).toLocaleDateString([], { dateStyle: 'medium' })}</time>
                    <button type="button" className="chip-remove" aria-label={`Remove the holiday ${date}`} onClick={() => setHours({ ...hours, holidays: hours.holidays.filter((d) => d !== date) })}>
                      ×
                    </button>
                  </li>
                ))}
              </ul>
              <div className="row">
                <input type="date" className="input narrow-date" aria-label="Holiday to add" value={newHoliday} onChange={(e) => setNewHoliday(e.target.value)} />
                <button
                  type="button"
                  className="button"
                  disabled={!newHoliday || hours.holidays.includes(newHoliday)}
                  onClick={() => {
                    setHours({ ...hours, holidays: [...hours.holidays, newHoliday] });
                    setNewHoliday('');
                  }}
                >
                  Add holiday
                </button>
              </div>
            </div>
          </>
        ) : (
          <p className="muted small">Chats are routed at any hour, every day.</p>
        )}
        <div className="field">
          <label htmlFor={ids.message}>Message when closed</label>
          <textarea id={ids.message} className="input textarea short" maxLength={1000} value={queue.outOfHoursMessage} onChange={(e) => setQueue({ outOfHoursMessage: e.target.value })} />
        </div>
      </fieldset>

      <div className="card admin-grid">
        <div className="field">
          <label htmlFor={ids.overflow}>When nobody takes a chat, also offer it to</label>
          <select
            id={ids.overflow}
            className="input"
            value={queue.overflowTo ?? ''}
            onChange={(e) => setQueue(e.target.value ? { overflowTo: e.target.value, overflowAfterMs: queue.overflowAfterMs ?? 120_000 } : { overflowTo: undefined, overflowAfterMs: undefined })}
          >
            <option value="">Nobody else (no overflow)</option>
            {config.queues
              .filter((q) => q.id !== queue.id)
              .map((q) => (
                <option key={q.id} value={q.id}>
                  {nameOf(q.id)}
                </option>
              ))}
          </select>
        </div>
        {queue.overflowTo ? (
          <div className="field">
            <label htmlFor={ids.after}>after waiting (minutes)</label>
            <input
              id={ids.after}
              className="input narrow"
              type="number"
              min={0}
              max={1440}
              step={0.5}
              value={(queue.overflowAfterMs ?? 0) / 60_000}
              onChange={(e) => setQueue({ overflowAfterMs: Math.round(Number(e.target.value) * 60_000) })}
            />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.priority}>Priority of {queue.name} chats</label>
          <select id={ids.priority} className="input" value={String(queue.priority ?? 2)} onChange={(e) => setQueue({ priority: Number(e.target.value) })}>
            <option value="0">Urgent (served first)</option>
            <option value="1">High</option>
            <option value="2">Normal</option>
            <option value="3">Low</option>
          </select>
          <span className="muted small">A red flag from the health bot always makes a chat urgent.</span>
        </div>
        <div className="field">
          <label htmlFor={ids.timeout}>Seconds an agent has to accept an offer (all queues)</label>
          <input id={ids.timeout} className="input narrow" type="number" min={1} max={600} value={config.offerTimeoutMs / 1000} onChange={(e) => setConfig({ offerTimeoutMs: Math.round(Number(e.target.value) * 1000) })} />
        </div>
        <div className="field">
          <label htmlFor={ids.capacity}>Chats at once for an agent with no capacity set</label>
          <input id={ids.capacity} className="input narrow" type="number" min={1} max={10} value={config.defaultCapacity} onChange={(e) => setConfig({ defaultCapacity: Math.round(Number(e.target.value)) })} />
        </div>
      </div>
      <SaveBar editor={editor} label="Save queues and hours" describePath={describePath} blocked={blocked} />
    </form>
  );
}

/** One weekday: closed, or its opening windows with add and remove. */
function DayRow({ day, hours, onChange }: { day: (typeof WEEK)[number]; hours: BusinessHours; onChange(next: BusinessHours): void }) {
  const windows = hours.weekly[day] ?? [];
  const name = DAY_NAMES[day];
  const setWindows = (next: { open: string; close: string }[]) => {
    const weekly = { ...hours.weekly };
    if (next.length === 0) delete weekly[day];
    else weekly[day] = next;
    onChange({ ...hours, weekly });
  };
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <div className="admin-windows">
          {windows.length === 0 ? <span className="muted">Closed</span> : null}
          {windows.map((w, i) => {
            const suffix = windows.length > 1 ? ` (${i + 1})` : '';
            return (
              <span key={i} className="admin-window">
                <input type="time" className="input time" aria-label={`${name} opens${suffix}`} value={w.open} onChange={(e) => setWindows(windows.map((x, j) => (j === i ? { ...x, open: e.target.value } : x)))} />
                <span aria-hidden="true">–</span>
                <input
                  type="time"
                  className="input time"
                  aria-label={`${name} closes${suffix}`}
                  value={w.close === '24:00' ? '23:59' : w.close}
                  onChange={(e) => setWindows(windows.map((x, j) => (j === i ? { ...x, close: e.target.value === '23:59' ? '24:00' : e.target.value } : x)))}
                />
                <button type="button" className="chip-remove" aria-label={`Remove ${name} ${w.open}–${w.close}`} onClick={() => setWindows(windows.filter((_, j) => j !== i))}>
                  ×
                </button>
              </span>
            );
          })}
          <button
            type="button"
            className="button ghost small-button"
            disabled={windows.length >= 8}
            onClick={() => setWindows([...windows, windows.length === 0 ? { open: '08:00', close: '18:00' } : { open: '18:00', close: '20:00' }])}
          >
            {windows.length === 0 ? `Open on ${name}` : `Add hours on ${name}`}
          </button>
        </div>
      </td>
    </tr>
  );
}
