/**
 * The follow-up survey as JSON (the format of SURVEY_CONFIG), checked as it is typed for JSON
 * syntax and by the server on save, which names each field that does not fit; a summary of the
 * questions shows what patients will see. Answers already given keep pointing at the version of the
 * survey they answered (the Questionnaire's version is a hash of its content).
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { SurveyDefinition } from '@carebridge/server/contracts';
import { SaveBar } from './SaveBar.js';
import { useSection } from './use-section.js';

export default function SurveyTab() {
  const editor = useSection('survey');
  const [text, setText] = useState<string | null>(null);
  const ids = { text: useId(), hint: useId() };
  const draft = editor.draft as SurveyDefinition | undefined;

  // The text follows the stored survey until it is edited (and again after a save or reload).
  useEffect(() => {
    if (draft && !editor.dirty) setText(JSON.stringify(draft, null, 2));
  }, [draft, editor.dirty]);

  if (editor.loading || !draft || text === null) return editor.loadError ? <p role="alert" className="inline-error">{editor.loadError}</p> : <p className="loading" role="status">Loading the survey…</p>;

  let syntax: string | null = null;
  try {
    JSON.parse(text);
  } catch (err) {
    syntax = `This is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  const onChange = (value: string) => {
    setText(value);
    try {
      editor.setDraft(JSON.parse(value) as SurveyDefinition);
    } catch {
      // Shown as `syntax`; the draft keeps the last valid JSON.
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!syntax) void editor.save();
  };
  const questions = Array.isArray(draft.questions) ? draft.questions : [];

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Follow-up survey">
      <div className="card">
        <div className="field">
          <label htmlFor={ids.text}>Survey definition (JSON)</label>
          <textarea id={ids.text} className="input textarea code-area" spellCheck={false} aria-describedby={ids.hint} value={text} onChange={(e) => onChange(e.target.value)} />
          <p id={ids.hint} className="muted small">
            id, title, optOutQueues (queue ids that get no survey) and up to 30 questions: each with id, text, type (csat 1–5, nps 0–10, yesno, text), required, and optional showIf (an earlier question and equals, atLeast or atMost).
          </p>
        </div>
        <div>
          <h3 className="card-title">What patients see</h3>
          <p>{typeof draft.title === 'string' ? draft.title : ''}</p>
          <ol className="survey-preview">
            {questions.map((q, i) => (
              <li key={i}>
                {String((q as { text?: unknown }).text ?? (q as { id?: unknown }).id ?? '')}{' '}
                <span className="muted small">
                  ({String((q as { type?: unknown }).type ?? '')}
                  {(q as { required?: unknown }).required ? ', required' : ''})
                </span>
              </li>
            ))}
          </ol>
        </div>
      </div>
      <SaveBar
        editor={editor}
        label="Save the survey"
        blocked={syntax}
        describePath={(path) => {
          const m = /^questions\.(\d+)\.?(.*)$/.exec(path);
          return m ? `Question ${Number(m[1]) + 1}${m[2] ? ` (${m[2]})` : ''}` : path;
        }}
      />
    </form>
  );
}
