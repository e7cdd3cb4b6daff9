/**
 * The "Script" context panel: the script this conversation follows (picked by its queue, hand-off
 * intent, topic or specialty, or switched by hand), its progress with the required steps marked, the
 * current step (an instruction to mark done, a question to answer — branching follows the answer — or
 * a macro button that does the action), and the steps already done, collapsible, with their answers.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ScriptRunStep, ScriptRunView } from '@carebridge/server/contracts';
import { useAppDispatch } from '../../app/hooks.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import type { ContextPanelProps } from '../../common/context-panels.js';
import { requestContextPanel } from '../../common/context-requests.js';
import { InlineError } from '../../common/InlineError.js';
import { conversationAction, sendMessage } from '../conversations/index.js';
import { problemOf, useChooseScriptMutation, useGetScriptRunQuery, useRecordStepMutation } from './scripts-api.js';
import { VerifyIdentityForm } from './VerifyIdentityForm.js';

const PANEL_NAMES = { 'patient-360': 'Patient', appointments: 'Appointments', knowledge: 'Knowledge' } as const;
/** A script's patient 360 section → the Patient panel's own section id (`p360-<id>`), where they differ. */
const P360_SECTION: Record<string, string> = { summary: 'overview', 'care-team': 'care', encounters: 'visits' };

