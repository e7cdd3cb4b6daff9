/** Clocks of the inbox: offer countdowns, the wait/handle timer of a tab. Pure, table-tested. */
import { useEffect, useState } from 'react';
import type { MessageView } from '@carebridge/server/contracts';

/** `0:05`, `12:03`, `1:02:03`; negative durations count as zero. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Whole seconds left until `expiresAt` (never negative). */
export function secondsLeft(expiresAt: string, now: number): number {
  const at = Date.parse(expiresAt);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : 0;
}

const STAFF_SENDERS = new Set(['agent', 'consultant', 'supervisor']);

export interface TabTimer {
  /** `waiting`: the patient wrote last and waits for an answer; `handling`: time since the chat came in. */
  kind: 'waiting' | 'handling';
  ms: number;
}

/** The live timer of a tab: how long the patient has waited for an answer, else the handle time. */
export function tabTimer(messages: readonly MessageView[], openedAt: string, now: number): TabTimer {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.kind === 'note' || m.kind === 'whisper' || m.kind === 'system') continue;
    if (STAFF_SENDERS.has(m.sender.kind)) break;
    if (m.sender.kind === 'patient' || m.sender.kind === 'visitor') {
      // The patient's newest message since the last staff answer: the wait starts at the first of them.
      let first = m;
      for (let j = i - 1; j >= 0; j--) {
        const earlier = messages[j]!;
        if (STAFF_SENDERS.has(earlier.sender.kind) && earlier.kind !== 'note' && earlier.kind !== 'whisper') break;
        if (earlier.sender.kind === 'patient' || earlier.sender.kind === 'visitor') first = earlier;
      }
      const since = Math.max(Date.parse(first.createdAt), Date.parse(openedAt));
      return { kind: 'waiting', ms: now - since };
    }
  }
  return { kind: 'handling', ms: now - Date.parse(openedAt) };
}

/**
 * The tab's timer for a conversation in `state`: none once the chat has ended (wrap-up or closed),
 * since nobody waits for an answer any more.
 */
export function liveTabTimer(state: string, messages: readonly MessageView[], openedAt: string, now: number): TabTimer | null {
  if (state === 'wrapup' || state === 'closed') return null;
  return tabTimer(messages, openedAt, now);
}

/** The current time, re-rendering every `intervalMs`. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}
