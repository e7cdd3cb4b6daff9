import { useEffect, useId, useRef, useState } from 'react';
import { conversationIdSchema } from '../../../shared/ipc-contract.js';
import { WorkspacePlaceholder } from '../../common/WorkspacePlaceholder.js';
import { getBridge, valueOr } from '../../common/bridge.js';
import { navigate, useRoute } from '../../common/router.js';
import { useAppSelector } from '../../app/hooks.js';
import { selectUser } from '../session/session-slice.js';

const SAVE_DELAY_MS = 400;
const DEFAULT_NOTE_ID = 'scratch';

type SaveState = 'loading' | 'idle' | 'saving' | 'saved' | 'failed';

/**
 * Conversations arrive with issue 4. Until then the page keeps a scratch note per conversation id
 * (#/conversations/<id>) through the bridge's crash-safe drafts, which is what a reply draft will use.
 */
export default function ConversationsPage() {
  const route = useRoute();
  const requested = route[1];
  const conversationId = requested && conversationIdSchema.safeParse(requested).success ? requested : DEFAULT_NOTE_ID;
  const user = useAppSelector(selectUser);
  return (
    <WorkspacePlaceholder
      title="Conversations"
      purpose="Chat, SMS and voice conversations offered to you, in one inbox."
      arrivesWith="live conversations and routing"
    >
      {requested && requested !== conversationId ? (
        <p role="alert" className="inline-error">
          “{requested}” is not a conversation id.
        </p>
      ) : null}
      {user ? <ScratchNote key={`${user.id}/${conversationId}`} userId={user.id} conversationId={conversationId} /> : null}
    </WorkspacePlaceholder>
  );
}

function ScratchNote({ userId, conversationId }: { userId: string; conversationId: string }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<SaveState>('loading');
  const timer = useRef<number | undefined>(undefined);
  const pending = useRef<string | null>(null);
  const inputId = useId();
  const [goTo, setGoTo] = useState('');

  useEffect(() => {
    let cancelled = false;
    void valueOr(getBridge().drafts.get(userId, conversationId), null).then((saved) => {
      if (cancelled) return;
      setText(saved ?? '');
      setState('idle');
    });
    return () => {
      cancelled = true;
    };
  }, [userId, conversationId]);

  const save = async (value: string) => {
    pending.current = null;
    setState('saving');
    const bridge = getBridge();
    const result = value === '' ? await bridge.drafts.clear(userId, conversationId) : await bridge.drafts.set(userId, conversationId, value);
    setState(result.ok ? 'saved' : 'failed');
  };

  // Whatever is still waiting for the debounce is written when the note goes away (runs once, on unmount).
  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      if (pending.current !== null) void save(pending.current);
    },
    [],
  );

  const onChange = (value: string) => {
    setText(value);
    pending.current = value;
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void save(value), SAVE_DELAY_MS);
  };

  const stateText = { loading: 'Loading…', idle: '', saving: 'Saving…', saved: 'Saved', failed: 'Could not save the note' }[state];

  return (
    <div className="card">
      <div className="card-header">
        <label htmlFor={inputId} className="card-title">
          Scratch note for conversation {conversationId}
        </label>
        <span className="muted small" role="status" aria-label="Note status">
          {stateText}
        </span>
      </div>
      <textarea
        id={inputId}
        className="textarea"
        rows={6}
        maxLength={20_000}
        value={text}
        disabled={state === 'loading'}
        placeholder="Notes you type here are kept on this device, even if the app closes."
        onChange={(e) => onChange(e.target.value)}
      />
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (conversationIdSchema.safeParse(goTo).success) navigate(`conversations/${goTo}`);
        }}
      >
        <label className="field inline">
          <span>Open conversation id</span>
          <input className="input" value={goTo} onChange={(e) => setGoTo(e.target.value)} pattern="[A-Za-z0-9_\-]{1,64}" />
        </label>
        <button type="submit" className="button">
          Open
        </button>
      </form>
    </div>
  );
}
