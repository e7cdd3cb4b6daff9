/**
 * Bot studio: the bot author's workspace. Three tabs — Scenarios (list, import, export, new; a
 * scenario's editor with its flow graph and a test chat of the draft), Strings (the en-US / es-US
 * string table) and Language models. `#/bot-studio/<tab>[/<scenario id>]`; arrow keys move between
 * tabs (WAI-ARIA tabs pattern).
 *
 * Unsaved edits: while the open scenario has unsaved changes, following a link inside the studio
 * asks first (the address is put back until the author answers), and reloading the page asks the
 * browser's question (in a browser; Electron would silently refuse to close the window instead). Leaving for another workspace keeps the edits in memory for when the author
 * comes back (`studio-state.ts`).
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { getBridge } from '../../common/bridge.js';
import { Modal } from '../../common/Modal.js';
import { hrefFor, navigate, useRoute } from '../../common/router.js';
import { ScenarioList } from './ScenarioList.js';
import { forgetUnsaved } from './studio-state.js';

const ScenarioEditor = lazy(() => import('./ScenarioEditor.js'));
const StringsEditor = lazy(() => import('./StringsEditor.js'));
const LanguageModels = lazy(() => import('./LanguageModels.js'));

const TABS = [
  { id: 'scenarios', label: 'Scenarios' },
  { id: 'strings', label: 'Strings' },
  { id: 'language-models', label: 'Language models' },
] as const;
type TabId = (typeof TABS)[number]['id'];

const sameRoute = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

export default function BotStudioPage() {
  const route = useRoute();
  const [shown, setShown] = useState<string[]>(route);
  const [pending, setPending] = useState<string[] | null>(null);
  const dirty = useRef(false);
  const tabRefs = useRef(new Map<string, HTMLButtonElement>());
  const setDirty = useCallback((value: boolean) => {
    dirty.current = value;
  }, []);

  // The route follows the address, unless unsaved edits would be lost: then the address goes back and the author is asked.
  useEffect(() => {
    if (route[0] !== 'bot-studio' || sameRoute(route, shown)) return;
    if (dirty.current && shown[2] !== undefined && route[2] !== shown[2]) {
      setPending(route);
      window.history.replaceState(window.history.state, '', hrefFor(shown.join('/')));
      return;
    }
    setShown(route);
  }, [route, shown]);

  useEffect(() => {
    // In a browser only: Electron does not ask on beforeunload, it silently refuses to close the window.
    if (getBridge().platform === 'electron') return;
    const warn = (e: BeforeUnloadEvent) => {
      if (!dirty.current) return;
      e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  const tab: TabId = TABS.find((t) => t.id === shown[1])?.id ?? 'scenarios';
  const scenarioId = tab === 'scenarios' ? shown[2] : undefined;
  const choose = (id: TabId, focus = false) => {
    navigate(`bot-studio/${id}`);
    if (focus) tabRefs.current.get(id)?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const index = TABS.findIndex((t) => t.id === tab);
    const next =
      e.key === 'ArrowRight' ? TABS[(index + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(index - 1 + TABS.length) % TABS.length] : e.key === 'Home' ? TABS[0] : e.key === 'End' ? TABS[TABS.length - 1] : undefined;
    if (next) {
      e.preventDefault();
      choose(next.id, true);
    }
  };

  return (
    <section className="workspace bot-studio" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">Bot studio</h1>
        <p className="muted">Write, test and publish the health bot’s scenarios, its strings and its language models.</p>
      </header>
      <div role="tablist" aria-label="Bot studio sections" className="admin-tabs" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              if (el) tabRefs.current.set(t.id, el);
              else tabRefs.current.delete(t.id);
            }}
            type="button"
            role="tab"
            id={`bot-studio-tab-${t.id}`}
            aria-selected={t.id === tab}
            aria-controls="bot-studio-panel"
            tabIndex={t.id === tab ? 0 : -1}
            className="admin-tab"
            onClick={() => choose(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="bot-studio-panel" aria-labelledby={`bot-studio-tab-${tab}`} className="bot-studio-panel">
        <Suspense
          fallback={
            <p className="loading" role="status">
              Loading…
            </p>
          }
        >
          {tab === 'scenarios' ? scenarioId ? <ScenarioEditor key={scenarioId} id={scenarioId} onDirtyChange={setDirty} /> : <ScenarioList /> : tab === 'strings' ? <StringsEditor /> : <LanguageModels />}
        </Suspense>
      </div>
      {pending ? (
        <Modal title="Leave without saving?" role="alertdialog" onClose={() => setPending(null)}>
          <p>The scenario has changes that are not saved as a draft. If you leave, they are lost.</p>
          <div className="form-actions">
            <button type="button" className="button" data-autofocus onClick={() => setPending(null)}>
              Stay
            </button>
            <button
              type="button"
              className="button danger"
              onClick={() => {
                const to = pending;
                dirty.current = false;
                if (shown[2]) forgetUnsaved(shown[2]);
                setPending(null);
                navigate(to.join('/'));
              }}
            >
              Discard changes and leave
            </button>
          </div>
        </Modal>
      ) : null}
    </section>
  );
}
