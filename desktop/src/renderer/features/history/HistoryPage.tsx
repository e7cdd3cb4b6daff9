/**
 * Conversation history: every conversation I took part in, those of my queues, or everyone's for
 * supervisors; open and closed; filtered by queue, agent, state, disposition and day, and searched by
 * words in the transcript or the patient's name (matches marked in a passage). `#/history/<id>` opens
 * one read-only beside the list: its transcript with notes, who took part, the wrap-up and the survey.
 * `/` (or Ctrl/⌘+F) puts the cursor in the search box.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { HistoryItem, SnippetPart } from '@carebridge/server/contracts';
import { useAppSelector } from '../../app/hooks.js';
import { selectUser } from '../../app/session/session-slice.js';
import { InlineError } from '../../common/InlineError.js';
import { navigate, useRoute } from '../../common/router.js';
import { CHANNEL_LABELS, FALLBACK_SETTINGS, STATE_LABELS, useGetColleaguesQuery, useGetConversationSettingsQuery } from '../conversations/index.js';
import { EMPTY_FILTERS, historyErrorText, useGetHistoryPageQuery, type HistoryFilters } from './history-api.js';
import { HistoryConversation } from './HistoryConversation.js';

const SUPERVISORS = new Set(['supervisor', 'admin']);
const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

export default function HistoryPage() {
  const route = useRoute();
  const openId = route[1] ?? null;
  const user = useAppSelector(selectUser);
  const supervisor = SUPERVISORS.has(user?.role ?? '');
  const [draft, setDraft] = useState<HistoryFilters>(() => ({ ...EMPTY_FILTERS, scope: supervisor ? 'all' : 'mine' }));
  const [applied, setApplied] = useState<HistoryFilters>(draft);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const searchRef = useRef<HTMLInputElement>(null);
  const settings = useGetConversationSettingsQuery().data ?? FALLBACK_SETTINGS;
  const agents = useGetColleaguesQuery(undefined, { skip: !supervisor }).data ?? [];
  const ids = { q: useId(), scope: useId(), state: useId(), queue: useId(), agent: useId(), disposition: useId(), from: useId(), to: useId() };

  const apply = (next: HistoryFilters) => {
    setApplied(next);
    setCursors([null]);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  // Choices apply at once; the words apply on Enter or Search.
  const choose = (patch: Partial<HistoryFilters>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    apply({ ...next, q: applied.q });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      if ((e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) || ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'f')) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <section className="workspace history" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">History</h1>
        <p className="muted">Find a conversation by a word from it, the patient’s name, or the filters; open it to read it back.</p>
      </header>
      <form role="search" aria-label="Search conversations" className="history-filters card" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={ids.q}>Words or patient name</label>
          <input
            ref={searchRef}
            id={ids.q}
            type="search"
            className="input"
            maxLength={200}
            value={draft.q}
            placeholder="e.g. refill inhaler"
            aria-keyshortcuts="/ Control+F Meta+F"
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.scope}>Whose</label>
          <select id={ids.scope} className="input" value={draft.scope} onChange={(e) => choose({ scope: e.target.value as HistoryFilters['scope'] })}>
            <option value="mine">Mine</option>
            <option value="team">My queues</option>
            {supervisor ? <option value="all">Everyone’s</option> : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.state}>State</label>
          <select id={ids.state} className="input" value={draft.state} onChange={(e) => choose({ state: e.target.value as HistoryFilters['state'] })}>
            <option value="any">Open and closed</option>
            <option value="open">Open</option>
            <option value="closed">Closed</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.queue}>Queue</label>
          <select id={ids.queue} className="input" value={draft.queue} onChange={(e) => choose({ queue: e.target.value })}>
            <option value="">Any queue</option>
            {settings.queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        </div>
        {supervisor ? (
          <div className="field">
            <label htmlFor={ids.agent}>Agent</label>
            <select id={ids.agent} className="input" value={draft.agentId} onChange={(e) => choose({ agentId: e.target.value })}>
              <option value="">Any agent</option>
              {agents.map((a) => (
                <option key={a.userId} value={a.userId}>
                  {a.displayName}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.disposition}>Disposition</label>
          <select id={ids.disposition} className="input" value={draft.disposition} onChange={(e) => choose({ disposition: e.target.value })}>
            <option value="">Any disposition</option>
            {settings.dispositions.map((d) => (
              <option key={d.code} value={d.code}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.from}>Started from</label>
          <input id={ids.from} type="date" className="input" value={draft.from} max={draft.to || undefined} onChange={(e) => choose({ from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>until</label>
          <input id={ids.to} type="date" className="input" value={draft.to} min={draft.from || undefined} onChange={(e) => choose({ to: e.target.value })} />
        </div>
        <div className="row end history-actions">
          <button type="button" className="button ghost" onClick={() => {
            const cleared = { ...EMPTY_FILTERS, scope: draft.scope };
            setDraft(cleared);
            apply(cleared);
          }}>
            Clear
          </button>
          <button type="submit" className="button primary">
            Search
          </button>
        </div>
      </form>
      <div className={`history-panes${openId ? ' with-detail' : ''}`}>
        <div className="history-results" aria-label="Conversations found" role="region">
          <table className="data-table history-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Patient</th>
                <th scope="col">Queue</th>
                <th scope="col">Agent</th>
                <th scope="col">State</th>
                <th scope="col">Disposition</th>
              </tr>
            </thead>
            {cursors.map((cursor, index) => (
              <ResultsPage
                key={cursor ?? 'first'}
                filters={applied}
                cursor={cursor}
                first={index === 0}
                last={index === cursors.length - 1}
                openId={openId}
                queueName={(id) => settings.queues.find((q) => q.id === id)?.name ?? id}
                onMore={(next) => setCursors((c) => [...c, next])}
              />
            ))}
          </table>
        </div>
        {openId ? <HistoryConversation id={openId} me={user?.id ?? ''} onClose={() => navigate('history')} /> : null}
      </div>
    </section>
  );
}

interface PageProps {
  filters: HistoryFilters;
  cursor: string | null;
  first: boolean;
  last: boolean;
  openId: string | null;
  queueName(id: string): string;
  onMore(cursor: string): void;
}

/** One page of results as a table body; the last page offers the next. */
function ResultsPage({ filters, cursor, first, last, openId, queueName, onMore }: PageProps) {
  const { data, error, isFetching } = useGetHistoryPageQuery({ filters, cursor }, { refetchOnMountOrArgChange: 30 });
  const errorText = historyErrorText(error);
  const items = data?.items ?? [];
  return (
    <tbody>
      {items.map((item) => (
        <ResultRow key={item.id} item={item} open={item.id === openId} queueName={queueName} />
      ))}
      {isFetching && !data ? (
        <tr>
          <td colSpan={6}>
            <p className="loading" role="status">
              Loading conversations…
            </p>
          </td>
        </tr>
      ) : null}
      {errorText ? (
        <tr>
          <td colSpan={6}>
            <InlineError message={errorText} />
          </td>
        </tr>
      ) : null}
      {first && data && items.length === 0 ? (
        <tr>
          <td colSpan={6}>
            <p className="muted empty-row" role="status">
              No conversations match{filters.q.trim() ? ` “${filters.q.trim()}”` : ''} with these filters.
            </p>
          </td>
        </tr>
      ) : null}
      {last && data?.nextCursor ? (
        <tr>
          <td colSpan={6}>
            <button type="button" className="button" onClick={() => onMore(data.nextCursor!)}>
              Show more conversations
            </button>
          </td>
        </tr>
      ) : null}
    </tbody>
  );
}

