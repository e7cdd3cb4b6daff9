/**
 * One scenario: its name, trigger and description; its `code` as JSON in Monaco, checked as you type
 * against the JSON schema generated from the contract (every step type and field, with completion);
 * Save draft (the server's checks: a refusal lists each problem by step, marked at the step's line),
 * Publish the draft, the flow graph (a click jumps the editor to the step), a test chat of the saved
 * draft, and the versions with roll back. Unsaved edits are kept across workspaces (`studio-state.ts`)
 * and guarded by the page.
 */
import { lazy, Suspense, useEffect, useId, useMemo, useState } from 'react';
import type { ScenarioDetail, ScenarioProblem, ScenarioVersionView } from '@carebridge/server/contracts/bot';
import { useAppDispatch } from '../../app/hooks.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import type { CodeMarker } from '../../common/CodeEditor.js';
import { InlineError } from '../../common/InlineError.js';
import { Modal } from '../../common/Modal.js';
import { problemOf, scenarioProblemsOf, useGetScenarioQuery, usePublishScenarioMutation, useRollbackScenarioMutation, useSaveScenarioDraftMutation } from './bot-studio-api.js';
import { FlowGraph } from './FlowGraph.js';
import { ProblemItems } from './ScenarioList.js';
import { codeToText, parseCodeText, scenarioJsonSchema, stepLines } from './scenario-text.js';
import { forgetUnsaved, keepUnsaved, unsavedOf } from './studio-state.js';
import { TestChat } from './TestChat.js';

const CodeEditor = lazy(() => import('../../common/CodeEditor.js').then((m) => ({ default: m.CodeEditor })));

interface Fields {
  name: string;
  trigger: string;
  description: string;
  text: string;
}

