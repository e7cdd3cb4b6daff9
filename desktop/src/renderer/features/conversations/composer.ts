/**
 * The composer's language, pure so it is table-tested: slash commands (`/q` quick reply, `/n`
 * note, `/t` transfer, `/c` consult), quick-reply suggestions and `@mentions` of colleagues.
 */
import type { QuickReply } from '@carebridge/server/contracts';

export type ComposerIntent =
  | { kind: 'empty' }
  | { kind: 'send'; body: string; messageKind: 'text' | 'note' }
  | { kind: 'quick-reply'; query: string }
  | { kind: 'note-mode' }
  | { kind: 'transfer' }
  | { kind: 'consult' }
  | { kind: 'unknown-command'; command: string };

const COMMAND = /^\/([a-z]+)(?:\s+([\s\S]*))?$/i;

/**
 * What Enter does with the composer's text. A leading `//` sends a literal slash; any other
 * `/word` that is not a command is refused rather than sent to the patient by mistake.
 */
export function interpretComposer(text: string, noteMode: boolean): ComposerIntent {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.startsWith('//')) return { kind: 'send', body: trimmed.slice(1), messageKind: noteMode ? 'note' : 'text' };
  const match = COMMAND.exec(trimmed);
  if (!match) return { kind: 'send', body: trimmed, messageKind: noteMode ? 'note' : 'text' };
  const command = match[1]!.toLowerCase();
  const rest = (match[2] ?? '').trim();
  switch (command) {
    case 'q':
    case 'quick':
      return { kind: 'quick-reply', query: rest };
    case 'n':
    case 'note':
      return rest === '' ? { kind: 'note-mode' } : { kind: 'send', body: rest, messageKind: 'note' };
    case 't':
    case 'transfer':
      return { kind: 'transfer' };
    case 'c':
    case 'consult':
      return { kind: 'consult' };
    default:
      return { kind: 'unknown-command', command: `/${command}` };
  }
}

/** While the text is `/q <query>`: the query (possibly empty), else null. */
export function quickReplyQuery(text: string): string | null {
  const match = /^\/q(?:uick)?(?:\s+(\S*))?$/i.exec(text.trimStart());
  if (!match) return null;
  return (match[1] ?? '').toLowerCase();
}

/** Quick replies for a query: shortcut prefix matches first, then shortcut or title containing it. */
export function quickReplySuggestions(replies: readonly QuickReply[], query: string, limit = 8): QuickReply[] {
  const q = query.trim().toLowerCase();
  if (q === '') return replies.slice(0, limit);
  const prefix = replies.filter((r) => r.shortcut.startsWith(q));
  const contains = replies.filter((r) => !r.shortcut.startsWith(q) && (r.shortcut.includes(q) || r.title.toLowerCase().includes(q)));
  return [...prefix, ...contains].slice(0, limit);
}

/** The quick reply an exact `/q <shortcut>` names, if any. */
export function exactQuickReply(replies: readonly QuickReply[], query: string): QuickReply | undefined {
  const q = query.trim().toLowerCase();
  return replies.find((r) => r.shortcut === q);
}

export interface MentionQuery {
  /** Index of the `@`. */
  start: number;
  query: string;
}

/** The mention being typed at the caret: an `@` at the start or after a space, then up to 40 characters on one line. */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && !/\s/.test(before[at - 1]!)) return null;
  const query = before.slice(at + 1);
  if (query.length > 40 || /[\n@]/.test(query) || /\s{2}/.test(query) || /^\s/.test(query)) return null;
  return { start: at, query };
}

/** Colleagues whose name (or a word of it) starts with the query. */
export function mentionSuggestions<A extends { userId: string; displayName: string }>(agents: readonly A[], query: string, excludeUserId?: string, limit = 6): A[] {
  const q = query.toLowerCase();
  return agents
    .filter((a) => a.userId !== excludeUserId)
    .filter((a) => {
      const name = a.displayName.toLowerCase();
      return name.startsWith(q) || name.split(/\s+/).some((word) => word.startsWith(q));
    })
    .slice(0, limit);
}

/** Replaces the typed `@query` with `@Display Name `; returns the new text and caret. */
export function insertMention(text: string, mention: MentionQuery, caret: number, displayName: string): { text: string; caret: number } {
  const inserted = `@${displayName} `;
  const next = `${text.slice(0, mention.start)}${inserted}${text.slice(caret)}`;
  return { text: next, caret: mention.start + inserted.length };
}