function ResultRow({ item, open, queueName }: { item: HistoryItem; open: boolean; queueName(id: string): string }) {
  return (
    <>
      <tr className={open ? 'selected' : undefined} aria-current={open ? 'true' : undefined}>
        <td className="tabular">
          <time dateTime={item.createdAt}>{when(item.createdAt)}</time>
        </td>
        <td>
          <a href={`#/history/${item.id}`} className="history-open" aria-label={`Open the conversation with ${item.patientName}, ${when(item.createdAt)}`}>
            {item.patientName}
          </a>
          {item.verified ? (
            <span className="badge verified small" title="Signed in to the portal: identity verified">
              Verified
            </span>
          ) : null}
          <div className="muted small">{CHANNEL_LABELS[item.channel] ?? item.channel}</div>
        </td>
        <td>{item.queue ? queueName(item.queue) : '—'}</td>
        <td>{item.agentName ?? (item.agentId ? 'A colleague' : '—')}</td>
        <td>{STATE_LABELS[item.state] ?? item.state}</td>
        <td>{item.disposition?.label ?? '—'}</td>
      </tr>
      {item.snippet ? (
        <tr className={`snippet-row${open ? ' selected' : ''}`}>
          <td colSpan={6}>
            <Snippet parts={item.snippet} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function Snippet({ parts }: { parts: readonly SnippetPart[] }) {
  return (
    <p className="snippet small">
      {parts.map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </p>
  );
}
