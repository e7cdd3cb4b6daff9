import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { AgentSummary, QuickReply } from '@carebridge/server/contracts';
import {
  exactQuickReply,
  insertMention,
  interpretComposer,
  mentionQueryAt,
  mentionSuggestions,
  quickReplyQuery,
  quickReplySuggestions,
  type MentionQuery,
} from './composer.js';
import { withInsertedText } from '../../common/composer-insert.js';

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;

export interface ComposerProps {
  /** The user writing (left out of the @mention suggestions). */
  userId: string;
  patientName: string;
  /** A consultant not yet added writes notes only. */
  notesOnly: boolean;
  quickReplies: readonly QuickReply[];
  colleagues: readonly AgentSummary[];
  /** The kept draft of this conversation; null while it loads (the box is disabled until then). */
  draft: string | null;
  /** Every change of the text, to keep the draft (the container debounces). */
  onDraftChange(text: string): void;
  onSend(body: string, kind: 'text' | 'note'): Promise<string | null>;
  onTyping(typing: boolean): void;
  onAttach(file: File): Promise<string | null>;
  onTransfer(): void;
  onConsult(): void;
  /** Text put in from elsewhere (the Knowledge panel's excerpts): subscribe, get an unsubscribe back. */
  subscribeInserts?(onInsert: (text: string) => void): () => void;
}

type Suggestions =
  | { kind: 'quick'; items: QuickReply[] }
  | { kind: 'mention'; items: AgentSummary[]; mention: MentionQuery }
  | null;

/**
 * The reply box, presentational (props in, callbacks out; `ComposerContainer` connects it): Enter
 * sends, Shift+Enter adds a line; `/q` quick replies, `/n` or the switch for internal notes with
 * @mentions, `/t` transfer, `/c` consult. It owns only what is being typed, the suggestions and the
 * typing signal's timing.
 */
