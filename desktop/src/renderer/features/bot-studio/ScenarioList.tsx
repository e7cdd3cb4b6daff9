/**
 * The scenarios: name, trigger, published version, draft, last change; a search over name, trigger
 * and description; a new scenario (name and trigger, then the editor); import of an Azure Health
 * Bot export (a file, checked by the server: warnings and the step errors of a refusal are listed);
 * export (downloads the published version as Azure Health Bot writes it).
 */
import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { scenarioExportSchema, scenarioImportSchema, type ScenarioImportResponse, type ScenarioProblem, type ScenarioSummary } from '@carebridge/server/contracts/bot';
import { useAppDispatch } from '../../app/hooks.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { InlineError } from '../../common/InlineError.js';
import { Modal } from '../../common/Modal.js';
import { navigate } from '../../common/router.js';
import { problemOf, scenarioProblemsOf, useCreateScenarioMutation, useExportScenarioMutation, useImportScenarioMutation, useListScenariosQuery } from './bot-studio-api.js';
import { scenarioRoute } from './studio-state.js';

export function ScenarioList() {
  const list = useListScenariosQuery();
  const [query, setQuery] = useState('');
  const [creating, setCreating] = useState(false);
  const searchId = useId();
  const scenarios = useMemo(() => {
    const all = [...(list.data?.scenarios ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    const q = query.trim().toLowerCase();
    return q === '' ? all : all.filter((s) => `${s.name} ${s.trigger} ${s.description}`.toLowerCase().includes(q));
  }, [list.data, query]);

  return (
    <div className="bot-scenarios">
      <div className="bot-toolbar">
        <div className="field inline">
          <label htmlFor={searchId}>Search scenarios</label>
          <input id={searchId} className="input" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Name, trigger or description" />
        </div>
        <button type="button" className="button primary" onClick={() => setCreating(true)}>
          New scenario
        </button>
        <ImportButton />
      </div>
      {list.isLoading ? (
        <p className="loading" role="status">
          Loading scenarios…
        </p>
      ) : list.error ? (
        <div>
          <InlineError message={problemOf(list.error, 'load the scenarios')} />
          <button type="button" className="button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      ) : (list.data?.scenarios.length ?? 0) === 0 ? (
        <div className="context-empty">
          <p className="empty-title">No scenarios yet</p>
          <p className="muted">Create one, or import an export from Azure Health Bot.</p>
        </div>
      ) : scenarios.length === 0 ? (
        <p className="muted" role="status">
          No scenario matches “{query.trim()}”.
        </p>
      ) : (
        <ScenarioTable scenarios={scenarios} />
      )}
      {creating ? <NewScenarioDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}

function ScenarioTable({ scenarios }: { scenarios: readonly ScenarioSummary[] }) {
  const dispatch = useAppDispatch();
  const [exportScenario, exporting] = useExportScenarioMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const download = async (s: ScenarioSummary) => {
    setProblem(null);
    const result = await exportScenario({ id: s.id });
    if ('error' in result) {
      setProblem(problemOf(result.error, `export ${s.name}`));
      return;
    }
    const url = URL.createObjectURL(new Blob([`${JSON.stringify(result.data, null, 2)}\n`], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${s.trigger}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    dispatch(statusShown(`${s.name} exported as ${s.trigger}.json.`));
  };
  return (
    <>
      <InlineError message={problem} />
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Scenarios table">
        <table className="table bot-scenario-table">
          <caption className="visually-hidden">Scenarios</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Trigger</th>
              <th scope="col">Published</th>
              <th scope="col">Draft</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {scenarios.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  <a href={`#/${scenarioRoute(s.id)}`}>{s.name}</a>
                  {s.active ? null : <span className="badge">inactive</span>}
                </th>
                <td>
                  <code>{s.trigger}</code>
                </td>
                <td>{s.publishedVersion === null ? <span className="muted">not published</span> : `v${s.publishedVersion}`}</td>
                <td>{s.draftVersion === null ? <span className="muted">none</span> : `draft v${s.draftVersion}`}</td>
                <td>
                  <time dateTime={s.updatedAt}>{new Date(s.updatedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</time>
                </td>
                <td className="actions">
                  <button type="button" className="link-button" disabled={exporting.isLoading || (s.publishedVersion === null && s.draftVersion === null)} onClick={() => void download(s)} aria-label={`Export ${s.name}`}>
                    Export
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const NEW_CODE = (trigger: string) => ({
  version: 1,
  steps: [
    { id: 'ask_name', type: 'prompt', text: 'What is your first name?', variable: 'name', dataType: 'string', designer: { next: 'greet', xLocation: 0, yLocation: 0 } },
    { id: 'greet', type: 'statement', text: `"Thanks, " + scenario.name + ". This is the ${trigger} scenario."`, designer: { xLocation: 0, yLocation: 100 } },
  ],
});

function NewScenarioDialog({ onClose }: { onClose(): void }) {
  const dispatch = useAppDispatch();
  const [create, creating] = useCreateScenarioMutation();
  const [name, setName] = useState('');
  const [trigger, setTrigger] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const nameId = useId();
  const triggerId = useId();
  const hintId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const checkedTrigger = scenarioExportSchema.shape.scenario_trigger.safeParse(trigger);
    if (name.trim() === '') return setProblem('Give the scenario a name.');
    if (!checkedTrigger.success) return setProblem(`The trigger: ${checkedTrigger.error.issues[0]?.message ?? 'letters, digits, "_", "-" and "."'}.`);
    const result = await create({ name: name.trim(), trigger: checkedTrigger.data, code: NEW_CODE(checkedTrigger.data) });
    if ('error' in result) return setProblem(problemOf(result.error, 'create the scenario'));
    dispatch(statusShown(`${result.data.name} created as draft v1.`));
    onClose();
    navigate(scenarioRoute(result.data.id));
  };
  return (
    <Modal title="New scenario" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={nameId}>Name</label>
          <input id={nameId} className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-autofocus required />
        </div>
        <div className="field">
          <label htmlFor={triggerId}>Trigger</label>
          <input id={triggerId} className="input" value={trigger} onChange={(e) => setTrigger(e.target.value)} maxLength={100} aria-describedby={hintId} required />
          <p id={hintId} className="muted small">
            How other scenarios and the bot start it: letters, digits, “_”, “-” and “.”.
          </p>
        </div>
        <InlineError message={problem} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={creating.isLoading}>
            Create draft
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Import: pick a file; it is read here, checked against the export format, sent; the result (or the refusal's step errors) is shown in a dialog. */
function ImportButton() {
  const inputRef = useRef<HTMLInputElement>(null);
  const [importScenario, importing] = useImportScenarioMutation();
  const [publish, setPublish] = useState(false);
  const [outcome, setOutcome] = useState<{ file: string; result?: ScenarioImportResponse; problem?: string; errors?: ScenarioProblem[] } | null>(null);
  const publishId = useId();

  const onFile = async (file: File) => {
    let body: unknown;
    try {
      const raw = JSON.parse(await file.text()) as Record<string, unknown>;
      // Azure Health Bot writes `code` as a string; the shipped files keep it as an object.
      if (raw && typeof raw.code === 'object' && raw.code !== null) raw.code = JSON.stringify(raw.code);
      body = raw;
    } catch {
      setOutcome({ file: file.name, problem: `${file.name} is not a JSON file.` });
      return;
    }
    const checked = scenarioImportSchema.safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      setOutcome({ file: file.name, problem: `${file.name} is not an Azure Health Bot scenario export: ${issue.path.join('.') || 'the file'} — ${issue.message}.` });
      return;
    }
    const result = await importScenario({ body: checked.data, publish });
    if ('error' in result) setOutcome({ file: file.name, problem: problemOf(result.error, `import ${file.name}`) ?? undefined, errors: scenarioProblemsOf(result.error) });
    else setOutcome({ file: file.name, result: result.data });
  };

  return (
    <div className="bot-import">
      <button type="button" className="button" disabled={importing.isLoading} onClick={() => inputRef.current?.click()}>
        Import…
      </button>
      <input
        ref={inputRef}
        type="file"
        hidden
        accept="application/json,.json"
        aria-label="Scenario file to import (Azure Health Bot export)"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void onFile(file);
        }}
      />
      <div className="field inline">
        <input id={publishId} type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} />
        <label htmlFor={publishId}>Publish on import</label>
      </div>
      {importing.isLoading ? (
        <span className="muted small" role="status">
          Importing…
        </span>
      ) : null}
      {outcome ? <ImportOutcome outcome={outcome} onClose={() => setOutcome(null)} /> : null}
    </div>
  );
}

function ImportOutcome({ outcome, onClose }: { outcome: { file: string; result?: ScenarioImportResponse; problem?: string; errors?: ScenarioProblem[] }; onClose(): void }) {
  const { result } = outcome;
  return (
    <Modal title={result ? `Imported ${outcome.file}` : `Could not import ${outcome.file}`} role={result ? 'dialog' : 'alertdialog'} onClose={onClose}>
      {result ? (
        <p>
          <code>{result.trigger}</code> — {result.steps} steps, version {result.version} ({result.status === 'published' ? 'published' : 'saved as a draft'}).
        </p>
      ) : (
        <InlineError message={outcome.problem} />
      )}
      <ProblemItems title={result ? 'Warnings' : 'Errors'} problems={result ? result.warnings : (outcome.errors ?? [])} />
      <div className="form-actions">
        {result ? (
          <button
            type="button"
            className="button primary"
            onClick={() => {
              onClose();
              navigate(scenarioRoute(result.id));
            }}
          >
            Open {result.trigger}
          </button>
        ) : null}
        <button type="button" className="button" data-autofocus onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

export function ProblemItems({ title, problems, onStep }: { title: string; problems: readonly ScenarioProblem[]; onStep?: (stepId: string) => void }) {
  if (problems.length === 0) return null;
  return (
    <div className="bot-problems" role="group" aria-label={title}>
      <p className="bot-problems-title">
        {title} ({problems.length})
      </p>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>
            {p.stepId ? (
              onStep ? (
                <button type="button" className="link-button" onClick={() => onStep(p.stepId!)}>
                  Step {p.stepId}
                </button>
              ) : (
                <strong>Step {p.stepId}</strong>
              )
            ) : null}
            {p.stepId ? (p.field ? ` (${p.field})` : '') + ': ' : p.field ? `${p.field}: ` : ''}
            {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
