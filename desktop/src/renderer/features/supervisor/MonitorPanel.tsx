import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { SupervisedAgent } from '@carebridge/server/contracts';
import { useAppSelector } from '../../app/hooks.js';
import { InlineError } from '../../common/InlineError.js';
import { Transcript } from '../../common/transcript/Transcript.js';
import { selectUser } from '../../app/session/session-slice.js';
import { supervisorErrorText, useMonitorConversationQuery, useWhisperMutation } from './supervisor-api.js';

/** A silent, live, read-only view of a conversation (notes and whispers included) and the whisper box. */
export function MonitorPanel({ conversationId, name, agents, focusWhisper, onStop }: { conversationId: string; name: string; agents: SupervisedAgent[]; focusWhisper: boolean; onStop(): void }) {
  const me = useAppSelector(selectUser)?.id ?? '';
  const { data, error, isLoading } = useMonitorConversationQuery(conversationId);
  const [whisper, { isLoading: sending }] = useWhisperMutation();
  const [text, setText] = useState('');
  const [sendError, setSendError] = useState<string | null>(null);
  const whisperRef = useRef<HTMLTextAreaElement>(null);
  const titleId = useId();
  const names = useMemo(() => {
    const out: Record<string, string> = {};
    for (const a of agents) out[a.userId] = a.displayName;
    for (const p of data?.conversation.participants ?? []) if (p.displayName) out[p.userId] = p.displayName;
    return out;
  }, [agents, data?.conversation.participants]);

  useEffect(() => {
    if (focusWhisper) whisperRef.current?.focus();
  }, [focusWhisper, data]);

  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    const body = text.trim();
    if (!body) return;
    setSendError(null);
    const result = await whisper({ conversationId, body, clientMessageId: crypto.randomUUID() });
    if ('error' in result && result.error) setSendError(supervisorErrorText(result.error));
    else setText('');
  };

  return (
    <section className="card monitor" aria-labelledby={titleId}>
      <div className="card-header">
        <h2 id={titleId}>Monitoring {name}</h2>
        <button type="button" className="button" onClick={onStop}>
          Stop monitoring
        </button>
      </div>
      <p className="muted small">Silent: nobody in the chat is told. Whispers reach the agents only.</p>
      {isLoading ? (
        <p className="loading" role="status">
          Loading the transcript…
        </p>
      ) : null}
      <InlineError message={supervisorErrorText(error)} />
      {data ? <Transcript label={`Monitored transcript with ${name}`} messages={data.messages} me={me} names={names} patientName={name} mentionNames={agents.map((a) => a.displayName)} /> : null}
      <form className="composer composer-whisper" onSubmit={(e) => void send(e)}>
        <textarea
          ref={whisperRef}
          className="textarea composer-input"
          aria-label="Whisper to the agent"
          rows={2}
          maxLength={4000}
          value={text}
          placeholder="Only the agents in this conversation see a whisper."
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        {sendError ? (
          <p role="alert" className="inline-error small">
            {sendError}
          </p>
        ) : null}
        <div className="row">
          <button type="submit" className="button primary" disabled={sending || text.trim() === ''}>
            Send whisper
          </button>
        </div>
      </form>
    </section>
  );
}
