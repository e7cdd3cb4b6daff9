import { Suspense, useCallback, useEffect, useMemo } from 'react';
import { PRESENCE_STATES } from '@carebridge/server/contracts';
import { useAppDispatch, useAppSelector } from '../hooks.js';
import { CONTEXT_PANELS } from '../context-panels.js';
import { workspacesFor } from '../workspaces.js';
import { getBridge } from '../../common/bridge.js';
import { ContextPanelsContext } from '../../common/context-panels.js';
import { ErrorBoundary } from '../../common/ErrorBoundary.js';
import { hrefFor, navigate, useRoute } from '../../common/router.js';
import { CommandPalette, isMac, ShortcutReference, type Command } from '../../features/command-palette/index.js';
import { ConnectionIndicator } from '../connection/ConnectionIndicator.js';
import { acceptOldestOffer, focusComposerSoon, hasComposer } from '../../features/conversations/index.js';
import { InactivityGuard } from '../../features/inactivity/index.js';
import { choosePresence, PRESENCE_LABELS, PresenceSelector, useGetPresenceQuery } from '../../features/presence/index.js';
import { selectUser } from '../session/session-slice.js';
import { signOut } from '../session/session-thunks.js';
import { selectSettings } from '../settings/settings-slice.js';
import { toggleTheme } from '../settings/theme.js';
import { dialogClosed, dialogOpened, selectShell, statusShown } from './shell-slice.js';

