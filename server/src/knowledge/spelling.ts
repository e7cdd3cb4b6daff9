/**
 * Spelling correction against the words the index holds (and the synonym file's): a typed word the
 * index does not know is taken for the known word fewest edits away — insertions, deletions,
 * substitutions and swaps of neighbouring letters (optimal string alignment) — one edit for words of
 * up to five letters, two for longer ones; ties go to the word more articles use. Short words
 * (under four letters) and numbers are never corrected: one edit in three letters is another word.
 */

export interface VocabularyEntry {
  word: string;
  /** How many articles use it (ties between corrections go to the commoner word). */
  documents: number;
}

export class SpellingCorrector {
  private readonly known = new Map<string, number>();
  /** Words by length, for candidates within the edit budget. */
  private readonly byLength: VocabularyEntry[][] = [];
  /** Every word, sorted: "is any word a continuation of this prefix" by binary search. */
  private readonly sorted: string[];

  constructor(entries: Iterable<VocabularyEntry>) {
    for (const { word, documents } of entries) {
      if (word.length === 0 || word.length > 40) continue;
      this.known.set(word, Math.max(documents, this.known.get(word) ?? 0));
    }
    for (const [word, documents] of this.known) (this.byLength[word.length] ??= []).push({ word, documents });
    this.sorted = [...this.known.keys()].sort();
  }

  get size(): number {
    return this.known.size;
  }

  has(word: string): boolean {
    return this.known.has(word);
  }

  /** Whether some known word starts with `prefix` (the word being typed may be fine as it is). */
  hasPrefix(prefix: string): boolean {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.sorted.length && this.sorted[lo]!.startsWith(prefix);
  }

  /** The known word `word` was probably meant to be, or null (known already, too short, or nothing close). */
  correct(word: string): string | null {
    if (word.length < 4 || word.length > 40 || /^\d+$/.test(word) || this.known.has(word)) return null;
    const budget = word.length <= 5 ? 1 : 2;
    let best: VocabularyEntry | null = null;
    let bestDistance = budget + 1;
    for (let length = Math.max(1, word.length - budget); length <= word.length + budget; length++) {
      for (const entry of this.byLength[length] ?? []) {
        const distance = boundedEditDistance(word, entry.word, Math.min(budget, bestDistance));
        if (distance < bestDistance || (distance === bestDistance && best !== null && entry.documents > best.documents)) {
          if (distance <= budget) {
            best = entry;
            bestDistance = distance;
          }
        }
      }
    }
    return best?.word ?? null;
  }
}

/**
 * Optimal-string-alignment distance between `a` and `b`, or `max + 1` as soon as it must exceed
 * `max` (most candidates are dropped after a row or two).
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const width = b.length + 1;
  if (rows.length < width * 3) rows = new Int32Array(width * 6);
  // Three rows of one reused buffer (this runs for thousands of words per query): two before, one before, this one.
  let prevPrev = 0;
  let prev = width;
  let row = width * 2;
  for (let j = 0; j < width; j++) {
    rows[prevPrev + j] = 0;
    rows[prev + j] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    rows[row] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    const aPrev = i > 1 ? a.charCodeAt(i - 2) : -1;
    for (let j = 1; j <= b.length; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let value = Math.min(rows[prev + j]! + 1, rows[row + j - 1]! + 1, rows[prev + j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && aPrev === bj) value = Math.min(value, rows[prevPrev + j - 2]! + 1);
      rows[row + j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, row] = [prev, row, prevPrev];
  }
  return rows[prev + b.length]!;
}

/** The rows `boundedEditDistance` works in, grown as longer words come. */
let rows = new Int32Array(3 * 48);
