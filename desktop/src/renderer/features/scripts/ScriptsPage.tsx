/**
 * The Scripts workspace: every agent script with its version in force and any draft. Supervisors
 * and admins edit a script's YAML in the code editor, checked by the server as they type (markers at
 * the lines its errors name), save it as a draft, publish it, and roll back to an earlier version
 * (after confirming), and start new scripts (`#/scripts/new`); agents read. `#/scripts/<id>` opens a script.
 */
import { lazy, Suspense, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ScriptDetail, ScriptError, ScriptSummary, ScriptVersionView } from '@carebridge/server/contracts';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { selectUser } from '../../app/session/session-slice.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import type { CodeMarker } from '../../common/CodeEditor.js';
import { InlineError } from '../../common/InlineError.js';
import { Modal } from '../../common/Modal.js';
import { navigate, useRoute } from '../../common/router.js';
import { problemOf, scriptErrorsOf, useCreateScriptMutation, useGetScriptQuery, useListScriptsQuery, usePublishScriptMutation, useRollbackScriptMutation, useSaveDraftMutation, useValidateScriptMutation } from './scripts-api.js';

const CodeEditor = lazy(() => import('../../common/CodeEditor.js').then((m) => ({ default: m.CodeEditor })));
const EDITORS = new Set(['supervisor', 'admin']);
const VALIDATE_AFTER_MS = 400;