const ROLE_LABELS: Record<string, string> = {
  agent: 'Agent',
  supervisor: 'Supervisor',
  practitioner: 'Practitioner',
  outreach: 'Outreach',
  'bot-author': 'Bot author',
  admin: 'Administrator',
};

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function Shell() {
  const user = useAppSelector(selectUser)!;
  const shell = useAppSelector(selectShell);
  const settings = useAppSelector(selectSettings);
  const dispatch = useAppDispatch();
  const route = useRoute();
  const workspaces = useMemo(() => workspacesFor(user.role), [user.role]);
  // Presence, offers and the chat commands are for those who take chats.
  const takesChats = user.role === 'agent' || user.role === 'supervisor';
  const current = workspaces.find((w) => w.id === route[0]);
  // Keeps presence:changed events streaming into the cache while signed in.
  useGetPresenceQuery();

  useEffect(() => {
    if (!current && workspaces[0]) navigate(workspaces[0].id, { replace: true });
  }, [current, workspaces]);

  const acceptNextOffer = useCallback(() => {
    void dispatch(acceptOldestOffer()).then((outcome) => {
      if (!outcome.ok) {
        dispatch(statusShown(outcome.message));
        return;
      }
      dispatch(statusShown('Offer accepted.'));
      navigate(`conversations/${outcome.conversationId}`);
      focusComposerSoon();
    });
  }, [dispatch]);

  // Conversation commands act on the open conversation's own controls (its panel owns the logic).
  const focusMessageBox = useCallback(() => {
    if (hasComposer()) focusComposerSoon();
    else dispatch(statusShown('No open conversation to write in.'));
  }, [dispatch]);
  const conversationAction = useCallback(
    (action: 'end-chat' | 'transfer', verb: string) => {
      const button = document.querySelector<HTMLButtonElement>(`button[data-action="${action}"]:not([disabled])`);
      if (button) button.click();
      else dispatch(statusShown(`No open chat of yours to ${verb}.`));
    },
    [dispatch],
  );
  const endOpenChat = useCallback(() => conversationAction('end-chat', 'end'), [conversationAction]);
  const transferOpenChat = useCallback(() => conversationAction('transfer', 'transfer'), [conversationAction]);

  // Signed in (or back from a reload): focus starts on the workspace, not on <body>.
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement === null) document.getElementById('main')?.focus({ preventScroll: true });
  }, []);

  const openConversation = useCallback(
    (conversationId: string) => {
      if (workspaces.some((w) => w.id === 'conversations')) navigate(`conversations/${conversationId}`);
      else dispatch(statusShown('Conversations are not one of your workspaces.'));
    },
    [dispatch, workspaces],
  );

  useEffect(() => {
    const bridge = getBridge();
    const offs = [
      bridge.onDeepLink(({ conversationId }) => openConversation(conversationId)),
      bridge.onAcceptNextOffer(acceptNextOffer),
      bridge.onNotificationClicked(({ conversationId }) => conversationId && openConversation(conversationId)),
    ];
    return () => offs.forEach((off) => off());
  }, [acceptNextOffer, openConversation]);

  const commands = useMemo<Command[]>(
    () => [
      ...workspaces.map((w, i) => ({ id: `go-${w.id}`, title: `Go to ${w.label}`, shortcut: i < 9 ? `Alt+${i + 1}` : undefined, keywords: 'navigate workspace open', run: () => navigate(w.id) })),
      ...(takesChats ? PRESENCE_STATES : []).map((state) => ({
        id: `presence-${state}`,
        title: `Set presence: ${PRESENCE_LABELS[state]}`,
        keywords: 'status presence availability',
        run: () => void dispatch(choosePresence(state)),
      })),
      { id: 'theme', title: 'Toggle light/dark theme', shortcut: `${isMac() ? '⌘' : 'Ctrl'}+Shift+L`, keywords: 'dark light appearance', run: () => void dispatch(toggleTheme(settings.theme)) },
      { id: 'shortcuts', title: 'Show keyboard shortcuts', shortcut: '?', keywords: 'help keys', run: () => dispatch(dialogOpened('shortcuts')) },
      ...(takesChats
        ? [
            { id: 'accept', title: 'Accept next offer', shortcut: `${isMac() ? '⌘' : 'Ctrl'}+Shift+A`, keywords: 'offer conversation', run: acceptNextOffer },
            { id: 'composer', title: 'Go to the message box', shortcut: `${isMac() ? '⌘' : 'Ctrl'}+Shift+M`, keywords: 'conversation reply write composer', run: focusMessageBox },
            { id: 'end-chat', title: 'End the open chat', shortcut: `${isMac() ? '⌘' : 'Ctrl'}+Shift+E`, keywords: 'conversation close finish wrap up', run: endOpenChat },
            { id: 'transfer', title: 'Transfer the open chat', keywords: 'conversation queue colleague move', run: transferOpenChat },
          ]
        : []),
      { id: 'sign-out', title: 'Sign out', keywords: 'logout log off exit', run: () => void dispatch(signOut()) },
    ],
    [workspaces, takesChats, dispatch, settings.theme, acceptNextOffer, focusMessageBox, endOpenChat, transferOpenChat],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && !e.shiftKey && key === 'k') {
        e.preventDefault();
        dispatch(shell.dialog === 'palette' ? dialogClosed() : dialogOpened('palette'));
      } else if ((mod && key === '/') || (e.key === '?' && !mod && !isTyping(e.target))) {
        e.preventDefault();
        dispatch(dialogOpened('shortcuts'));
      } else if (mod && e.shiftKey && key === 'a') {
        e.preventDefault();
        acceptNextOffer();
      } else if (mod && e.shiftKey && key === 'm') {
        e.preventDefault();
        focusMessageBox();
      } else if (mod && e.shiftKey && key === 'e') {
        e.preventDefault();
        endOpenChat();
      } else if (mod && e.shiftKey && key === 'l') {
        e.preventDefault();
        void dispatch(toggleTheme(settings.theme));
      } else if (e.altKey && !mod && /^Digit[1-9]$/.test(e.code)) {
        const target = workspaces[Number(e.code.slice(5)) - 1];
        if (target) {
          e.preventDefault();
          navigate(target.id);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dispatch, shell.dialog, workspaces, acceptNextOffer, settings.theme, focusMessageBox, endOpenChat]);

  const Page = current?.Page;
  return (
    <div className="shell">
      <a href="#main" className="skip-link" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Carebridge</span>
        </div>
        <button type="button" className="search-button" onClick={() => dispatch(dialogOpened('palette'))} aria-keyshortcuts="Control+K Meta+K">
          <span>Search or run a command</span>
          <kbd>{isMac() ? '⌘K' : 'Ctrl K'}</kbd>
        </button>
        <div className="topbar-right">
          <ConnectionIndicator />
          {takesChats ? <PresenceSelector /> : null}
          <div className="user" role="group" aria-label="Signed in as">
            <span className="avatar" aria-hidden="true">
              {user.displayName
                .split(/\s+/)
                .map((p) => p[0])
                .slice(0, 2)
                .join('')
                .toUpperCase()}
            </span>
            <span className="user-text">
              <span className="user-name">{user.displayName}</span>
              <span className="user-role">{ROLE_LABELS[user.role] ?? user.role}</span>
            </span>
          </div>
          <button type="button" className="button ghost" onClick={() => void dispatch(signOut())}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label="Workspaces">
        <ul>
          {workspaces.map((w) => (
            <li key={w.id}>
              <a href={hrefFor(w.id)} className={w === current ? 'nav-link active' : 'nav-link'} aria-current={w === current ? 'page' : undefined}>
                <span className={`nav-icon icon-${w.id}`} aria-hidden="true" />
                {w.label}
              </a>
            </li>
          ))}
        </ul>
        <button type="button" className="nav-help" onClick={() => dispatch(dialogOpened('shortcuts'))}>
          Keyboard shortcuts
        </button>
      </nav>
      <main id="main" className="content" tabIndex={0}>
        <ErrorBoundary key={current?.id ?? 'none'} what="This workspace">
          <Suspense
            fallback={
              <p className="loading" role="status">
                Loading…
              </p>
            }
          >
            <ContextPanelsContext.Provider value={CONTEXT_PANELS}>{Page ? <Page /> : null}</ContextPanelsContext.Provider>
          </Suspense>
        </ErrorBoundary>
      </main>
      <footer className="statusbar" role="status" aria-label="Status message" aria-live="polite">
        {shell.status}
      </footer>
      {shell.dialog === 'palette' ? <CommandPalette commands={commands} onClose={() => dispatch(dialogClosed())} /> : null}
      {shell.dialog === 'shortcuts' ? <ShortcutReference onClose={() => dispatch(dialogClosed())} /> : null}
      <InactivityGuard />
    </div>
  );
}
