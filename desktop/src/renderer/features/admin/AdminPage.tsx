/**
 * The admin workspace: staff accounts, queues and their hours, wrap-up (dispositions and limits),
 * quick replies and the follow-up survey — each saved to the server and in force at once, with the
 * version read so two admins cannot overwrite each other unseen. Supervisors see the quick replies.
 * `#/admin/<tab>` opens a tab; arrow keys move between tabs (WAI-ARIA tabs pattern).
 */
import { lazy, Suspense, useRef, type KeyboardEvent } from 'react';
import { useAppSelector } from '../../app/hooks.js';
import { selectUser } from '../../app/session/session-slice.js';
import { navigate, useRoute } from '../../common/router.js';

const UsersTab = lazy(() => import('./UsersTab.js'));
const QueuesTab = lazy(() => import('./QueuesTab.js'));
const WrapupTab = lazy(() => import('./WrapupTab.js'));
const QuickRepliesTab = lazy(() => import('./QuickRepliesTab.js'));
const SurveyTab = lazy(() => import('./SurveyTab.js'));

interface Tab {
  id: string;
  label: string;
  roles: readonly string[];
  intro: string;
  Panel: typeof UsersTab;
}

const TABS: readonly Tab[] = [
  { id: 'users', label: 'Users', roles: ['admin'], intro: 'Staff accounts: create them, change roles, turn them off, and set what agents are offered.', Panel: UsersTab },
  { id: 'queues', label: 'Queues and hours', roles: ['admin'], intro: 'Where chats wait: the skills each queue needs, its opening hours and holidays, and where it overflows.', Panel: QueuesTab },
  { id: 'wrapup', label: 'Wrap-up', roles: ['admin'], intro: 'How agents close a conversation, and how many they may hold at once.', Panel: WrapupTab },
  { id: 'quick-replies', label: 'Quick replies', roles: ['admin', 'supervisor'], intro: 'Answers agents insert with /q and a shortcut in the composer.', Panel: QuickRepliesTab },
  { id: 'survey', label: 'Survey', roles: ['admin'], intro: 'The follow-up survey patients get after a chat with an agent.', Panel: SurveyTab },
];

export default function AdminPage() {
  const route = useRoute();
  const role = useAppSelector(selectUser)?.role ?? '';
  const tabs = TABS.filter((t) => t.roles.includes(role));
  const current = tabs.find((t) => t.id === route[1]) ?? tabs[0];
  const tabRefs = useRef(new Map<string, HTMLButtonElement>());

  if (!current) {
    return (
      <section className="workspace" aria-labelledby="workspace-title">
        <h1 id="workspace-title">Admin</h1>
        <p className="muted">Your role has nothing to manage here.</p>
      </section>
    );
  }
  const choose = (tab: Tab, focus = false) => {
    navigate(`admin/${tab.id}`, { replace: true });
    if (focus) tabRefs.current.get(tab.id)?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const index = tabs.indexOf(current);
    const next =
      e.key === 'ArrowRight' ? tabs[(index + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(index - 1 + tabs.length) % tabs.length] : e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1] : undefined;
    if (next) {
      e.preventDefault();
      choose(next, true);
    }
  };
  const Panel = current.Panel;
  return (
    <section className="workspace admin" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">Admin</h1>
        <p className="muted">Changes are saved on the server and apply to everyone at once.</p>
      </header>
      <div role="tablist" aria-label="Admin sections" className="admin-tabs" onKeyDown={onKey}>
        {tabs.map((tab) => (
          <button
            key={tab.id}
            ref={(el) => {
              if (el) tabRefs.current.set(tab.id, el);
              else tabRefs.current.delete(tab.id);
            }}
            type="button"
            role="tab"
            id={`admin-tab-${tab.id}`}
            aria-selected={tab === current}
            aria-controls="admin-panel"
            tabIndex={tab === current ? 0 : -1}
            className="admin-tab"
            onClick={() => choose(tab)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="admin-panel" aria-labelledby={`admin-tab-${current.id}`} className="admin-panel">
        <h2 className="admin-panel-title">{current.label}</h2>
        <p className="muted">{current.intro}</p>
        <Suspense fallback={<p className="loading" role="status">Loading…</p>}>
          <Panel key={current.id} />
        </Suspense>
      </div>
    </section>
  );
}
