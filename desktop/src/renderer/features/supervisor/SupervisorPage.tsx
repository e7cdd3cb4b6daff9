/**
 * The supervisor's live picture: queues (with a bar chart of who waits where), agents' presence
 * and load, and every ongoing conversation (virtualized) with Monitor, Whisper, Join, Reassign and
 * Force close. Subscribed while the workspace is open.
 */
import { Suspense, useId, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { SupervisedAgent, SupervisedConversation, SupervisedQueue } from '@carebridge/server/contracts';
import { useAppDispatch } from '../../app/hooks.js';
import { reasonDetails, shortReason } from '../../common/assignment-reason.js';
import { DialogForm } from '../../common/DialogForm.js';
import { InlineError } from '../../common/InlineError.js';
import { navigate } from '../../common/router.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { MonitorPanel } from './MonitorPanel.js';
import {
  supervisorErrorText,
  useForceCloseConversationMutation,
  useGetSupervisorSnapshotQuery,
  useJoinConversationMutation,
  useReassignConversationMutation,
} from './supervisor-api.js';
import { SurveyResults } from './SurveyResults.js';
import { SentimentHeatView } from '../sentiment/index.js';

const STATES: Record<string, string> = { bot: 'Bot', queued: 'Queued', offered: 'Offered', active: 'Active', waiting: 'Waiting', wrapup: 'Wrap-up', closed: 'Closed' };
const PRESENCE: Record<string, string> = { available: 'Available', busy: 'Busy', away: 'Away', offline: 'Offline' };

export function formatWait(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Who the chat is with: the patient's name, never a record id. */
export const conversationName = (c: Pick<SupervisedConversation, 'visitorName' | 'patientId' | 'id'> & { patientName?: string | null }) =>
  c.patientName ?? c.visitorName ?? (c.patientId ? 'Signed-in patient' : `Conversation ${c.id.slice(0, 8)}`);

type Dialog = { kind: 'reassign' | 'force-close'; conversation: SupervisedConversation } | null;

export default function SupervisorPage() {
  const { data, error, isLoading, fulfilledTimeStamp } = useGetSupervisorSnapshotQuery(undefined, { refetchOnMountOrArgChange: true });
  const [monitoring, setMonitoring] = useState<{ id: string; whisper: boolean } | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const errorText = supervisorErrorText(error);
  const monitored = monitoring && data ? data.conversations.find((c) => c.id === monitoring.id) : undefined;
  return (
    <section className="workspace supervisor" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">Supervisor</h1>
        <p className="muted">
          Queues, agents and ongoing conversations, live.
          {data ? ` Updated ${new Date(data.at || fulfilledTimeStamp || Date.now()).toLocaleTimeString()}.` : ''}
        </p>
      </header>
      <InlineError message={errorText} />
      {isLoading ? (
        <p className="loading" role="status">
          Loading the live picture…
        </p>
      ) : null}
      {data ? (
        <>
          <Suspense fallback={null}>
            <SentimentHeatView conversations={data.conversations} nameOf={conversationName} onMonitor={(id) => setMonitoring({ id, whisper: false })} />
          </Suspense>
          <QueuesPanel queues={data.queues} />
          <AgentsPanel agents={data.agents} />
          <ConversationsTable
            conversations={data.conversations}
            agents={data.agents}
            onMonitor={(id, whisper) => setMonitoring({ id, whisper })}
            onDialog={setDialog}
          />
          <SurveyResults />
          {monitoring ? (
            <MonitorPanel
              key={monitoring.id}
              conversationId={monitoring.id}
              name={monitored ? conversationName(monitored) : `Conversation ${monitoring.id.slice(0, 8)}`}
              agents={data.agents}
              focusWhisper={monitoring.whisper}
              onStop={() => setMonitoring(null)}
            />
          ) : null}
        </>
      ) : null}
      {dialog?.kind === 'reassign' && data ? <ReassignDialog conversation={dialog.conversation} agents={data.agents} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'force-close' ? <ForceCloseDialog conversation={dialog.conversation} onClose={() => setDialog(null)} /> : null}
    </section>
  );
}

function QueuesPanel({ queues }: { queues: SupervisedQueue[] }) {
  const most = Math.max(1, ...queues.map((q) => q.waiting));
  return (
    <section className="card" aria-labelledby="queues-title">
      <h2 id="queues-title">Queues</h2>
      <figure className="bar-chart" aria-labelledby="chart-title">
        <figcaption id="chart-title" className="muted small">
          Waiting per queue
        </figcaption>
        <ul>
          {queues.map((q) => (
            <li key={q.id} className="bar-row">
              <span className="bar-label">{q.name}</span>
              <span className="bar-track" role="img" aria-label={`${q.name}: ${q.waiting} waiting`}>
                <span className="bar" style={{ width: `${(q.waiting / most) * 100}%` }} />
              </span>
              <span className="bar-value">{q.waiting}</span>
            </li>
          ))}
        </ul>
      </figure>
      <table className="data-table">
        <caption className="visually-hidden">Queues</caption>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Status</th>
            <th scope="col">Waiting</th>
            <th scope="col">Offered</th>
            <th scope="col">Oldest wait</th>
            <th scope="col">Estimated wait</th>
            <th scope="col">Agents available</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.id}>
              <th scope="row">{q.name}</th>
              <td>{q.open ? 'Open' : 'Closed'}</td>
              <td>{q.waiting}</td>
              <td>{q.offered}</td>
              <td>{formatWait(q.oldestWaitMs)}</td>
              <td>{formatWait(q.estimatedWaitMs)}</td>
              <td>{q.agentsAvailable}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function AgentsPanel({ agents }: { agents: SupervisedAgent[] }) {
  return (
    <section className="card" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      {agents.length === 0 ? <p className="muted">No agents are signed in.</p> : null}
      <table className="data-table">
        <caption className="visually-hidden">Agents</caption>
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Presence</th>
            <th scope="col">Load</th>
            <th scope="col">Skills</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.userId}>
              <th scope="row">{a.displayName}</th>
              <td>
                <span className={`presence-pill presence-${a.presence}`}>{PRESENCE[a.presence] ?? a.presence}</span>
              </td>
              <td>
                <span className="load">
                  <meter min={0} max={Math.max(1, a.capacity)} value={a.load} aria-label={`Load of ${a.displayName}`} />
                  <span>
                    {a.load}/{a.capacity}
                  </span>
                </span>
              </td>
              <td className="small">{a.skills.join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const COLUMNS = ['Conversation', 'State', 'Queue', 'Wait', 'Agent', 'Why assigned', 'Actions'];

function ConversationsTable({
  conversations,
  agents,
  onMonitor,
  onDialog,
}: {
  conversations: SupervisedConversation[];
  agents: SupervisedAgent[];
  onMonitor(id: string, whisper: boolean): void;
  onDialog(dialog: Dialog): void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<string | null>(null);
  // Snapshots arrive about once a second while anything changes, which re-renders the waits.
  const now = Date.now();
  const sorted = useMemo(() => [...conversations].sort((a, b) => a.priority - b.priority || a.createdAt.localeCompare(b.createdAt)), [conversations]);
  const virtualizer = useVirtualizer({
    count: sorted.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 52,
    overscan: 6,
    getItemKey: (index) => sorted[index]!.id,
  });
  const names = useMemo(() => new Map(agents.map((a) => [a.userId, a.displayName])), [agents]);
  return (
    <section className="card" aria-labelledby="conversations-title">
      <h2 id="conversations-title">Ongoing conversations ({conversations.length})</h2>
      {conversations.length === 0 ? <p className="muted">No conversations right now.</p> : null}
      <div role="table" aria-label="Ongoing conversations" aria-rowcount={sorted.length + 1} className="vtable">
        <div role="rowgroup">
          <div role="row" aria-rowindex={1} className="vtable-row vtable-head">
            {COLUMNS.map((c) => (
              <span role="columnheader" key={c}>
                {c}
              </span>
            ))}
          </div>
        </div>
        <div ref={scrollRef} role="rowgroup" className="vtable-body">
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const c = sorted[item.index]!;
              const name = conversationName(c);
              const open = expanded === c.id;
              const waitMs = c.waitingSince ? Math.max(0, Date.now() - Date.parse(c.waitingSince)) : null;
              return (
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  role="row"
                  aria-rowindex={item.index + 2}
                  className={`vtable-row priority-${c.priority}`}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
                >
                  <span role="cell">
                    <strong>{name}</strong>
                    {c.verified ? (
                      <span className="badge verified small" title="Signed in to the portal: identity verified">
                        {' '}
                        Verified
                      </span>
                    ) : null}
                    <span className="muted small"> {c.channel}</span>
                  </span>
                  <span role="cell">{STATES[c.state] ?? c.state}</span>
                  <span role="cell">{c.queue ?? '—'}</span>
                  <span role="cell">{formatWait(waitMs ?? (c.state === 'bot' ? null : now - Date.parse(c.createdAt)))}</span>
                  <span role="cell">{c.agentName ?? (c.agentId ? (names.get(c.agentId) ?? c.agentId) : '—')}</span>
                  <span role="cell">
                    {c.reason ? (
                      <>
                        <button type="button" className="button ghost small" aria-expanded={open} onClick={() => setExpanded(open ? null : c.id)}>
                          {shortReason(c.reason)}
                        </button>
                        {open ? (
                          <ul className="reason-details small">
                            {reasonDetails(c.reason).map((line) => (
                              <li key={line}>{line}</li>
                            ))}
                          </ul>
                        ) : null}
                      </>
                    ) : (
                      <span className="muted small">{c.agentId ? 'Assigned by hand' : 'Not assigned'}</span>
                    )}
                  </span>
                  <span role="cell" className="row actions">
                    <button type="button" className="button small" onClick={() => onMonitor(c.id, false)}>
                      Monitor
                    </button>
                    <button type="button" className="button small" onClick={() => onMonitor(c.id, true)} disabled={!c.agentId}>
                      Whisper
                    </button>
                    <JoinButton conversationId={c.id} />
                    <button
                      type="button"
                      className="button small"
                      onClick={() => onDialog({ kind: 'reassign', conversation: c })}
                      disabled={!ASSIGNABLE_STATES.has(c.state) && !REASSIGNABLE_STATES.has(c.state)}
                      aria-label={`${ASSIGNABLE_STATES.has(c.state) ? 'Assign' : 'Reassign'} ${name}`}
                    >
                      {ASSIGNABLE_STATES.has(c.state) ? 'Assign' : 'Reassign'}
                    </button>
                    <button type="button" className="button small danger" onClick={() => onDialog({ kind: 'force-close', conversation: c })}>
                      Force close
                    </button>
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}

function JoinButton({ conversationId }: { conversationId: string }) {
  const [join, { isLoading }] = useJoinConversationMutation();
  const dispatch = useAppDispatch();
  return (
    <button
      type="button"
      className="button small"
      disabled={isLoading}
      onClick={() =>
        void join(conversationId).then((result) => {
          if ('error' in result && result.error) dispatch(statusShown(supervisorErrorText(result.error)));
          else {
            dispatch(statusShown('You joined the conversation.'));
            navigate(`conversations/${conversationId}`);
          }
        })
      }
    >
      Join
    </button>
  );
}

/** A chat still in line (or being offered): the supervisor assigns it. */
const ASSIGNABLE_STATES = new Set(['queued', 'offered']);
/** A chat with an agent: the supervisor gives it to another. */
const REASSIGNABLE_STATES = new Set(['active', 'waiting']);
const PRESENCE_ORDER: Record<string, number> = { available: 0, busy: 1, away: 2, offline: 3 };

function ReassignDialog({ conversation, agents, onClose }: { conversation: SupervisedConversation; agents: SupervisedAgent[]; onClose(): void }) {
  const [agentId, setAgentId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [reassign, { isLoading }] = useReassignConversationMutation();
  const dispatch = useAppDispatch();
  const selectId = useId();
  const assigning = ASSIGNABLE_STATES.has(conversation.state);
  const verb = assigning ? 'Assign' : 'Reassign';
  // Signed-in agents only (an offline one could not take it), the available ones first.
  const choices = agents
    .filter((a) => a.userId !== conversation.agentId && a.presence !== 'offline')
    .sort((a, b) => (PRESENCE_ORDER[a.presence] ?? 9) - (PRESENCE_ORDER[b.presence] ?? 9) || a.load - b.load || a.displayName.localeCompare(b.displayName));
  const submit = async () => {
    if (!agentId) return setError('Choose the agent who takes the conversation.');
    const result = await reassign({ conversationId: conversation.id, agentId });
    if ('error' in result && result.error) return setError(supervisorErrorText(result.error));
    const to = agents.find((a) => a.userId === agentId)?.displayName ?? 'the agent';
    dispatch(statusShown(`${assigning ? 'Assigned' : 'Reassigned'} the conversation with ${conversationName(conversation)} to ${to}.`));
    onClose();
  };
  return (
    <DialogForm title={`${verb} ${conversationName(conversation)}`} onClose={onClose} onSubmit={submit} confirmLabel={verb} error={error} busy={isLoading}>
      {choices.length === 0 ? <p className="muted">No agent is signed in right now.</p> : null}
      <div className="field">
        <label htmlFor={selectId}>Agent</label>
        <select id={selectId} className="input" value={agentId} onChange={(e) => setAgentId(e.target.value)} data-autofocus>
          <option value="">Choose…</option>
          {choices.map((a) => (
            <option key={a.userId} value={a.userId}>
              {a.displayName} — {PRESENCE[a.presence] ?? a.presence}, {a.load}/{a.capacity}
            </option>
          ))}
        </select>
      </div>
    </DialogForm>
  );
}

function ForceCloseDialog({ conversation, onClose }: { conversation: SupervisedConversation; onClose(): void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [forceClose, { isLoading }] = useForceCloseConversationMutation();
  const dispatch = useAppDispatch();
  const reasonId = useId();
  const submit = async () => {
    if (reason.trim() === '') return setError('Give a reason: it is recorded in the audit log.');
    const result = await forceClose({ conversationId: conversation.id, reason: reason.trim() });
    if ('error' in result && result.error) return setError(supervisorErrorText(result.error));
    dispatch(statusShown(`Closed the conversation with ${conversationName(conversation)}.`));
    onClose();
  };
  return (
    <DialogForm title="Force close conversation" destructive onClose={onClose} onSubmit={submit} confirmLabel="Force close" error={error} busy={isLoading}>
      <p>
        This ends the chat with <strong>{conversationName(conversation)}</strong> for everyone at once. It cannot be undone and is audited.
      </p>
      <div className="field">
        <label htmlFor={reasonId}>Reason</label>
        <textarea id={reasonId} className="textarea short" maxLength={500} aria-required="true" value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
    </DialogForm>
  );
}