export default function ScenarioEditor({ id, onDirtyChange }: { id: string; onDirtyChange(dirty: boolean): void }) {
  const detail = useGetScenarioQuery({ id });
  if (detail.isLoading) {
    return (
      <p className="loading" role="status">
        Loading the scenario…
      </p>
    );
  }
  if (!detail.data) {
    return (
      <div>
        <p>
          <a href="#/bot-studio/scenarios">← All scenarios</a>
        </p>
        <InlineError message={problemOf(detail.error, 'load the scenario') ?? 'Could not load the scenario.'} />
        <button type="button" className="button" onClick={() => void detail.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return <Editor key={`${detail.data.version}:${detail.data.status}`} detail={detail.data} onDirtyChange={onDirtyChange} />;
}

function savedFields(d: ScenarioDetail): Fields {
  return { name: d.name, trigger: d.trigger, description: d.description, text: codeToText(d.code) };
}

function Editor({ detail, onDirtyChange }: { detail: ScenarioDetail; onDirtyChange(dirty: boolean): void }) {
  const dispatch = useAppDispatch();
  const saved = useMemo(() => savedFields(detail), [detail]);
  const [restored] = useState(() => unsavedOf(detail.id));
  const [fields, setFields] = useState<Fields>(() => (restored ? { name: restored.name, trigger: restored.trigger, description: restored.description, text: restored.text } : saved));
  const [problems, setProblems] = useState<ScenarioProblem[]>([]);
  const [warnings, setWarnings] = useState<ScenarioProblem[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [reveal, setReveal] = useState<{ line: number; nonce: number; stepId: string } | undefined>();
  const [confirming, setConfirming] = useState<ScenarioVersionView | null>(null);
  const [saveDraft, saving] = useSaveScenarioDraftMutation();
  const [publish, publishing] = usePublishScenarioMutation();
  const [rollback, rollingBack] = useRollbackScenarioMutation();
  const headingId = useId();
  const nameId = useId();
  const triggerId = useId();
  const descriptionId = useId();

  const dirty = fields.name !== saved.name || fields.trigger !== saved.trigger || fields.description !== saved.description || fields.text !== saved.text;
  const draft = detail.versions.find((v) => v.status === 'draft') ?? null;
  const published = detail.versions.find((v) => v.status === 'published') ?? null;

  useEffect(() => {
    onDirtyChange(dirty);
    if (dirty) keepUnsaved(detail.id, { ...fields, baseVersion: detail.version });
    else forgetUnsaved(detail.id);
  }, [dirty, fields, detail.id, detail.version, onDirtyChange]);
  useEffect(() => () => onDirtyChange(false), [onDirtyChange]);

  const parsed = useMemo(() => parseCodeText(fields.text), [fields.text]);
  const lines = useMemo(() => stepLines(fields.text), [fields.text]);
  const markers = useMemo<CodeMarker[]>(() => {
    const out: CodeMarker[] = [];
    if (!parsed.ok) out.push({ line: parsed.line, column: parsed.column, message: parsed.message, severity: 'error' });
    for (const p of problems) out.push({ line: (p.stepId && lines.get(p.stepId)) || 1, message: `${p.stepId ? `Step ${p.stepId}${p.field ? ` (${p.field})` : ''}: ` : ''}${p.message}`, severity: 'error' });
    return out;
  }, [parsed, problems, lines]);
  const jsonSchema = useMemo(() => ({ path: `bot-scenario-${detail.id}.json`, schema: scenarioJsonSchema() }), [detail.id]);
  const steps = parsed.ok ? parsed.code.steps : detail.code.steps;

  const jumpTo = (stepId: string) => {
    const line = lines.get(stepId);
    if (line) setReveal({ line, nonce: Date.now(), stepId });
  };
  const set = (patch: Partial<Fields>) => setFields((f) => ({ ...f, ...patch }));

  const onSave = async () => {
    setProblem(null);
    setWarnings([]);
    if (!parsed.ok) {
      setProblem(`Could not save the draft: ${parsed.message} (line ${parsed.line}).`);
      return;
    }
    const result = await saveDraft({
      id: detail.id,
      body: { name: fields.name.trim(), trigger: fields.trigger.trim(), description: fields.description, active: detail.active, code: parsed.code, ...(draft ? { baseVersion: restored?.baseVersion ?? draft.version } : {}) },
    });
    if ('error' in result) {
      setProblems(scenarioProblemsOf(result.error));
      setProblem(problemOf(result.error, 'save the draft'));
      return;
    }
    setProblems([]);
    setFields(savedFields(result.data));
    forgetUnsaved(detail.id);
    dispatch(statusShown(`Draft v${result.data.draftVersion ?? ''} saved: the test chat runs it now.`));
  };
  const onPublish = async () => {
    if (!draft) return;
    setProblem(null);
    const result = await publish({ id: detail.id });
    if ('error' in result) {
      setProblems(scenarioProblemsOf(result.error));
      setProblem(problemOf(result.error, 'publish'));
      return;
    }
    setProblems([]);
    setWarnings(result.data.warnings);
    dispatch(statusShown(`Version ${result.data.version} published: new conversations follow it.`));
  };
  const onRollback = async (version: ScenarioVersionView) => {
    setConfirming(null);
    setProblem(null);
    const result = await rollback({ id: detail.id, version: version.version });
    if ('error' in result) {
      setProblem(problemOf(result.error, 'roll back'));
      return;
    }
    dispatch(statusShown(`Version ${version.version} is back in force as version ${result.data.version}.`));
  };

  const editing = draft ? `draft v${draft.version}` : published ? `published v${published.version} (saving starts a draft)` : `v${detail.version}`;
  return (
    <article className="bot-editor" aria-labelledby={headingId}>
      <p className="bot-back">
        <a href="#/bot-studio/scenarios">← All scenarios</a>
      </p>
      <header className="bot-editor-header">
        <h2 id={headingId}>{detail.name}</h2>
        <p className="small">
          <code>{detail.trigger}</code> · {published ? `published v${published.version}` : 'not published'} · {draft ? `draft v${draft.version}` : 'no draft'} · {detail.origin === 'builtin' ? 'shipped with Carebridge' : detail.origin === 'import' ? 'imported' : 'written in the desk'}
        </p>
      </header>
      {restored && dirty ? <p className="notice">Your unsaved changes from before are back. Save them as a draft, or discard them.</p> : null}
      <div className="bot-fields">
        <div className="field">
          <label htmlFor={nameId}>Name</label>
          <input id={nameId} className="input" value={fields.name} maxLength={200} onChange={(e) => set({ name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={triggerId}>Trigger</label>
          <input id={triggerId} className="input" value={fields.trigger} maxLength={100} onChange={(e) => set({ trigger: e.target.value })} />
        </div>
        <div className="field bot-field-wide">
          <label htmlFor={descriptionId}>Description</label>
          <input id={descriptionId} className="input" value={fields.description} maxLength={2000} onChange={(e) => set({ description: e.target.value })} />
        </div>
      </div>
      <div className="bot-editor-grid">
        <section className="bot-code card" aria-labelledby={`${headingId}-code`}>
          <h3 id={`${headingId}-code`} className="card-title">
            Steps (JSON) <span className="muted small">— editing {editing}</span>
          </h3>
          <Suspense
            fallback={
              <p className="loading small" role="status">
                Loading the editor…
              </p>
            }
          >
            <CodeEditor value={fields.text} onChange={(text) => set({ text })} language="json" label={`Scenario JSON of ${detail.name}`} markers={markers} height={460} jsonSchema={jsonSchema} reveal={reveal} />
          </Suspense>
          <p className="muted small" role="status">
            {reveal ? `Step ${reveal.stepId} is at line ${reveal.line}.` : ''}
          </p>
          <div aria-live="polite">
            {!parsed.ok ? <p className="inline-error">Line {parsed.line}: {parsed.message}</p> : null}
            <ProblemItems title="Problems the server found" problems={problems} onStep={jumpTo} />
            <ProblemItems title="Publish warnings" problems={warnings} onStep={jumpTo} />
          </div>
          {dirty ? <p className="muted small">Unsaved changes.</p> : null}
          <div className="form-actions">
            <button type="button" className="button" disabled={!dirty || saving.isLoading} onClick={() => void onSave()}>
              Save draft
            </button>
            <button type="button" className="button primary" disabled={!draft || dirty || publishing.isLoading} onClick={() => void onPublish()}>
              {draft ? `Publish draft v${draft.version}` : 'Publish'}
            </button>
            {dirty ? (
              <button
                type="button"
                className="button"
                onClick={() => {
                  setFields(saved);
                  setProblems([]);
                  setProblem(null);
                }}
              >
                Discard changes
              </button>
            ) : null}
          </div>
          <InlineError message={problem} />
        </section>
        <TestChat trigger={detail.trigger} runs={draft ? `draft v${draft.version}` : published ? `published v${published.version}` : `v${detail.version}`} unsaved={dirty} />
      </div>
      <FlowGraph steps={steps} onSelect={jumpTo} stale={!parsed.ok} />
      <section className="bot-versions card" aria-labelledby={`${headingId}-versions`}>
        <h3 id={`${headingId}-versions`} className="card-title">
          Versions
        </h3>
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Versions table">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Steps</th>
                <th scope="col">Saved</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {detail.versions.map((v) => (
                <tr key={v.version}>
                  <td>v{v.version}</td>
                  <td>{v.status}</td>
                  <td>{v.steps}</td>
                  <td>
                    {new Date(v.publishedAt ?? v.createdAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}
                    {v.createdBy ? <span className="muted small"> by {v.createdBy}</span> : null}
                  </td>
                  <td className="actions">
                    {v.status === 'retired' ? (
                      <button type="button" className="link-button" disabled={rollingBack.isLoading} onClick={() => setConfirming(v)}>
                        Roll back to v{v.version}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {confirming ? (
        <Modal title={`Roll back to version ${confirming.version}?`} role="alertdialog" onClose={() => setConfirming(null)}>
          <p>
            Version {confirming.version} is published again, as a new version. Conversations that start from now follow it; ones under way keep theirs.
            {draft ? ' The open draft stays as it is.' : ''}
          </p>
          <div className="form-actions">
            <button type="button" className="button" data-autofocus onClick={() => setConfirming(null)}>
              Cancel
            </button>
            <button type="button" className="button danger" onClick={() => void onRollback(confirming)}>
              Roll back
            </button>
          </div>
        </Modal>
      ) : null}
    </article>
  );
}
