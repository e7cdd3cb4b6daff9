/**
 * Misspelling tolerance for medical words: a deletion index (SymSpell's idea) over the vocabulary's
 * words, so a typed word finds every known word within one or two edits without comparing it with
 * all of them, then a bounded optimal-string-alignment distance (a swap of two letters is one edit,
 * as in "diabtees") picks the closest.
 */

/** Edit distance with adjacent transpositions, or `max + 1` once it is certain to exceed `max`. */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  let prevPrev = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[n]!;
}

function deletes(word: string, depth: number, into: Set<string>): void {
  if (depth === 0 || word.length <= 1) return;
  for (let i = 0; i < word.length; i++) {
    const shorter = word.slice(0, i) + word.slice(i + 1);
    if (!into.has(shorter)) {
      into.add(shorter);
      deletes(shorter, depth - 1, into);
    }
  }
}

export interface Correction {
  word: string;
  distance: number;
}

export const MAX_CORRECTED_LENGTH = 30;

/**
 * How many edits a word of this length may carry: none under four letters (too many short words
 * are one letter from another), one up to seven, two from eight ("numonia" → "pneumonia"), none
 * over thirty.
 */
export function allowedEdits(length: number): number {
  // No medical word is longer; the deletions of a long "word" (a pasted string) would be millions.
  if (length < 4 || length > MAX_CORRECTED_LENGTH) return 0;
  return length < 8 ? 1 : 2;
}

/**
 * Two edits are allowed only where the word starts as the known one does, give or take a silent
 * first letter ("numonia" → "pneumonia"): without it a word of eight letters is two edits from too
 * many others ("película" → "vesícula").
 */
function sameStart(typed: string, known: string): boolean {
  return typed[0] === known[0] || typed[0] === known[1] || typed[1] === known[0];
}

export class FuzzyWords {
  private readonly known = new Set<string>();
  private readonly byDeletion = new Map<string, string[]>();

  constructor(words: Iterable<string>) {
    for (const word of words) {
      if (this.known.has(word)) continue;
      this.known.add(word);
      if (word.length < 4) continue;
      const variants = new Set<string>([word]);
      deletes(word, allowedEdits(word.length + 2), variants);
      for (const v of variants) {
        const list = this.byDeletion.get(v);
        if (list) list.push(word);
        else this.byDeletion.set(v, [word]);
      }
    }
  }

  has(word: string): boolean {
    return this.known.has(word);
  }

  /**
   * Known words within the edits allowed for `word` (at most `maxEdits`), closest first; empty
   * for a known word or a short one.
   */
  corrections(word: string, maxEdits = 2): Correction[] {
    if (this.known.has(word)) return [];
    const max = Math.min(maxEdits, allowedEdits(word.length));
    if (max === 0) return [];
    const variants = new Set<string>([word]);
    deletes(word, max, variants);
    const found = new Map<string, number>();
    for (const v of variants) {
      for (const candidate of this.byDeletion.get(v) ?? []) {
        if (found.has(candidate)) continue;
        const d = boundedDistance(word, candidate, max);
        if (d <= 1 || (d === 2 && sameStart(word, candidate))) found.set(candidate, d);
      }
    }
    return [...found.entries()].map(([w, distance]) => ({ word: w, distance })).sort((x, y) => x.distance - y.distance || x.word.localeCompare(y.word));
  }
}
