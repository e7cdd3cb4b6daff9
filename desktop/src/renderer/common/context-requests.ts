/**
 * Asking another context panel to open and do something: a script's macro opens a patient 360
 * section, searches the knowledge base or books an appointment. A tiny typed pub/sub, so features
 * talk without importing each other: the requester calls `requestContextPanel(panelId, detail)`, the
 * conversation view's context pane expands and scrolls to the panel (`useContextPanelOpener`), and the
 * panel itself acts on the detail (`useContextRequest`).
 *
 * A panel still loading (its chunk is lazy) gets the last request made for it when it subscribes,
 * once, if it came in the last few seconds.
 */
import { useEffect, useRef } from 'react';

export interface ContextRequestDetails {
  /** Open a section of the patient 360 (`summary`, `medications`, `appointments`, …). */
  'patient-360': { conversationId: string; section: string };
  /** Offer appointments, for a specialty when given (`cardiology`, `primary-care`). */
  appointments: { conversationId: string; specialty?: string };
  /** Search the knowledge base, or pick an article to send to the patient (`article` is its slug). */
  knowledge: { conversationId: string; query?: string; article?: string; send?: boolean };
}
export type ContextPanelId = keyof ContextRequestDetails;
export const CONTEXT_REQUEST_PANELS: readonly ContextPanelId[] = ['patient-360', 'appointments', 'knowledge'];

type Handler<P extends ContextPanelId> = (detail: ContextRequestDetails[P]) => void;
type Opener = (panelId: ContextPanelId, conversationId: string) => boolean;

const handlers = new Map<ContextPanelId, Set<Handler<never>>>();
const openers = new Set<Opener>();
const pending = new Map<ContextPanelId, { detail: unknown; at: number }>();
const PENDING_MS = 5000;

/**
 * Asks the panel to open and act on `detail`. True when a context pane showing that panel (for this
 * user's role) took the request; false when no such panel is on screen, so the caller can say so.
 */
export function requestContextPanel<P extends ContextPanelId>(panelId: P, detail: ContextRequestDetails[P]): boolean {
  let opened = false;
  for (const open of openers) opened = open(panelId, detail.conversationId) || opened;
  const subscribers = handlers.get(panelId);
  if (subscribers && subscribers.size > 0) for (const handle of subscribers) (handle as Handler<P>)(detail);
  else pending.set(panelId, { detail, at: Date.now() });
  return opened;
}

/** For the panel `panelId`: `handler` runs on each request for it (the latest one, still pending, first). */
export function useContextRequest<P extends ContextPanelId>(panelId: P, handler: Handler<P>): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const handle: Handler<P> = (detail) => latest.current(detail);
    const set = handlers.get(panelId) ?? new Set();
    set.add(handle as Handler<never>);
    handlers.set(panelId, set);
    const waiting = pending.get(panelId);
    if (waiting && Date.now() - waiting.at < PENDING_MS) {
      pending.delete(panelId);
      handle(waiting.detail as ContextRequestDetails[P]);
    }
    return () => {
      set.delete(handle as Handler<never>);
    };
  }, [panelId]);
}

/** For the context pane: `open` expands and scrolls to the panel, returning whether it shows it. */
export function useContextPanelOpener(open: Opener): void {
  const latest = useRef(open);
  latest.current = open;
  useEffect(() => {
    const handle: Opener = (panelId, conversationId) => latest.current(panelId, conversationId);
    openers.add(handle);
    return () => {
      openers.delete(handle);
    };
  }, []);
}
