/**
 * The conversation view's "Knowledge" context panel: search the knowledge base (starting from the
 * patient's own words in the bot's hand-off, when there are some), results with the matched words
 * marked, a preview of one article, "Send to patient" (an article card with a link to read it in the
 * portal) and "Insert excerpt" (the chosen passage into the message box, to edit before sending).
 */
import { useContextRequest } from '../../common/context-requests.js';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { KnowledgeLanguage, KnowledgeSearchResult } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { insertIntoComposer } from '../../common/composer-insert.js';
import type { ContextPanelProps } from '../../common/context-panels.js';
import { InlineError } from '../../common/InlineError.js';
import { articleCard, prefilledQuery } from './knowledge-card.js';
import { useGetArticleQuery, useSearchKnowledgeQuery, useSendCardMutation } from './knowledge-api.js';
import { Snippet } from './Snippet.js';

const SEARCH_DELAY_MS = 250;
const OPEN_STATES = new Set(['bot', 'queued', 'offered', 'active', 'waiting']);

export default function KnowledgePanel({ conversationId, conversation, packet }: ContextPanelProps) {
  const [text, setText] = useState(() => prefilledQuery(packet));
  const [query, setQuery] = useState(text);
  const [language, setLanguage] = useState<'' | KnowledgeLanguage>(packet?.language === 'es' ? 'es' : '');
  const [selected, setSelected] = useState<string | null>(null);
  // A script's search-knowledge or send-article step: search its words, or open its article to send.
  useContextRequest('knowledge', (detail) => {
    if (detail.conversationId !== conversationId) return;
    if (detail.query) {
      setText(detail.query);
      setQuery(detail.query);
    }
    if (detail.article) setSelected(detail.article);
  });
  const ids = { q: useId(), language: useId(), results: useId() };
  const timer = useRef<number | undefined>(undefined);

  // Search as the agent types, after a short pause.
  useEffect(() => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setQuery(text.trim()), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer.current);
  }, [text]);

  const { data, isFetching, error } = useSearchKnowledgeQuery({ q: query, limit: 8, ...(language ? { language } : {}) }, { skip: query === '' });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(text.trim());
  };

  return (
    <div className="knowledge-panel">
      <form role="search" aria-label="Search the knowledge base" onSubmit={submit} className="knowledge-search">
        <div className="field">
          <label htmlFor={ids.q}>Search articles</label>
          <input id={ids.q} type="search" className="input" maxLength={200} value={text} placeholder="e.g. refill, high blood pressure" aria-controls={ids.results} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="field inline">
          <label htmlFor={ids.language}>Language</label>
          <select id={ids.language} className="input" value={language} onChange={(e) => setLanguage(e.target.value as '' | KnowledgeLanguage)}>
            <option value="">Any</option>
            <option value="en">English</option>
            <option value="es">Spanish</option>
          </select>
        </div>
      </form>
      <div id={ids.results} aria-live="polite" aria-busy={isFetching}>
        {query === '' ? <p className="muted small">Type a few words a patient would use, such as “refill” or “high blood pressure”.</p> : null}
        {query !== '' && isFetching && !data ? (
          <p className="muted small" role="status">
            Searching…
          </p>
        ) : null}
        <InlineError message={error ? (requestErrorText(error) ?? 'The search failed.') : null} />
        {query !== '' && data ? (
          <>
            {data.correctedQuery ? <p className="muted small">Showing results for “{data.correctedQuery}”.</p> : null}
            {data.results.length === 0 ? (
              <p className="muted small" role="status">
                No article matches “{query}”. Try other words.
              </p>
            ) : (
              <ul className="knowledge-results" aria-label="Articles found">
                {data.results.map((result) => (
                  <ResultItem key={result.id} result={result} open={selected === result.id} onOpen={() => setSelected(selected === result.id ? null : result.id)} />
                ))}
              </ul>
            )}
          </>
        ) : null}
      </div>
      {selected ? <ArticlePreview key={selected} id={selected} conversationId={conversationId} canSend={OPEN_STATES.has(conversation.state)} onClose={() => setSelected(null)} /> : null}
    </div>
  );
}

