/**
 * Language models: every model the bot recognizes intents with — the built-in one (read only: its
 * intents and the scenarios they start) and the authors' custom ones (RegEx patterns or trained
 * utterances), edited as JSON checked against the contract's schema and trained on save (the
 * held-out evaluation comes back). "Try an utterance" asks the recognizer what the bot would make of
 * a text.
 */
import { lazy, Suspense, useId, useMemo, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { customModelDefinitionSchema, languageModelIdSchema, type LanguageModelDetail, type LanguageModelSummary, type ModelEvaluation } from '@carebridge/server/contracts/language';
import { useAppDispatch } from '../../app/hooks.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import type { CodeMarker } from '../../common/CodeEditor.js';
import { InlineError } from '../../common/InlineError.js';
import { problemOf, useGetLanguageModelQuery, useListLanguageModelsQuery, useRecognizeMutation, useSaveLanguageModelMutation } from './bot-studio-api.js';

const CodeEditor = lazy(() => import('../../common/CodeEditor.js').then((m) => ({ default: m.CodeEditor })));

let modelSchema: object | undefined;
const modelJsonSchema = () => (modelSchema ??= z.toJSONSchema(customModelDefinitionSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }));

const NEW_MODEL = {
  kind: 'regex',
  name: 'My intents',
  description: 'What these intents are for.',
  enabled: true,
  intents: [{ intent: 'opening_hours', scenario: 'greeting', patterns: ['\\b(opening|open) hours\\b', '\\bwhen are you open\\b'] }],
};

export default function LanguageModels() {
  const list = useListLanguageModelsQuery();
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const models = list.data?.models ?? [];
  const current = creating ? null : (selected ?? models[0]?.id ?? null);

  return (
    <div className="bot-models">
      <TryUtterance />
      {list.isLoading ? (
        <p className="loading" role="status">
          Loading the language models…
        </p>
      ) : list.error ? (
        <div>
          <InlineError message={problemOf(list.error, 'load the language models')} />
          <button type="button" className="button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      ) : (
        <div className="bot-models-layout">
          <nav aria-label="Language models" className="scripts-list card">
            <ul>
              {models.map((m) => (
                <li key={m.id}>
                  <button
                    type="button"
                    className={`bot-model-link${m.id === current ? ' current' : ''}`}
                    aria-current={m.id === current ? 'true' : undefined}
                    onClick={() => {
                      setCreating(false);
                      setSelected(m.id);
                    }}
                  >
                    <span className="scripts-list-title">{m.name}</span>
                    <span className="muted small">{summaryLine(m)}</span>
                  </button>
                </li>
              ))}
            </ul>
            <button type="button" className="button" onClick={() => setCreating(true)} aria-pressed={creating}>
              New custom model
            </button>
          </nav>
          {creating ? <NewModel onCreated={(id) => (setCreating(false), setSelected(id))} /> : current ? <ModelView key={current} id={current} /> : <p className="muted">No language models.</p>}
        </div>
      )}
    </div>
  );
}

function summaryLine(m: LanguageModelSummary): string {
  const kind = m.kind === 'builtin' ? 'built-in' : m.kind === 'regex' ? 'RegEx' : 'trained';
  return `${kind} · ${m.intents.length} intents${m.kind === 'builtin' ? '' : ` · v${m.version}`}${m.enabled ? '' : ' · off'}`;
}

function ModelView({ id }: { id: string }) {
  const detail = useGetLanguageModelQuery(id);
  const headingId = useId();
  if (detail.isLoading) {
    return (
      <p className="loading" role="status">
        Loading the model…
      </p>
    );
  }
  const m = detail.data;
  if (!m) return <InlineError message={problemOf(detail.error, 'load the model') ?? 'Could not load the model.'} />;
  return (
    <article className="card bot-model" aria-labelledby={headingId}>
      <h3 id={headingId}>{m.name}</h3>
      <p className="muted">{m.description}</p>
      <p className="small">
        {summaryLine(m)}
        {m.updatedAt ? ` · saved ${new Date(m.updatedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}${m.updatedBy ? ` by ${m.updatedBy}` : ''}` : ''}
      </p>
      {m.kind === 'builtin' ? <IntentTable model={m} /> : <CustomModelEditor model={m} />}
      {m.evaluation ? <Evaluation evaluation={m.evaluation} /> : null}
    </article>
  );
}