export default function ScriptPanel({ conversationId, conversation }: ContextPanelProps) {
  const { data, error, isLoading, isFetching, refetch } = useGetScriptRunQuery(conversationId);
  const [choose, chosen] = useChooseScriptMutation();
  const switchId = useId();
  if (isLoading) {
    return (
      <p className="loading small" role="status">
        Loading the script…
      </p>
    );
  }
  if (error || !data) {
    return (
      <div>
        <InlineError message={problemOf(error, 'load the script') ?? 'Could not load the script.'} />
        <button type="button" className="button" onClick={() => void refetch()}>
          Try again
        </button>
      </div>
    );
  }
  const { run, available } = data;
  const closed = conversation.state === 'closed';
  return (
    <div className="script-panel" aria-busy={isFetching || chosen.isLoading}>
      <div className="script-switch">
        <label htmlFor={switchId}>Switch script</label>
        <select
          id={switchId}
          value={run?.script.id ?? ''}
          disabled={closed || chosen.isLoading}
          onChange={(e) => {
            if (e.target.value) void choose({ conversationId, scriptId: e.target.value });
          }}
        >
          {run ? null : <option value="">Choose a script…</option>}
          {available.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
        </select>
      </div>
      <InlineError message={problemOf(chosen.error, 'switch the script')} />
      {run ? (
        <ScriptRunner key={`${run.script.id}@${run.script.version}`} run={run} conversationId={conversationId} closed={closed} onUpgrade={() => void choose({ conversationId, scriptId: run.script.id })} />
      ) : (
        <div className="context-empty">
          <p className="empty-title">No script for this conversation</p>
          <p className="muted small">None of the published scripts fits its queue or topic. Choose one above if it helps.</p>
        </div>
      )}
    </div>
  );
}

function ScriptRunner({ run, conversationId, closed, onUpgrade }: { run: ScriptRunView; conversationId: string; closed: boolean; onUpgrade(): void }) {
  const onPath = run.steps.filter((s) => s.onPath);
  const done = onPath.filter((s) => s.done);
  const current = run.steps.find((s) => s.id === run.currentStepId) ?? null;
  const requiredLeft = run.progress.requiredLeft.length;
  const titleId = useId();
  return (
    <div className="script-runner">
      <h4 id={titleId} className="script-title">
        {run.script.title} <span className="muted small">version {run.script.version}</span>
      </h4>
      <p className="muted small">{run.reason}</p>
      {run.newerVersion !== null ? (
        <p className="script-notice small">
          Version {run.newerVersion} of this script is published.{' '}
          <button type="button" className="link-button" onClick={onUpgrade}>
            Start over with version {run.newerVersion}
          </button>
        </p>
      ) : null}
      <div className="script-progress">
        <progress max={Math.max(1, run.progress.total)} value={run.progress.done} aria-label={`Script progress: ${run.progress.done} of ${run.progress.total} steps done`} />
        <p className="small" aria-live="polite">
          {run.progress.done} of {run.progress.total} steps done
          {requiredLeft > 0 ? ` · ${requiredLeft} required ${requiredLeft === 1 ? 'step' : 'steps'} left` : ' · nothing required left'}
        </p>
      </div>
      {current ? (
        <CurrentStep key={current.id} step={current} index={onPath.indexOf(current) + 1} conversationId={conversationId} closed={closed} />
      ) : (
        <p className="script-finished" role="status">
          Script finished. {requiredLeft === 0 ? 'You can wrap up the conversation.' : ''}
        </p>
      )}
      {done.length > 0 ? (
        <details className="script-done">
          <summary>Steps done ({done.length})</summary>
          <ol>
            {done.map((step) => (
              <li key={step.id}>
                <span>{shortText(step)}</span>
                {step.answer ? (
                  <span className="script-answer">
                    {' '}
                    — <strong>{step.answer.label}</strong>
                  </span>
                ) : null}
                {step.type === 'question' && !closed ? <ChangeAnswer step={step} conversationId={conversationId} /> : null}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {onPath.some((s) => !s.done && s.required && s.id !== current?.id) ? (
        <div className="script-upcoming small">
          <p>Required later:</p>
          <ul>
            {onPath
              .filter((s) => !s.done && s.required && s.id !== current?.id)
              .map((s) => (
                <li key={s.id}>{shortText(s)}</li>
              ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function shortText(step: ScriptRunStep): string {
  const text = step.type === 'macro' && step.actionLabel ? step.actionLabel : step.text;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 90 ? `${flat.slice(0, 87)}…` : flat;
}

function StepText({ step }: { step: ScriptRunStep }) {
  return (
    <p className="script-text">
      {step.parts.map((part, i) =>
        'text' in part ? (
          <span key={i}>{part.text}</span>
        ) : part.value !== null ? (
          <mark key={i} className="script-field">
            {part.value}
          </mark>
        ) : (
          <mark key={i} className="script-field script-field-unknown" title={`Not known here: ${part.field}`}>
            {fieldPlaceholder(part.field)}
          </mark>
        ),
      )}
    </p>
  );
}

function fieldPlaceholder(field: string): string {
  const words: Record<string, string> = { 'patient.firstName': 'patient’s first name', 'patient.age': 'patient’s age', 'agent.name': 'your name', 'clinic.name': 'clinic name' };
  return `[${words[field] ?? field.replace(/^answers\./, 'answer to ')}]`;
}

function CurrentStep({ step, index, conversationId, closed }: { step: ScriptRunStep; index: number; conversationId: string; closed: boolean }) {
  const headingId = useId();
  const [record, recording] = useRecordStepMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const save = async (answer?: string): Promise<boolean> => {
    setProblem(null);
    const result = await record({ conversationId, stepId: step.id, ...(answer === undefined ? {} : { answer }) });
    if ('error' in result) {
      setProblem(problemOf(result.error, 'record the step'));
      return false;
    }
    return true;
  };
  return (
    <section className={`script-step${step.required ? ' script-step-required' : ''}`} aria-labelledby={headingId}>
      <h5 id={headingId} className="script-step-heading">
        Step {index}
        {step.required ? <span className="badge badge-required">Required</span> : null}
        {step.from ? <span className="muted small"> · {step.from.title}</span> : null}
      </h5>
      {step.text ? <StepText step={step} /> : null}
      {closed ? <p className="muted small">The conversation is closed.</p> : <StepControls step={step} conversationId={conversationId} busy={recording.isLoading} save={save} onProblem={setProblem} />}
      <InlineError message={problem} />
    </section>
  );
}

function StepControls({
  step,
  conversationId,
  busy,
  save,
  onProblem,
}: {
  step: ScriptRunStep;
  conversationId: string;
  busy: boolean;
  save(answer?: string): Promise<boolean>;
  onProblem(message: string | null): void;
}) {
  if (step.type === 'instruction') {
    return (
      <button type="button" className="button primary" disabled={busy} onClick={() => void save()}>
        Mark step done
      </button>
    );
  }
  if (step.type === 'question') return <AnswerControl step={step} busy={busy} save={save} />;
  return <MacroControl step={step} conversationId={conversationId} busy={busy} save={save} onProblem={onProblem} />;
}

function AnswerControl({ step, busy, save }: { step: ScriptRunStep; busy: boolean; save(answer?: string): Promise<boolean> }) {
  const [value, setValue] = useState(step.answer?.value ?? '');
  const inputId = useId();
  if (step.choices) {
    return (
      <div className="script-choices" role="group" aria-label={`Answer: ${shortText(step)}`}>
        {step.choices.map((c) => (
          <button key={c.value} type="button" className="button" disabled={busy} aria-pressed={step.answer?.value === c.value} onClick={() => void save(c.value)}>
            {c.label}
          </button>
        ))}
      </div>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) void save(value.trim());
  };
  return (
    <form className="script-answer-form" onSubmit={submit}>
      <label htmlFor={inputId}>{step.answerKind === 'date' ? 'Date' : 'Answer'}</label>
      {step.answerKind === 'date' ? (
        <input className="input" id={inputId} type="date" value={value} onChange={(e) => setValue(e.target.value)} required />
      ) : (
        <textarea className="input" id={inputId} value={value} rows={2} maxLength={1000} onChange={(e) => setValue(e.target.value)} required />
      )}
      <button type="submit" className="button primary" disabled={busy || !value.trim()}>
        Save answer
      </button>
    </form>
  );
}

function ChangeAnswer({ step, conversationId }: { step: ScriptRunStep; conversationId: string }) {
  const [open, setOpen] = useState(false);
  const [record, recording] = useRecordStepMutation();
  if (!open) {
    return (
      <button type="button" className="link-button small" onClick={() => setOpen(true)} aria-label={`Change the answer: ${shortText(step)}`}>
        Change
      </button>
    );
  }
  return (
    <div className="script-change">
      <AnswerControl
        step={step}
        busy={recording.isLoading}
        save={async (answer) => {
          const result = await record({ conversationId, stepId: step.id, ...(answer === undefined ? {} : { answer }) });
          if (!('error' in result)) setOpen(false);
          return !('error' in result);
        }}
      />
      <InlineError message={problemOf(recording.error, 'change the answer')} />
    </div>
  );
}

function MacroControl({
  step,
  conversationId,
  busy,
  save,
  onProblem,
}: {
  step: ScriptRunStep;
  conversationId: string;
  busy: boolean;
  save(answer?: string): Promise<boolean>;
  onProblem(message: string | null): void;
}) {
  const dispatch = useAppDispatch();
  const [fallback, setFallback] = useState(false);
  const [acting, setActing] = useState(false);
  const [verifying, setVerifying] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => setFallback(false), [step.id]);
  const argument = step.argument ?? '';

  const askPanel = async (panel: keyof typeof PANEL_NAMES, opened: boolean) => {
    if (opened) {
      await save();
      return;
    }
    onProblem(`The ${PANEL_NAMES[panel]} panel is not available here: do this step by hand, then mark it done.`);
    setFallback(true);
  };

  const run = async () => {
    onProblem(null);
    setActing(true);
    try {
      switch (step.action) {
        case 'verify-identity':
          setVerifying(true);
          return;
        case 'open-360-section':
          return await askPanel('patient-360', requestContextPanel('patient-360', { conversationId, section: P360_SECTION[argument] ?? argument }));
        case 'search-knowledge':
          return await askPanel('knowledge', requestContextPanel('knowledge', { conversationId, query: argument }));
        case 'send-article':
          return await askPanel('knowledge', requestContextPanel('knowledge', { conversationId, article: argument, send: true }));
        case 'book-appointment':
          return await askPanel('appointments', requestContextPanel('appointments', { conversationId, specialty: argument }));
        case 'add-note': {
          const failure = await dispatch(sendMessage(conversationId, argument, 'note'));
          if (failure) onProblem(failure);
          else if (await save()) dispatch(statusShown('Note added.'));
          return;
        }
        // These end the conversation's time with this agent: the step is recorded first (the close
        // guard counts it), then the action runs.
        case 'transfer-to-queue':
          if (!(await save())) return;
          return report(await dispatch(conversationAction('conversation:transfer', { conversationId, target: { kind: 'queue', queueId: argument } }, 'transfer the conversation')), 'Conversation transferred.');
        case 'set-disposition':
          if (!(await save())) return;
          return report(await dispatch(conversationAction('conversation:close', { conversationId, disposition: argument }, 'close the conversation')), 'Conversation closed.');
        case 'send-survey':
          if (!(await save())) return;
          return report(await dispatch(conversationAction('conversation:wrapup', { conversationId }, 'end the chat')), 'Chat ended: the survey is on its way.');
        default:
          setFallback(true);
      }
    } finally {
      setActing(false);
    }
  };
  const report = (failure: string | null, done: string) => {
    if (failure) onProblem(failure);
    else dispatch(statusShown(done));
  };

  return (
    <div className="script-macro">
      <button ref={buttonRef} type="button" className="button primary" disabled={busy || acting} onClick={() => void run()}>
        {step.actionLabel}
      </button>
      {step.action === 'add-note' ? <p className="muted small">Note: {argument}</p> : null}
      {fallback ? (
        <button type="button" className="button" disabled={busy} onClick={() => void save()}>
          Mark step done
        </button>
      ) : null}
      {verifying ? (
        <VerifyIdentityForm
          conversationId={conversationId}
          onVerified={async () => {
            setVerifying(false);
            await save();
          }}
          onCancel={() => {
            setVerifying(false);
            buttonRef.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}
