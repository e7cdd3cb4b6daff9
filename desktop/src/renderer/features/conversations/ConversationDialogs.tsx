import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type { AgentSummary, ConversationSettingsResponse } from '@carebridge/server/contracts';
import { DialogForm } from '../../common/DialogForm.js';
import { InlineError } from '../../common/InlineError.js';
import { useGetWrapupSummaryQuery } from './conversations-api.js';

const PRESENCE_WORDS: Record<string, string> = { available: 'available', busy: 'busy', away: 'away', offline: 'offline' };
const agentOption = (a: AgentSummary) => `${a.displayName} — ${PRESENCE_WORDS[a.presence] ?? a.presence}, ${a.load}/${a.capacity}`;

interface ColleagueFieldProps {
  colleagues: readonly AgentSummary[];
  value: string;
  onChange(agentId: string): void;
  autoFocus?: boolean;
}

/** "Colleague": a choice of the other agents who are signed in, with their presence and load. */
function ColleagueField({ colleagues, value, onChange, autoFocus = false }: ColleagueFieldProps) {
  const id = useId();
  // An offline colleague could not take the chat or answer a consult.
  const reachable = colleagues.filter((a) => a.presence !== 'offline');
  return (
    <div className="field">
      <label htmlFor={id}>Colleague</label>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)} data-autofocus={autoFocus ? true : undefined}>
        <option value="">{reachable.length === 0 ? 'No colleague is signed in' : 'Choose…'}</option>
        {reachable.map((a) => (
          <option key={a.userId} value={a.userId}>
            {agentOption(a)}
          </option>
        ))}
      </select>
    </div>
  );
}

interface TransferProps {
  colleagues: readonly AgentSummary[];
  queues: ConversationSettingsResponse['queues'];
  onClose(): void;
  onTransfer(target: { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string }, note: string): Promise<string | null>;
}

