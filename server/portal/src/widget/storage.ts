/**
 * What survives a page reload (sessionStorage: this tab only, gone when it closes): the
 * conversation, the visitor's token, messages not yet acknowledged, and an open survey offer.
 */
import type { SurveyOffer } from '../../../src/contracts/surveys.js';
import type { PendingMessage } from './chat-log.js';

export interface SavedChat {
  conversationId: string;
  selfId: string;
  selfKind: 'patient' | 'visitor';
  /** Visitor chats only: a signed-in patient's token comes from the portal, never stored here. */
  visitorToken?: string;
  pending: PendingMessage[];
  survey?: SurveyOffer;
}

export interface ChatStore {
  load(): SavedChat | null;
  save(chat: SavedChat): void;
  clear(): void;
}

function isSavedChat(value: unknown): value is SavedChat {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.conversationId === 'string' && typeof v.selfId === 'string' && (v.selfKind === 'patient' || v.selfKind === 'visitor') && Array.isArray(v.pending);
}

export function sessionChatStore(key: string): ChatStore {
  const storage = (() => {
    try {
      return window.sessionStorage;
    } catch {
      return null; // Storage blocked (privacy settings, sandboxed frame): the chat still works, without resume.
    }
  })();
  return {
    load() {
      try {
        const raw = storage?.getItem(key);
        const parsed: unknown = raw ? JSON.parse(raw) : null;
        return isSavedChat(parsed) ? parsed : null;
      } catch {
        return null;
      }
    },
    save(chat) {
      try {
        storage?.setItem(key, JSON.stringify(chat));
      } catch {
        // Quota or blocked storage: resume after a reload is best effort.
      }
    },
    clear() {
      try {
        storage?.removeItem(key);
      } catch {
        // as above
      }
    },
  };
}

/** A random UUID v4, also on plain-http pages where crypto.randomUUID does not exist. */
export function newClientMessageId(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