export default function ScriptsPage() {
  const route = useRoute();
  const role = useAppSelector(selectUser)?.role ?? '';
  const canEdit = EDITORS.has(role);
  const list = useListScriptsQuery();
  const scripts = list.data?.scripts ?? [];
  const creating = canEdit && route[1] === 'new';
  const selectedId = creating ? undefined : (route[1] ?? scripts[0]?.id);

  return (
    <section className="workspace scripts" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">Scripts</h1>
        <p className="muted">
          {canEdit ? 'The guided scripts agents follow in a conversation: edit, publish and roll back.' : 'The guided scripts you follow in a conversation (read only).'}
        </p>
        {canEdit ? (
          <a className="button scripts-new" href="#/scripts/new" aria-current={creating ? 'page' : undefined}>
            New script
          </a>
        ) : null}
      </header>
      {list.isLoading ? (
        <p className="loading" role="status">
          Loading scripts…
        </p>
      ) : list.error ? (
        <div>
          <InlineError message={problemOf(list.error, 'load the scripts')} />
          <button type="button" className="button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      ) : scripts.length === 0 ? (
        <div className="context-empty">
          <p className="empty-title">No scripts yet</p>
          <p className="muted">Scripts are YAML files in the agent-scripts folder, imported when the server starts.</p>
        </div>
      ) : (
        <div className="scripts-layout">
          <nav aria-label="Scripts" className="scripts-list card">
            <ul>
              {scripts.map((s) => (
                <li key={s.id}>
                  <a href={`#/scripts/${s.id}`} aria-current={s.id === selectedId ? 'page' : undefined} className={s.id === selectedId ? 'current' : undefined}>
                    <span className="scripts-list-title">{s.title}</span>
                    <span className="muted small">{statusLine(s)}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {creating ? <NewScript /> : selectedId ? <ScriptView key={selectedId} id={selectedId} canEdit={canEdit} /> : null}
        </div>
      )}
    </section>
  );
}

const NEW_SCRIPT = `id: my-script
title: My script
description: What this script is for, in one sentence.
selection:
  queues: [general]
  priority: 0
steps:
  - id: greet
    type: instruction
    text: 'Say: "Hi {{patient.firstName}}, this is {{agent.name}} with {{clinic.name}}."'
  - id: reason
    type: question
    text: What can we help with today?
    answer: text
    required: true
`;

/** A new script from a template: checked as you type, created as draft v1. */
function NewScript() {
  const dispatch = useAppDispatch();
  const [text, setText] = useState(NEW_SCRIPT);
  const [errors, setErrors] = useState<ScriptError[]>([]);
  const [validate] = useValidateScriptMutation();
  const [create, creating] = useCreateScriptMutation();
  const headingId = useId();
  const checkSeq = useRef(0);
  useEffect(() => {
    const seq = ++checkSeq.current;
    const timer = setTimeout(() => {
      void validate({ yaml: text }).then((result) => {
        if (seq === checkSeq.current && 'data' in result && result.data) setErrors(result.data.errors);
      });
    }, VALIDATE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [text, validate]);
  const markers = useMemo<CodeMarker[]>(() => errors.map((e) => ({ line: e.line, column: e.column, message: e.step ? `Step ${e.step}: ${e.message}` : e.message, severity: 'error' })), [errors]);
  const submit = async () => {
    const result = await create({ yaml: text });
    if ('error' in result) {
      const found = scriptErrorsOf(result.error);
      if (found.length > 0) setErrors(found);
      return;
    }
    dispatch(statusShown(`Script created as draft v1: publish it when it is ready.`));
    navigate(`scripts/${result.data.id}`);
  };
  return (
    <article className="script-view card" aria-labelledby={headingId}>
      <header className="script-view-header">
        <h2 id={headingId}>New script</h2>
        <p className="muted">Start from this example; the format is described in agent-scripts/README.md.</p>
      </header>
      <Suspense
        fallback={
          <p className="loading small" role="status">
            Loading the editor…
          </p>
        }
      >
        <CodeEditor value={text} onChange={setText} language="yaml" label="YAML of the new script" markers={markers} height={440} />
      </Suspense>
      <ProblemList errors={errors} />
      <div className="form-actions">
        <button type="button" className="button primary" disabled={errors.length > 0 || creating.isLoading} onClick={() => void submit()}>
          Create draft
        </button>
      </div>
      <InlineError message={scriptErrorsOf(creating.error).length > 0 ? null : problemOf(creating.error, 'create the script')} />
    </article>
  );
}

function ProblemList({ errors }: { errors: readonly ScriptError[] }) {
  return (
    <div aria-live="polite">
      {errors.length > 0 ? (
        <div className="script-errors" role="group" aria-label="Problems in the YAML">
          <p className="inline-error">
            {errors.length} {errors.length === 1 ? 'problem' : 'problems'}: fix {errors.length === 1 ? 'it' : 'them'} before saving or publishing.
          </p>
          <ul>
            {errors.map((e, i) => (
              <li key={i}>
                Line {e.line}
                {e.step ? `, step ${e.step}` : ''}: {e.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function statusLine(s: ScriptSummary): string {
  const published = s.publishedVersion === null ? 'not published' : `published v${s.publishedVersion}`;
  return s.draftVersion === null ? published : `${published} · draft v${s.draftVersion}`;
}

function ScriptView({ id, canEdit }: { id: string; canEdit: boolean }) {
  const dispatch = useAppDispatch();
  const detail = useGetScriptQuery(id);
  const [text, setText] = useState<string | null>(null);
  const [errors, setErrors] = useState<ScriptError[]>([]);
  const [validate] = useValidateScriptMutation();
  const [saveDraft, saving] = useSaveDraftMutation();
  const [publish, publishing] = usePublishScriptMutation();
  const [rollback, rollingBack] = useRollbackScriptMutation();
  const [confirming, setConfirming] = useState<ScriptVersionView | null>(null);
  const [viewing, setViewing] = useState<ScriptVersionView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const headingId = useId();
  const checkSeq = useRef(0);

  const data = detail.data;
  const draft = data?.versions.find((v) => v.status === 'draft') ?? null;
  const published = data?.versions.find((v) => v.status === 'published') ?? null;
  const saved = (draft ?? published)?.yaml ?? '';
  const value = text ?? saved;
  const dirty = text !== null && text !== saved;

  // Checked by the server as the supervisor types (the same checks a save makes).
  useEffect(() => {
    if (!canEdit || text === null) return;
    const seq = ++checkSeq.current;
    const timer = setTimeout(() => {
      void validate({ yaml: text, scriptId: id }).then((result) => {
        if (seq !== checkSeq.current) return;
        if ('data' in result && result.data) setErrors(result.data.errors);
      });
    }, VALIDATE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [text, canEdit, id, validate]);

  const markers = useMemo<CodeMarker[]>(() => errors.map((e) => ({ line: e.line, column: e.column, message: e.step ? `Step ${e.step}: ${e.message}` : e.message, severity: 'error' })), [errors]);

  if (detail.isLoading) {
    return (
      <p className="loading" role="status">
        Loading the script…
      </p>
    );
  }
  if (!data) return <InlineError message={problemOf(detail.error, 'load the script') ?? 'Could not load the script.'} />;

  const onSave = async () => {
    setProblem(null);
    const result = await saveDraft({ id, yaml: value });
    if ('error' in result) {
      const found = scriptErrorsOf(result.error);
      if (found.length > 0) setErrors(found);
      setProblem(problemOf(result.error, 'save the draft'));
      return;
    }
    setText(null);
    setErrors([]);
    dispatch(statusShown(`Draft saved (version ${result.data.draftVersion ?? ''}).`));
  };
  const onPublish = async () => {
    if (!draft) return;
    setProblem(null);
    const result = await publish({ id, version: draft.version });
    if ('error' in result) {
      const found = scriptErrorsOf(result.error);
      if (found.length > 0) setErrors(found);
      setProblem(problemOf(result.error, 'publish'));
      return;
    }
    dispatch(statusShown(`Version ${draft.version} published: new conversations follow it.`));
  };
  const onRollback = async (version: ScriptVersionView) => {
    setConfirming(null);
    setProblem(null);
    const result = await rollback({ id, version: version.version });
    if ('error' in result) {
      setProblem(problemOf(result.error, 'roll back'));
      return;
    }
    setText(null);
    dispatch(statusShown(`Version ${version.version} is back in force as version ${result.data.publishedVersion ?? ''}.`));
  };

  const hasErrors = errors.length > 0;
  return (
    <article className="script-view card" aria-labelledby={headingId}>
      <header className="script-view-header">
        <h2 id={headingId}>{data.title}</h2>
        <p className="muted">{data.description}</p>
        <p className="small">
          {statusLine(data)}
          {data.file ? ` · from agent-scripts/${data.file}` : ' · created in the desk'} · {selectionLine(data)}
        </p>
      </header>
      <Suspense
        fallback={
          <p className="loading small" role="status">
            Loading the editor…
          </p>
        }
      >
        <CodeEditor
          value={value}
          onChange={(next) => setText(next)}
          language="yaml"
          label={canEdit ? `YAML of ${data.title}${draft ? ` (draft v${draft.version})` : ''}` : `YAML of ${data.title} (read only)`}
          markers={markers}
          readOnly={!canEdit}
          height={440}
        />
      </Suspense>
      {canEdit ? (
        <>
          <ProblemList errors={errors} />
          {!hasErrors && dirty ? <p className="muted small">Unsaved changes.</p> : null}
          <div className="form-actions">
            <button type="button" className="button" disabled={!dirty || hasErrors || saving.isLoading} onClick={() => void onSave()}>
              Save draft
            </button>
            <button type="button" className="button primary" disabled={!draft || dirty || hasErrors || publishing.isLoading} onClick={() => void onPublish()}>
              {draft ? `Publish draft v${draft.version}` : 'Publish'}
            </button>
            {dirty ? (
              <button
                type="button"
                className="button"
                onClick={() => {
                  setText(null);
                  setErrors([]);
                }}
              >
                Discard changes
              </button>
            ) : null}
          </div>
          <InlineError message={problem} />
        </>
      ) : null}
      <section className="script-history" aria-labelledby={`${headingId}-history`}>
        <h3 id={`${headingId}-history`}>Version history</h3>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">From</th>
              <th scope="col">When</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.versions.map((v) => (
              <tr key={v.version}>
                <td>v{v.version}</td>
                <td>{v.status}</td>
                <td>{originLine(v)}</td>
                <td>{new Date(v.publishedAt ?? v.createdAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</td>
                <td className="actions">
                  <button type="button" className="link-button" onClick={() => setViewing(v)}>
                    View v{v.version}
                  </button>
                  {canEdit && v.status === 'retired' ? (
                    <button type="button" className="link-button" disabled={rollingBack.isLoading} onClick={() => setConfirming(v)}>
                      Roll back to v{v.version}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {confirming ? (
        <Modal title={`Roll back to version ${confirming.version}?`} role="alertdialog" onClose={() => setConfirming(null)}>
          <p>
            Version {confirming.version} becomes the published version again (as a new version). Conversations that start from now follow it; ones already under way keep theirs.
            {draft ? ' The draft stays as it is.' : ''}
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
      {viewing ? (
        <Modal title={`${data.title}, version ${viewing.version} (${viewing.status})`} onClose={() => setViewing(null)} className="modal-wide">
          <pre className="script-source" tabIndex={0} aria-label={`YAML of version ${viewing.version}`}>
            {viewing.yaml}
          </pre>
          <div className="form-actions">
            <button type="button" className="button" data-autofocus onClick={() => setViewing(null)}>
              Close
            </button>
          </div>
        </Modal>
      ) : null}
    </article>
  );
}

function originLine(v: ScriptVersionView): string {
  if (v.origin === 'file') return 'the script file';
  if (v.origin === 'rollback') return `roll back to v${v.restoredFrom ?? '?'}${v.createdBy ? ` by ${v.createdBy}` : ''}`;
  return v.createdBy ? `edited by ${v.createdBy}` : 'edited in the desk';
}

function selectionLine(s: ScriptDetail): string {
  const parts = [
    s.selection.queues?.length ? `queues ${s.selection.queues.join(', ')}` : null,
    s.selection.intents?.length ? `intents ${s.selection.intents.join(', ')}` : null,
    s.selection.topics?.length ? `topics ${s.selection.topics.join(', ')}` : null,
    s.selection.specialties?.length ? `specialties ${s.selection.specialties.join(', ')}` : null,
  ].filter(Boolean);
  return parts.length === 0 ? 'chosen by hand or as a sub-script' : `used for ${parts.join('; ')}${s.selection.priority ? ` (priority ${s.selection.priority})` : ''}`;
}
