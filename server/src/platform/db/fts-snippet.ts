/**
 * FTS5 snippets as the API shows them: `snippet()` / `highlight()` mark matches with two control
 * characters nobody types into a chat or an article, and `snippetParts` turns the marked passage into
 * text parts with the matches flagged (conversation history, the knowledge base).
 */
import type { SnippetPart } from '../../contracts/history.js';

export const MATCH_START = '\u0001';
export const MATCH_END = '\u0002';

/** A marked passage as text parts, the matches flagged. */
export function snippetParts(passage: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [i, chunk] of passage.split(MATCH_START).entries()) {
    if (i === 0) {
      if (chunk) parts.push({ text: chunk, match: false });
      continue;
    }
    const end = chunk.indexOf(MATCH_END);
    const matched = end >= 0 ? chunk.slice(0, end) : chunk;
    const rest = end >= 0 ? chunk.slice(end + MATCH_END.length) : '';
    if (matched) parts.push({ text: matched, match: true });
    if (rest) parts.push({ text: rest, match: false });
  }
  return parts;
}
