/**
 * The draft of a conversation, kept per user through the desktop bridge (crash-safe in the app,
 * localStorage in a browser): loaded once, written 400 ms after the last change, at once when a
 * message goes out, and whatever still waits is written when the composer goes away.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { getBridge, valueOr } from '../../common/bridge.js';

const SAVE_DELAY_MS = 400;

export interface KeptDraft {
  /** The kept text; null while it loads. */
  draft: string | null;
  /** Keeps the text after a short pause (typing). */
  keep(text: string): void;
  /** Keeps the text now, dropping a pending write (a message went out). */
  keepNow(text: string): void;
}

export function useKeptDraft(userId: string, conversationId: string): KeptDraft {
  const [draft, setDraft] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const pending = useRef<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    void valueOr(getBridge().drafts.get(userId, conversationId), null).then((saved) => {
      if (!cancelled) setDraft(saved ?? '');
    });
    return () => {
      cancelled = true;
    };
  }, [userId, conversationId]);

  const write = useCallback(
    (text: string) => {
      pending.current = null;
      const bridge = getBridge();
      void (text.trim() === '' ? bridge.drafts.clear(userId, conversationId) : bridge.drafts.set(userId, conversationId, text));
    },
    [userId, conversationId],
  );
  const latestWrite = useRef(write);
  latestWrite.current = write;

  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      if (pending.current !== null) latestWrite.current(pending.current);
    },
    [], // once, on unmount
  );

  const keep = useCallback(
    (text: string) => {
      pending.current = text;
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => write(text), SAVE_DELAY_MS);
    },
    [write],
  );
  const keepNow = useCallback(
    (text: string) => {
      window.clearTimeout(timer.current);
      write(text);
    },
    [write],
  );
  return { draft, keep, keepNow };
}
