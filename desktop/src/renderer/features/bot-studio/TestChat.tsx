/**
 * The test chat: runs the scenario's saved draft (else its published version) as a patient would
 * meet it (Markdown rendered, sanitized), on the Direct Line–shaped API (`draft: true`, bot authors only). Bot replies with their
 * choices as buttons, cards as their text; a hand-off says what it would have been (no agent gets a
 * test chat). Restart begins a new conversation from the scenario's first step.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useAppSelector } from '../../app/hooks.js';
import { selectSession } from '../../app/session/session-slice.js';
import { InlineError } from '../../common/InlineError.js';
import { markdownToSafeHtml } from '../../common/markdown.js';
import { problemOf, useStartTestChatMutation } from './bot-studio-api.js';
import { readTestActivities, sendTestMessage, type TestActivity, type TestChatSession } from './test-chat-client.js';

type Locale = 'en-US' | 'es-US';

export function TestChat({ trigger, runs, unsaved }: { trigger: string; runs: string; unsaved: boolean }) {
  const { serverUrl } = useAppSelector(selectSession);
  const [start, starting] = useStartTestChatMutation();
  const [session, setSession] = useState<(TestChatSession & { watermark: string }) | null>(null);
  const [activities, setActivities] = useState<TestActivity[]>([]);
  const [text, setText] = useState('');
  const [locale, setLocale] = useState<Locale>('en-US');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const headingId = useId();
  const inputId = useId();
  const localeId = useId();
  const logRef = useRef<HTMLOListElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    logRef.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [activities]);

  const read = async (s: TestChatSession & { watermark: string }) => {
    const page = await readTestActivities(s, s.watermark);
    setActivities((a) => [...a, ...page.activities]);
    setSession({ ...s, watermark: page.watermark });
    return page;
  };

  const begin = async () => {
    setProblem(null);
    setActivities([]);
    setSession(null);
    const result = await start({ trigger, locale });
    if ('error' in result) {
      setProblem(problemOf(result.error, 'start the test chat'));
      return;
    }
    if (!result.data.token) {
      setProblem('Could not start the test chat: the server sent no chat token.');
      return;
    }
    try {
      await read({ serverUrl, conversationId: result.data.conversationId, token: result.data.token, watermark: '0' });
      inputRef.current?.focus();
    } catch (err) {
      setProblem(`Could not read the test chat: ${(err as Error).message}`);
    }
  };

  const send = async (message: string) => {
    if (!session || message.trim() === '' || busy) return;
    setBusy(true);
    setProblem(null);
    try {
      await sendTestMessage(session, message.trim());
      setText('');
      await read(session);
    } catch (err) {
      setProblem(`Could not send: ${(err as Error).message}`);
    } finally {
      setBusy(false);
      inputRef.current?.focus();
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void send(text);
  };

  const last = activities.at(-1);
  const choices = last && last.from.role !== 'user' ? (last.suggestedActions?.actions ?? []) : [];
  return (
    <section className="bot-test-chat card" aria-labelledby={headingId}>
      <h3 id={headingId} className="card-title">
        Test chat <span className="muted small">— runs {runs}</span>
      </h3>
      {unsaved ? <p className="muted small">The test chat runs what is saved: save the draft to try your changes.</p> : null}
      <div className="bot-test-controls">
        <div className="field inline">
          <label htmlFor={localeId}>Language</label>
          <select id={localeId} className="input" value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
            <option value="en-US">English (en-US)</option>
            <option value="es-US">Spanish (es-US)</option>
          </select>
        </div>
        <button type="button" className="button" disabled={starting.isLoading} onClick={() => void begin()}>
          {session ? 'Restart test chat' : 'Start test chat'}
        </button>
      </div>
      {session ? (
        <>
          <div role="log" aria-label="Test chat messages" className="bot-test-log-frame">
          <ol className="bot-test-log" ref={logRef}>
            {activities.map((a) => (
              <li key={a.id} className={`bot-test-message from-${a.from.role}`}>
                <span className="visually-hidden">{a.from.role === 'user' ? 'You: ' : a.from.role === 'bot' ? 'Bot: ' : 'Agent: '}</span>
                {a.textFormat === 'markdown' && a.from.role !== 'user' ? <span className="bot-test-text markdown" dangerouslySetInnerHTML={{ __html: markdownToSafeHtml(a.text) }} /> : <span className="bot-test-text">{a.text}</span>}
                {a.attachments?.length ? <span className="muted small"> ({a.attachments.length === 1 ? 'a card' : `${a.attachments.length} cards`})</span> : null}
              </li>
            ))}
          </ol>
          </div>
          {choices.length > 0 ? (
            <div className="bot-test-choices" role="group" aria-label="Choices offered">
              {choices.map((c) => (
                <button key={c.value} type="button" className="button" disabled={busy} onClick={() => void send(c.value)}>
                  {c.title}
                </button>
              ))}
            </div>
          ) : null}
          <p className="muted small" role="status">
            {busy ? 'The bot is answering…' : ''}
          </p>
          <form className="bot-test-form" onSubmit={onSubmit}>
            <label htmlFor={inputId} className="visually-hidden">
              Message to the bot
            </label>
            <input id={inputId} ref={inputRef} className="input" value={text} maxLength={2000} onChange={(e) => setText(e.target.value)} placeholder="Type as a patient would" autoComplete="off" />
            <button type="submit" className="button primary" disabled={busy || text.trim() === ''}>
              Send
            </button>
          </form>
        </>
      ) : starting.isLoading ? (
        <p className="loading small" role="status">
          Starting the test chat…
        </p>
      ) : (
        <p className="muted">Start a test chat to talk to this scenario as a patient would.</p>
      )}
      <InlineError message={problem} />
    </section>
  );
}
