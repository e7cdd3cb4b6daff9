/**
 * The agent's inbox in three panes — sessions | conversation | context. Sessions: offers
 * (accept/decline, oldest first) and up to `maxSessions` open conversations as tabs with unread
 * counts and a live wait/handle timer. Conversation: the selected one. Context: the registered
 * context panels for it (ContextPane). `#/conversations/<id>` selects a tab; Ctrl/⌘+Alt+1…9/0 and
 * Ctrl/⌘+Alt+←/→ switch tabs, and the arrow keys move between tabs that have the focus. On a
 * narrow screen the panes stack and the context pane opens with the Context button.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useContextPanels, type ContextPanel } from '../../common/context-panels.js';
import { InlineError } from '../../common/InlineError.js';
import { conversationIdSchema } from '../../../shared/ipc-contract.js';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { navigate, useRoute } from '../../common/router.js';
import { selectUser } from '../../app/session/session-slice.js';
import { FALLBACK_SETTINGS, useGetColleaguesQuery, useGetConversationSettingsQuery } from './conversations-api.js';
import { ConversationPanelContainer } from './ConversationPanelContainer.js';
import { ContextPane } from './ContextPane.js';
import { openConversation } from './inbox-actions.js';
import { patientLabel } from './inbox-live.js';
import { activeChanged, selectInbox, selectInboxConversations, selectOffers, type InboxConversation } from './inbox-slice.js';
import { OfferList } from './OfferList.js';
import { formatDuration, liveTabTimer, useNow } from './timers.js';
import { tabForKey } from './tabs.js';

export default function ConversationsPage() {
  const route = useRoute();
  const requested = route[1] ?? null;
  const validRequest = requested !== null && conversationIdSchema.safeParse(requested).success;
  const user = useAppSelector(selectUser);
  const tabBadges = useContextPanels(user?.role ?? 'agent').filter((p) => p.TabBadge);
  const inbox = useAppSelector(selectInbox);
  const conversations = useAppSelector(selectInboxConversations);
  const offers = useAppSelector(selectOffers);
  const dispatch = useAppDispatch();
  const settings = useGetConversationSettingsQuery().data ?? FALLBACK_SETTINGS;
  const colleagues = useGetColleaguesQuery(undefined, { pollingInterval: 30_000 }).data ?? [];
  const now = useNow(1000);
  const [openError, setOpenError] = useState<string | null>(null);
  const attempted = useRef(new Set<string>());
  const previousIds = useRef<string[]>([]);
  const ids = conversations.map((c) => c.id);
  const activeEntry = requested ? conversations.find((c) => c.id === requested) : undefined;
  const tabRefs = useRef(new Map<string, HTMLButtonElement>());
  const [contextOpen, setContextOpen] = useState(false);
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});

  // The tab on screen is read; leaving the workspace leaves no tab "on screen".
  useEffect(() => {
    dispatch(activeChanged(activeEntry ? activeEntry.id : null));
  }, [activeEntry?.id, dispatch]);
  useEffect(() => () => void dispatch(activeChanged(null)), [dispatch]);

  // A conversation that left the inbox (closed, transferred…) hands the screen to a neighbour.
  useEffect(() => {
    const before = previousIds.current;
    previousIds.current = ids;
    if (requested && before.includes(requested) && !ids.includes(requested)) {
      const index = before.indexOf(requested);
      const next = ids[Math.min(index, ids.length - 1)];
      attempted.current.add(requested);
      navigate(next ? `conversations/${next}` : 'conversations', { replace: true });
    }
  }, [ids.join(','), requested]);

  // A link to a conversation not in the inbox: ask the server whether we take part.
  useEffect(() => {
    setOpenError(null);
    if (!requested || !validRequest || inbox.status !== 'ready' || ids.includes(requested) || attempted.current.has(requested)) return;
    attempted.current.add(requested);
    void dispatch(openConversation(requested)).then((failure) => setOpenError(failure));
  }, [requested, validRequest, inbox.status]);

  // No tab chosen: show the first.
  useEffect(() => {
    if (!requested && ids[0]) navigate(`conversations/${ids[0]}`, { replace: true });
  }, [requested, ids[0]]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || !e.altKey || e.shiftKey) return;
      const target = tabForKey(e.code, e.key, ids, activeEntry?.id ?? null);
      if (!target) return;
      e.preventDefault();
      navigate(`conversations/${target}`);
      requestAnimationFrame(() => tabRefs.current.get(target)?.focus());
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ids.join(','), activeEntry?.id]);

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    let target: string | null = null;
    // The tabs stand in a column (a row on narrow screens): both arrow pairs move.
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') target = tabForKey('', e.key, ids, activeEntry?.id ?? null);
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') target = tabForKey('', e.key === 'ArrowDown' ? 'ArrowRight' : 'ArrowLeft', ids, activeEntry?.id ?? null);
    else if (e.key === 'Home') target = ids[0] ?? null;
    else if (e.key === 'End') target = ids[ids.length - 1] ?? null;
    if (!target) return;
    e.preventDefault();
    navigate(`conversations/${target}`);
    tabRefs.current.get(target)?.focus();
  };

  const atCapacity = conversations.length >= settings.maxSessions;
  const shown = conversations.slice(0, settings.maxSessions);
  const hidden = conversations.length - shown.length;

  return (
    <section className="workspace inbox" aria-labelledby="workspace-title">
      <header className="workspace-header inbox-header">
        <div>
          <h1 id="workspace-title">Conversations</h1>
          <p className="muted">
            {conversations.length} of {settings.maxSessions} sessions open · {offers.length} {offers.length === 1 ? 'offer' : 'offers'} waiting
          </p>
        </div>
        <button type="button" className="button context-switch" aria-expanded={contextOpen} aria-controls="conversation-context" onClick={() => setContextOpen((o) => !o)}>
          Context
        </button>
      </header>
      <InlineError message={inbox.error} />
      {requested && !validRequest ? (
        <p role="alert" className="inline-error">
          “{requested}” is not a conversation id.
        </p>
      ) : null}
      <InlineError message={openError} />
      <div className="inbox-panes">
        <div className="pane pane-sessions">
          <OfferList atCapacity={atCapacity} />
          <h2 className="pane-title" id="sessions-title">
            Sessions
          </h2>
          {conversations.length > 0 ? (
            <div role="tablist" aria-label="Open conversations" aria-orientation="vertical" className="session-tabs" onKeyDown={onTabKey}>
              {shown.map((entry, index) => (
                <SessionTab
                  key={entry.id}
                  badges={tabBadges}
                  entry={entry}
                  index={index}
                  selected={entry.id === activeEntry?.id}
                  me={user?.id ?? ''}
                  now={now}
                  buttonRef={(el) => {
                    if (el) tabRefs.current.set(entry.id, el);
                    else tabRefs.current.delete(entry.id);
                  }}
                />
              ))}
            </div>
          ) : (
            <p className="muted small">No open conversations.</p>
          )}
          {hidden > 0 ? <p className="muted small">{hidden} more conversations than your session limit; close some to see them.</p> : null}
        </div>
        <div className="pane pane-conversation">
          {inbox.status === 'loading' || inbox.status === 'idle' ? (
            <p className="loading" role="status">
              Loading your conversations…
            </p>
          ) : null}
          {inbox.status === 'ready' && conversations.length === 0 && offers.length === 0 ? (
            <div className="empty-state" role="note" aria-label="No conversations">
              <div className="empty-icon" aria-hidden="true" />
              <p className="empty-title">No conversations yet — offers appear here</p>
              <p className="muted">Set your presence to Available to receive offers. Ctrl/⌘+Shift+A accepts the oldest offer.</p>
            </div>
          ) : null}
          {inbox.status === 'ready' && conversations.length === 0 && offers.length > 0 ? <p className="muted pane-hint">Accept an offer to open the conversation here.</p> : null}
          {activeEntry && user ? (
            <div role="tabpanel" id={`panel-${activeEntry.id}`} aria-labelledby={`tab-${activeEntry.id}`} className="session-panel">
              <ConversationPanelContainer key={activeEntry.id} entry={activeEntry} me={user.id} myRole={user.role} settings={settings} colleagues={colleagues} now={now} />
            </div>
          ) : null}
        </div>
        <ContextPane
          id="conversation-context"
          role={user?.role ?? 'agent'}
          selected={activeEntry ? { conversationId: activeEntry.id, conversation: activeEntry.conversation, packet: activeEntry.packet } : null}
          collapsed={collapsed}
          onToggle={(panelId) => setCollapsed((c) => ({ ...c, [panelId]: !c[panelId] }))}
          onReveal={(panelId) => {
            setCollapsed((c) => ({ ...c, [panelId]: false }));
            setContextOpen(true);
          }}
          narrowOpen={contextOpen}
        />
      </div>
    </section>
  );
}

function SessionTab({
  entry,
  index,
  selected,
  me,
  now,
  badges,
  buttonRef,
}: {
  entry: InboxConversation;
  index: number;
  selected: boolean;
  me: string;
  now: number;
  badges: readonly ContextPanel[];
  buttonRef(el: HTMLButtonElement | null): void;
}) {
  const name = patientLabel(entry.conversation);
  const timer = liveTabTimer(entry.conversation.state, entry.messages, entry.openedAt, now);
  const timerText = timer ? `${timer.kind === 'waiting' ? 'waiting' : 'handling'} ${formatDuration(timer.ms)}` : null;
  const key = index < 9 ? String(index + 1) : index === 9 ? '0' : null;
  // Ended by the patient, and its wrap-up is still mine to record.
  const unrecorded = entry.conversation.state === 'closed' && !entry.conversation.wrapup && entry.conversation.agentId === me;
  return (
    <button
      ref={buttonRef}
      type="button"
      role="tab"
      id={`tab-${entry.id}`}
      aria-selected={selected}
      aria-controls={selected ? `panel-${entry.id}` : undefined}
      tabIndex={selected ? 0 : -1}
      aria-keyshortcuts={key ? `Control+Alt+${key} Meta+Alt+${key}` : undefined}
      className={`session-tab${selected ? ' selected' : ''}${timer?.kind === 'waiting' && timer.ms > 60_000 ? ' overdue' : ''}`}
      onClick={() => navigate(`conversations/${entry.id}`)}
    >
      <span className="tab-name">{name}</span>
      {entry.unread > 0 ? <span className="unread-badge">{`${entry.unread} unread`}</span> : null}
      {badges.map(({ id, TabBadge }) => {
        const Badge = TabBadge!;
        return <Badge key={id} conversationId={entry.id} />;
      })}
      {timer ? <span className={`tab-timer timer-${timer.kind}`}>{timerText}</span> : null}
      {entry.conversation.state === 'wrapup' || unrecorded ? <span className="tab-state">wrap-up</span> : null}
      {entry.conversation.state === 'closed' && !unrecorded ? <span className="tab-state">closed</span> : null}
    </button>
  );
}
