/**
 * The bot's string table: every key (`stringId` of a step, or a `customLocalizedStrings` key scripts
 * read) with its en-US and es-US text side by side; filter, edit, add a key, save what changed
 * (`PUT /api/bot/strings`, in force for the next bot message). A key with no es-US text falls back
 * to en-US. Empty texts are not saved, and keys are not deleted here (a scenario may still name them).
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { BOT_LOCALES, type StringTables } from '@carebridge/server/contracts/bot';
import { useAppDispatch } from '../../app/hooks.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { InlineError } from '../../common/InlineError.js';
import { problemOf, useGetStringsQuery, useSaveStringsMutation } from './bot-studio-api.js';

const SHOWN = 60;
type Edits = Record<string, Partial<Record<(typeof BOT_LOCALES)[number], string>>>;

export default function StringsEditor() {
  const dispatch = useAppDispatch();
  const strings = useGetStringsQuery();
  const [save, saving] = useSaveStringsMutation();
  const [edits, setEdits] = useState<Edits>({});
  const [added, setAdded] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const [newKey, setNewKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const filterId = useId();
  const newKeyId = useId();

  const tables: StringTables = strings.data?.strings ?? {};
  const keys = useMemo(() => {
    const all = new Set<string>(added);
    for (const locale of BOT_LOCALES) for (const key of Object.keys(tables[locale] ?? {})) all.add(key);
    return [...all].sort();
  }, [tables, added]);
  const q = filter.trim().toLowerCase();
  const matching = q === '' ? keys : keys.filter((k) => k.toLowerCase().includes(q) || BOT_LOCALES.some((l) => (tables[l]?.[k] ?? '').toLowerCase().includes(q)));
  const changed = Object.entries(edits).filter(([key, byLocale]) => BOT_LOCALES.some((l) => byLocale[l] !== undefined && byLocale[l] !== (tables[l]?.[key] ?? '')));

  const valueOf = (key: string, locale: (typeof BOT_LOCALES)[number]) => edits[key]?.[locale] ?? tables[locale]?.[key] ?? '';
  const edit = (key: string, locale: (typeof BOT_LOCALES)[number], value: string) => setEdits((e) => ({ ...e, [key]: { ...e[key], [locale]: value } }));

  const onSave = async () => {
    setProblem(null);
    const body: StringTables = {};
    for (const [key, byLocale] of changed) {
      for (const locale of BOT_LOCALES) {
        const value = byLocale[locale];
        // An empty text is not saved: the key keeps its text, or (Spanish) falls back to English.
        if (value === undefined || value.trim() === '' || value === (tables[locale]?.[key] ?? '')) continue;
        (body[locale] ??= {})[key] = value;
      }
    }
    if (Object.keys(body).length === 0) {
      setProblem('Nothing to save: write a text (an empty one is not saved).');
      return;
    }
    const result = await save({ strings: body });
    if ('error' in result) {
      setProblem(problemOf(result.error, 'save the strings'));
      return;
    }
    setEdits({});
    setAdded([]);
    dispatch(statusShown(`${changed.length === 1 ? '1 string' : `${changed.length} strings`} saved: in force from the bot’s next message.`));
  };
  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    const key = newKey.trim();
    if (key === '' || key.length > 300) return setProblem('A key is 1 to 300 characters.');
    if (keys.includes(key)) return setProblem(`The key ${key} is already in the table.`);
    setProblem(null);
    setAdded((a) => [...a, key]);
    setFilter(key);
    setNewKey('');
  };

  if (strings.isLoading) {
    return (
      <p className="loading" role="status">
        Loading the strings…
      </p>
    );
  }
  if (strings.error) {
    return (
      <div>
        <InlineError message={problemOf(strings.error, 'load the strings')} />
        <button type="button" className="button" onClick={() => void strings.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <div className="bot-strings">
      <p className="muted">A step with a <code>stringId</code> says this text in the patient’s language; a key with no Spanish text uses the English one.</p>
      <div className="bot-toolbar">
        <div className="field inline">
          <label htmlFor={filterId}>Filter strings</label>
          <input id={filterId} className="input" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Key or text" />
        </div>
        <form className="field inline" onSubmit={onAdd}>
          <label htmlFor={newKeyId}>New key</label>
          <input id={newKeyId} className="input" value={newKey} maxLength={300} onChange={(e) => setNewKey(e.target.value)} />
          <button type="submit" className="button">
            Add key
          </button>
        </form>
      </div>
      {keys.length === 0 ? (
        <div className="context-empty">
          <p className="empty-title">No strings yet</p>
          <p className="muted">Add a key, or import a scenario with its string table.</p>
        </div>
      ) : matching.length === 0 ? (
        <p className="muted" role="status">
          No string matches “{filter.trim()}”.
        </p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Strings table">
          <table className="table bot-strings-table">
            <caption className="visually-hidden">Strings by key, in English and Spanish</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">English (en-US)</th>
                <th scope="col">Spanish (es-US)</th>
              </tr>
            </thead>
            <tbody>
              {matching.slice(0, SHOWN).map((key) => (
                <tr key={key}>
                  <th scope="row">
                    <code>{key}</code>
                  </th>
                  {BOT_LOCALES.map((locale) => (
                    <td key={locale}>
                      <textarea className="textarea" rows={2} aria-label={`${key}, ${locale === 'en-US' ? 'English' : 'Spanish'}`} value={valueOf(key, locale)} maxLength={20_000} onChange={(e) => edit(key, locale, e.target.value)} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {matching.length > SHOWN ? <p className="muted small">Showing {SHOWN} of {matching.length}: filter to find the others.</p> : null}
        </div>
      )}
      <InlineError message={problem} />
      <div className="form-actions">
        <button type="button" className="button primary" disabled={changed.length === 0 || saving.isLoading} onClick={() => void onSave()}>
          {changed.length === 0 ? 'Save strings' : `Save ${changed.length} ${changed.length === 1 ? 'string' : 'strings'}`}
        </button>
        {changed.length > 0 ? (
          <button type="button" className="button" onClick={() => setEdits({})}>
            Discard changes
          </button>
        ) : null}
      </div>
    </div>
  );
}