/** `/t`: to a colleague (they get it at once, with the note) or back into a queue. */
export function TransferDialog({ colleagues, queues, onClose, onTransfer }: TransferProps) {
  const [kind, setKind] = useState<'agent' | 'queue'>('agent');
  const [agentId, setAgentId] = useState('');
  const [queueId, setQueueId] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { queue: useId(), note: useId() };
  const submit = async () => {
    if (kind === 'agent' && !agentId) return setError('Choose the colleague to transfer to.');
    if (kind === 'queue' && !queueId) return setError('Choose the queue to transfer to.');
    setBusy(true);
    const failure = await onTransfer(kind === 'agent' ? { kind, agentId } : { kind, queueId }, note.trim());
    setBusy(false);
    if (failure) setError(failure);
    else onClose();
  };
  return (
    <DialogForm title="Transfer conversation" onClose={onClose} onSubmit={submit} confirmLabel="Transfer" error={error} busy={busy}>
      <p className="muted small">The chat and its transcript move to them with your note, and leave your tabs.</p>
      <fieldset className="field">
        <legend>Transfer to</legend>
        <label className="check">
          <input type="radio" name="transfer-kind" checked={kind === 'agent'} onChange={() => setKind('agent')} data-autofocus />
          A colleague
        </label>
        <label className="check">
          <input type="radio" name="transfer-kind" checked={kind === 'queue'} onChange={() => setKind('queue')} />
          A queue
        </label>
      </fieldset>
      {kind === 'agent' ? (
        <ColleagueField colleagues={colleagues} value={agentId} onChange={setAgentId} />
      ) : (
        <div className="field">
          <label htmlFor={ids.queue}>Queue</label>
          <select id={ids.queue} className="input" value={queueId} onChange={(e) => setQueueId(e.target.value)}>
            <option value="">Choose…</option>
            {queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={ids.note}>Note for the colleague (optional)</label>
        <textarea id={ids.note} className="textarea short" maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
    </DialogForm>
  );
}

interface ConsultProps {
  colleagues: readonly AgentSummary[];
  onClose(): void;
  onConsult(agentId: string, note: string): Promise<string | null>;
}

/** `/c`: invite a colleague to read along and write notes (read-only for the patient until added). */
export function ConsultDialog({ colleagues, onClose, onConsult }: ConsultProps) {
  const [agentId, setAgentId] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const noteId = useId();
  const submit = async () => {
    if (!agentId) return setError('Choose the colleague to consult.');
    setBusy(true);
    const failure = await onConsult(agentId, note.trim());
    setBusy(false);
    if (failure) setError(failure);
    else onClose();
  };
  return (
    <DialogForm title="Consult a colleague" onClose={onClose} onSubmit={submit} confirmLabel="Invite" error={error} busy={busy}>
      <ColleagueField colleagues={colleagues} value={agentId} onChange={setAgentId} autoFocus />
      <div className="field">
        <label htmlFor={noteId}>Question for the colleague (optional)</label>
        <textarea id={noteId} className="textarea short" maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
    </DialogForm>
  );
}

interface WrapupProps {
  /** Whose wrap-up: its extractive summary pre-fills the notes. */
  conversationId: string;
  settings: ConversationSettingsResponse;
  onClose(disposition: string | undefined, notes: string): Promise<string | null>;
  /** The patient ended the chat (it is closed already): the button records the wrap-up. */
  endedByPatient?: boolean;
}

/** After "End chat" (or the patient's ending): disposition (required when the clinic says so) and notes, then Close. */
export function WrapupPanel({ conversationId, settings, onClose, endedByPatient = false }: WrapupProps) {
  const [disposition, setDisposition] = useState('');
  const [notes, setNotes] = useState('');
  // The summary drafted from the transcript goes into the notes once, unless the agent typed first.
  const summary = useGetWrapupSummaryQuery(conversationId);
  const [drafted, setDrafted] = useState(false);
  const draft = summary.data?.text;
  useEffect(() => {
    if (drafted || draft === undefined) return;
    setDrafted(true);
    setNotes((current) => (current.trim() === '' ? draft : current));
  }, [drafted, draft]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { disposition: useId(), notes: useId(), title: useId(), hint: useId() };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (settings.requireDisposition && !disposition) return setError('Choose a disposition before closing.');
    setBusy(true);
    const failure = await onClose(disposition || undefined, notes.trim());
    setBusy(false);
    if (failure) setError(failure);
  };
  return (
    <form className="wrapup card" aria-labelledby={ids.title} onSubmit={(e) => void submit(e)}>
      <h3 id={ids.title}>Wrap-up</h3>
      <p className="muted small">
        {endedByPatient ? 'The patient ended the chat. Record the outcome to finish it.' : 'The chat has ended for the patient. Record the outcome and close the conversation.'}
      </p>
      <div className="field">
        <label htmlFor={ids.disposition}>Disposition{settings.requireDisposition ? ' (required)' : ''}</label>
        <select id={ids.disposition} className="input" value={disposition} aria-required={settings.requireDisposition} onChange={(e) => setDisposition(e.target.value)}>
          <option value="">{settings.dispositions.length ? 'Choose…' : 'No dispositions configured'}</option>
          {settings.dispositions.map((d) => (
            <option key={d.code} value={d.code}>
              {d.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.notes}>Wrap-up notes</label>
        <textarea id={ids.notes} className="textarea short" maxLength={4000} value={notes} aria-describedby={ids.hint} onChange={(e) => setNotes(e.target.value)} />
        <p id={ids.hint} className="muted small" role="status">
          {summary.isLoading ? 'Drafting a summary from the conversation…' : drafted ? 'A summary drafted from the conversation: check and edit it before closing.' : ''}
        </p>
      </div>
      <InlineError message={error} />
      <div className="row">
        <button type="submit" className="button primary" disabled={busy}>
          {endedByPatient ? 'Save wrap-up' : 'Close conversation'}
        </button>
      </div>
    </form>
  );
}

interface ConfirmProps {
  title: string;
  confirmLabel: string;
  onClose(): void;
  /** Resolves to the failure to show in the dialog, or null once done (the dialog then closes). */
  onConfirm(): Promise<string | null>;
  children: ReactNode;
}

/** "Are you sure?" for an action that cannot be taken back (End chat, Hand back to bot): Cancel is the default. */
export function ConfirmDialog({ title, confirmLabel, onClose, onConfirm, children }: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setBusy(true);
    const failure = await onConfirm();
    setBusy(false);
    if (failure) setError(failure);
    else onClose();
  };
  return (
    <DialogForm title={title} onClose={onClose} onSubmit={submit} confirmLabel={confirmLabel} error={error} busy={busy} destructive>
      <p>{children}</p>
    </DialogForm>
  );
}