export function Composer(props: ComposerProps) {
  const { userId, notesOnly, quickReplies, colleagues, draft } = props;
  const [text, setText] = useState('');
  const [noteMode, setNoteMode] = useState(notesOnly);
  const loaded = draft !== null;
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const [caret, setCaret] = useState(0);
  const [sending, setSending] = useState(false);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const typingSentAt = useRef(0);
  const typingIdle = useRef<number | undefined>(undefined);
  const listId = useId();
  const hintId = useId();
  const notes = notesOnly || noteMode;
  // "/n …" sends a note: the switch shows it while it is typed.
  const noteCommand = NOTE_COMMAND.test(text);
  const notesShown = notes || noteCommand;

  useEffect(() => setNoteMode(notesOnly), [notesOnly]);

  // The kept draft arrives once: it fills an untouched box.
  useEffect(() => {
    if (draft !== null) setText((current) => (current === '' ? draft : current));
  }, [draft]);
  useEffect(() => () => window.clearTimeout(typingIdle.current), []);

  const stopTyping = () => {
    window.clearTimeout(typingIdle.current);
    if (typingSentAt.current > 0) props.onTyping(false);
    typingSentAt.current = 0;
  };

  const change = (value: string, at: number) => {
    setText(value);
    setCaret(at);
    setError(null);
    props.onDraftChange(value);
    if (!notes && value.trim() !== '' && !value.startsWith('/')) {
      if (Date.now() - typingSentAt.current > TYPING_REPEAT_MS) {
        typingSentAt.current = Date.now();
        props.onTyping(true);
      }
      window.clearTimeout(typingIdle.current);
      typingIdle.current = window.setTimeout(stopTyping, TYPING_IDLE_MS);
    } else if (value.trim() === '') stopTyping();
  };

  const setValue = (value: string, at = value.length) => {
    change(value, at);
    requestAnimationFrame(() => {
      textareaRef.current?.focus();
      textareaRef.current?.setSelectionRange(at, at);
    });
  };

  // An excerpt inserted from a context panel goes after what is typed, for the agent to edit.
  const latest = useRef({ text, setValue });
  latest.current = { text, setValue };
  const { subscribeInserts } = props;
  useEffect(() => subscribeInserts?.((inserted) => latest.current.setValue(withInsertedText(latest.current.text, inserted))), [subscribeInserts]);

  const quickQuery = quickReplyQuery(text);
  const mention = notes || text.startsWith('/n ') ? mentionQueryAt(text, caret) : null;
  let suggestions: Suggestions = null;
  if (quickQuery !== null && dismissed !== text) suggestions = { kind: 'quick', items: quickReplySuggestions(quickReplies, quickQuery) };
  else if (mention && dismissed !== text) {
    const items = mentionSuggestions(colleagues, mention.query, userId);
    if (items.length > 0) suggestions = { kind: 'mention', items, mention };
  }
  const shownCount = suggestions?.items.length ?? 0;
  const current = Math.min(active, Math.max(0, shownCount - 1));

  const choose = (index: number) => {
    if (!suggestions) return;
    if (suggestions.kind === 'quick') {
      const reply = suggestions.items[index];
      if (reply) setValue(reply.body);
    } else {
      const agent = suggestions.items[index];
      if (agent) {
        const next = insertMention(text, suggestions.mention, caret, agent.displayName);
        setValue(next.text, next.caret);
      }
    }
    setActive(0);
  };

  const submit = async () => {
    const intent = interpretComposer(text, notes);
    switch (intent.kind) {
      case 'empty':
        return;
      case 'quick-reply': {
        const exact = exactQuickReply(quickReplies, intent.query);
        if (exact) setValue(exact.body);
        else setError(intent.query ? `No quick reply is called “${intent.query}”. Pick one from the list.` : 'Type the quick reply’s shortcut after /q, or pick one from the list.');
        return;
      }
      case 'note-mode':
        if (!notesOnly) setNoteMode(true);
        setValue('');
        return;
      case 'transfer':
        setValue('');
        props.onTransfer();
        return;
      case 'consult':
        setValue('');
        props.onConsult();
        return;
      case 'unknown-command':
        setError(`${intent.command} is not a command. Use /q, /n, /t or /c, or start with // to send a slash.`);
        return;
      case 'send': {
        if (notesOnly && intent.messageKind === 'text') return;
        // The message shows at once as "Sending…" in the transcript; a refusal shows there with Retry.
        setSending(true);
        stopTyping();
        setValue('');
        const failure = await props.onSend(intent.body, intent.messageKind);
        setSending(false);
        if (failure) setError(failure);
      }
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions && shownCount > 0) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((current + 1) % shownCount);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((current - 1 + shownCount) % shownCount);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissed(text);
        return;
      }
      // Enter on a complete `/q shortcut` takes that reply; otherwise the highlighted suggestion.
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey && !(suggestions.kind === 'quick' && exactQuickReply(quickReplies, quickQuery ?? '')))) {
        e.preventDefault();
        choose(current);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };

  const attach = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    const failure = await props.onAttach(file);
    if (failure) setError(failure);
    if (fileRef.current) fileRef.current.value = '';
  };

  return (
    <div className={`composer${notes ? ' composer-note' : ''}`}>
      {suggestions && shownCount > 0 ? (
        <ul id={listId} role="listbox" className="suggestions" aria-label={suggestions.kind === 'quick' ? 'Quick replies' : 'Colleagues'}>
          {suggestions.kind === 'quick'
            ? suggestions.items.map((reply, i) => (
                <li key={reply.shortcut} id={`${listId}-${i}`} role="option" aria-selected={i === current} className={i === current ? 'active' : undefined} onMouseDown={(e) => (e.preventDefault(), choose(i))}>
                  <strong>/{reply.shortcut}</strong> <span className="muted">{reply.title}</span>
                </li>
              ))
            : suggestions.items.map((agent, i) => (
                <li key={agent.userId} id={`${listId}-${i}`} role="option" aria-selected={i === current} className={i === current ? 'active' : undefined} onMouseDown={(e) => (e.preventDefault(), choose(i))}>
                  {agent.displayName} <span className="muted small">{agent.presence}</span>
                </li>
              ))}
        </ul>
      ) : null}
      {suggestions?.kind === 'quick' && shownCount === 0 ? (
        <p className="muted small" role="status">
          {quickReplies.length === 0 ? 'No quick replies are configured.' : `No quick reply matches “${quickQuery}”.`}
        </p>
      ) : null}
      <textarea
        ref={textareaRef}
        className="textarea composer-input"
        aria-label="Message"
        aria-describedby={hintId}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={shownCount > 0}
        aria-controls={shownCount > 0 ? listId : undefined}
        aria-activedescendant={shownCount > 0 ? `${listId}-${current}` : undefined}
        rows={3}
        maxLength={4000}
        value={text}
        disabled={!loaded}
        placeholder={notes ? 'Internal note — staff only. @name mentions a colleague.' : `Reply to ${props.patientName}…  (/q quick reply, /n note, /t transfer, /c consult)`}
        onChange={(e) => change(e.target.value, e.target.selectionStart)}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
        onBlur={stopTyping}
      />
      <p id={hintId} className="visually-hidden">
        Enter sends, Shift+Enter adds a line. {notesShown ? 'This is an internal note: the patient never sees it.' : ''}
      </p>
      {error ? (
        <p role="alert" className="inline-error small">
          {error}
        </p>
      ) : null}
      <div className="composer-actions row">
        <label className="check switch">
          <input
            type="checkbox"
            role="switch"
            checked={notesShown}
            disabled={notesOnly}
            onChange={(e) => {
              setNoteMode(e.target.checked);
              // Unticked while "/n …" is typed: the text stays, as a message to the patient.
              if (!e.target.checked && noteCommand) setText(text.replace(NOTE_COMMAND, ''));
            }}
          />
          Internal note
        </label>
        {notesOnly ? <span className="muted small">You are consulting: notes only until the agent adds you to the chat.</span> : null}
        <span className="spacer" />
        <input ref={fileRef} type="file" className="visually-hidden" aria-label="File to attach" accept="image/png,image/jpeg,image/gif,image/webp,application/pdf" onChange={(e) => void attach(e.target.files?.[0])} tabIndex={-1} />
        <button type="button" className="button" disabled={notesOnly} onClick={() => fileRef.current?.click()}>
          Attach file
        </button>
        <button type="button" className="button primary" disabled={sending || text.trim() === ''} onClick={() => void submit()}>
          {notes ? 'Add note' : 'Send'}
        </button>
      </div>
    </div>
  );
}

const NOTE_COMMAND = /^\s*\/n(?:ote)?(?:\s+|$)/i;