function IntentTable({ model }: { model: LanguageModelDetail }) {
  return (
    <>
      <p className="muted small">Shipped with Carebridge (health-bot/language-models): read only here.</p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label={`Intents of ${model.name}`}>
        <table className="table">
          <caption className="visually-hidden">Intents of {model.name}</caption>
          <thead>
            <tr>
              <th scope="col">Intent</th>
              <th scope="col">Starts the scenario</th>
            </tr>
          </thead>
          <tbody>
            {model.intents.map((i) => (
              <tr key={i.intent}>
                <td>
                  <code>{i.intent}</code>
                </td>
                <td>{i.scenario ? <code>{i.scenario}</code> : <span className="muted">none (read by scenarios)</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function CustomModelEditor({ model }: { model: LanguageModelDetail }) {
  const saved = useMemo(() => `${JSON.stringify(model.definition, null, 2)}\n`, [model.definition]);
  return <ModelJsonEditor id={model.id} initial={saved} baseVersion={model.version} label={`Definition of ${model.name} (JSON)`} />;
}

function NewModel({ onCreated }: { onCreated(id: string): void }) {
  const [id, setId] = useState('');
  const idField = useId();
  const checked = languageModelIdSchema.safeParse(id);
  return (
    <article className="card bot-model" aria-label="New custom model">
      <h3>New custom model</h3>
      <div className="field">
        <label htmlFor={idField}>Model id</label>
        <input id={idField} className="input" value={id} maxLength={64} onChange={(e) => setId(e.target.value)} placeholder="clinic-intents" />
        {id !== '' && !checked.success ? <p className="inline-error">The id {checked.error.issues[0]?.message ?? 'is not valid'}.</p> : null}
      </div>
      <ModelJsonEditor id={checked.success ? checked.data : null} initial={`${JSON.stringify(NEW_MODEL, null, 2)}\n`} label="Definition of the new model (JSON)" onSaved={onCreated} />
    </article>
  );
}

function ModelJsonEditor({ id, initial, baseVersion, label, onSaved }: { id: string | null; initial: string; baseVersion?: number; label: string; onSaved?: (id: string) => void }) {
  const dispatch = useAppDispatch();
  const [text, setText] = useState(initial);
  const [save, saving] = useSaveLanguageModelMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const [evaluation, setEvaluation] = useState<ModelEvaluation | null>(null);
  const jsonSchema = useMemo(() => ({ path: `language-model-${id ?? 'new'}.json`, schema: modelJsonSchema() }), [id]);
  const parsed = useMemo(() => {
    try {
      return customModelDefinitionSchema.safeParse(JSON.parse(text) as unknown);
    } catch (err) {
      return { success: false as const, error: { issues: [{ path: [] as PropertyKey[], message: `Not valid JSON: ${(err as Error).message}` }] } };
    }
  }, [text]);
  const markers: CodeMarker[] = parsed.success ? [] : [{ line: 1, message: parsed.error.issues[0]?.message ?? 'Not a model definition.', severity: 'error' }];
  const onSave = async () => {
    if (!id || !parsed.success) return;
    setProblem(null);
    const result = await save({ id, body: { model: parsed.data, ...(baseVersion !== undefined ? { baseVersion } : {}) } });
    if ('error' in result) {
      const details = (result.error as { data?: { error?: { details?: { patterns?: { path: string; message: string }[] } } } }).data?.error?.details;
      setProblem([problemOf(result.error, 'save the model'), ...(details?.patterns ?? []).map((p) => `${p.path}: ${p.message}`)].filter(Boolean).join(' '));
      return;
    }
    setEvaluation(result.data.evaluation);
    dispatch(statusShown(`${result.data.name} saved as version ${result.data.version} and in force.`));
    onSaved?.(result.data.id);
  };
  const issue = parsed.success ? null : parsed.error.issues[0];
  return (
    <>
      <Suspense
        fallback={
          <p className="loading small" role="status">
            Loading the editor…
          </p>
        }
      >
        <CodeEditor value={text} onChange={setText} language="json" label={label} markers={markers} height={320} jsonSchema={jsonSchema} />
      </Suspense>
      {issue ? (
        <p className="inline-error" aria-live="polite">
          {issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}
          {issue.message}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="button primary" disabled={!id || !parsed.success || text === initial || saving.isLoading} onClick={() => void onSave()}>
          {saving.isLoading ? 'Training…' : 'Save and train'}
        </button>
      </div>
      <InlineError message={problem} />
      {evaluation ? <Evaluation evaluation={evaluation} /> : null}
    </>
  );
}

function Evaluation({ evaluation }: { evaluation: ModelEvaluation }) {
  return (
    <p className="small">
      Held-out evaluation: {evaluation.accuracy === null ? 'nothing held out' : `${Math.round(evaluation.accuracy * 100)}% of ${evaluation.heldOut} utterances recognized`} (trained on {evaluation.trained}).
    </p>
  );
}

function TryUtterance() {
  const [recognize, recognizing] = useRecognizeMutation();
  const [text, setText] = useState('');
  const [locale, setLocale] = useState<'en-US' | 'es-US'>('en-US');
  const textId = useId();
  const localeId = useId();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() !== '') void recognize({ text: text.trim(), locale });
  };
  const r = recognizing.data;
  return (
    <section className="card bot-try" aria-label="Try an utterance">
      <form className="bot-toolbar" onSubmit={onSubmit}>
        <div className="field inline">
          <label htmlFor={textId}>Try an utterance</label>
          <input id={textId} className="input" value={text} maxLength={2000} onChange={(e) => setText(e.target.value)} placeholder="i need to see a doctor" />
        </div>
        <div className="field inline">
          <label htmlFor={localeId}>in</label>
          <select id={localeId} className="input" value={locale} onChange={(e) => setLocale(e.target.value as 'en-US' | 'es-US')}>
            <option value="en-US">English</option>
            <option value="es-US">Spanish</option>
          </select>
        </div>
        <button type="submit" className="button" disabled={recognizing.isLoading || text.trim() === ''}>
          Recognize
        </button>
      </form>
      <div aria-live="polite">
        {r ? (
          <p className="small">
            {r.intent ? (
              <>
                Intent <code>{r.intent}</code> ({Math.round(r.score * 100)}%){r.scenario ? ` → scenario ${r.scenario}` : ''}
                {r.model ? `, from ${r.model}` : ''}
              </>
            ) : (
              <>No intent above the threshold ({Math.round(r.threshold * 100)}%){r.alternatives.length ? `; nearest: ${r.alternatives.map((a) => `${a.intent} ${Math.round(a.score * 100)}%`).join(', ')}` : ''}</>
            )}
            {r.entities.length ? `. Entities: ${r.entities.map((e) => `${e.type} “${e.text}”`).join(', ')}` : ''}
          </p>
        ) : null}
        <InlineError message={problemOf(recognizing.error, 'recognize the text')} />
      </div>
    </section>
  );
}