function ResultItem({ result, open, onOpen }: { result: KnowledgeSearchResult; open: boolean; onOpen(): void }) {
  return (
    <li className={`knowledge-result${open ? ' selected' : ''}`}>
      <button type="button" className="link-button knowledge-result-title" aria-expanded={open} onClick={onOpen}>
        {result.title}
      </button>
      <span className="muted small">
        {result.audience === 'agent' ? ' · For staff' : ''}
        {result.language === 'es' ? ' · Español' : ''}
      </span>
      <Snippet parts={result.snippet} />
    </li>
  );
}

function ArticlePreview({ id, conversationId, canSend, onClose }: { id: string; conversationId: string; canSend: boolean; onClose(): void }) {
  const { data: article, isLoading, error } = useGetArticleQuery(id);
  const [sendCard, sending] = useSendCardMutation();
  const [excerpt, setExcerpt] = useState(0);
  const [status, setStatus] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const clientMessageId = useRef(crypto.randomUUID());
  const headingId = useId();
  const groupName = useId();

  if (isLoading) {
    return (
      <p className="muted small" role="status">
        Loading the article…
      </p>
    );
  }
  if (error || !article) return <InlineError message={requestErrorText(error) ?? 'The article could not be loaded.'} />;

  const forStaffOnly = article.audience === 'agent';
  const send = async () => {
    setProblem(null);
    setStatus(null);
    const result = await sendCard({ conversationId, card: articleCard(article), clientMessageId: clientMessageId.current });
    if ('error' in result) setProblem(requestErrorText(result.error) ?? 'The article could not be sent.');
    else {
      setStatus(`Sent “${article.title}” to the patient.`);
      clientMessageId.current = crypto.randomUUID();
    }
  };
  const insert = () => {
    setProblem(null);
    const passage = article.excerpts[excerpt];
    if (!passage) return;
    if (insertIntoComposer(conversationId, passage)) setStatus('Excerpt put in the message box: edit it, then send it.');
    else setProblem('The message box is not open for this conversation.');
  };

  return (
    <section className="knowledge-preview" aria-labelledby={headingId}>
      <div className="knowledge-preview-header">
        <h4 id={headingId}>{article.title}</h4>
        <button type="button" className="button ghost small" onClick={onClose}>
          Close preview
        </button>
      </div>
      <p className="small">{article.summary}</p>
      <p className="muted small">
        {forStaffOnly ? 'For staff only · ' : ''}
        Reviewed by {article.owner} · next review {article.reviewDate}
        {article.translations.length > 0 ? ` · also in ${article.translations.map((t) => (t.language === 'es' ? 'Spanish' : 'English')).join(', ')}` : ''}
      </p>
      {article.excerpts.length > 0 ? (
        <fieldset className="knowledge-excerpts">
          <legend className="small">Choose a passage to insert</legend>
          {article.excerpts.map((passage, i) => (
            <label key={i} className="knowledge-excerpt small">
              <input type="radio" name={groupName} checked={excerpt === i} onChange={() => setExcerpt(i)} />
              <span>{passage}</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="knowledge-actions">
        <button type="button" className="button" onClick={insert} disabled={!canSend || article.excerpts.length === 0}>
          Insert excerpt
        </button>
        <button type="button" className="button primary" onClick={() => void send()} disabled={!canSend || forStaffOnly || sending.isLoading}>
          {sending.isLoading ? 'Sending…' : 'Send to patient'}
        </button>
      </div>
      {forStaffOnly ? <p className="muted small">Articles for staff cannot be sent to patients.</p> : null}
      {!canSend ? <p className="muted small">The conversation has ended: nothing more can be sent.</p> : null}
      {status ? (
        <p className="ok small" role="status">
          {status}
        </p>
      ) : null}
      <InlineError message={problem} />
    </section>
  );
}
