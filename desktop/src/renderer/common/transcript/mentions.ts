/** `@mentions` in internal notes: `@` + a colleague's display name. Pure, table-tested. */

export interface TextSegment {
  text: string;
  mention: boolean;
}

/**
 * Splits a note into plain text and mentions: `@` + a colleague's display name (longest names
 * first, case-insensitive); without a list of names, `@word` tokens.
 */
export function splitMentions(body: string, names: readonly string[]): TextSegment[] {
  const sorted = [...new Set(names.filter((n) => n.trim() !== ''))].sort((a, b) => b.length - a.length);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern =
    sorted.length > 0 ? new RegExp(`(^|\\s)@(${sorted.map(escape).join('|')})(?![\\p{L}\\p{N}_])`, 'giu') : /(^|\s)@([\p{L}\p{N}_.-]+)/gu;
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of body.matchAll(pattern)) {
    const start = match.index + match[1]!.length;
    if (start > last) segments.push({ text: body.slice(last, start), mention: false });
    const end = start + 1 + match[2]!.length;
    segments.push({ text: body.slice(start, end), mention: true });
    last = end;
  }
  if (last < body.length) segments.push({ text: body.slice(last), mention: false });
  return segments;
}

/** The colleagues a note mentions (by display name). */
export function mentionedNames(body: string, names: readonly string[]): string[] {
  const lower = new Map(names.map((n) => [n.toLowerCase(), n]));
  return splitMentions(body, names)
    .filter((s) => s.mention)
    .map((s) => lower.get(s.text.slice(1).toLowerCase()) ?? s.text.slice(1));
}
