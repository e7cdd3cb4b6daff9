/**
 * Words as triage reads them: folded (lower case, no accents, no apostrophes), split into words,
 * numbers and the punctuation that ends a negation's reach, and stemmed lightly so "vomiting",
 * "vomited" and "vomits" are one word. The same functions compile the vocabulary, so a term and
 * the text it should match always agree.
 */

export type TokenKind = 'word' | 'number' | 'comma' | 'stop';

export interface Token {
  kind: TokenKind;
  /** Folded text (`word`: as written; `number`: digits with a dot). */
  raw: string;
  /** `word`: the stem matched against the vocabulary. */
  stem: string;
}

/** Lower case, accents off, apostrophes out ("Don't" → "dont", "Presión" → "presion"). */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’'`´]/g, '');
}

const TOKEN = /(\d+(?:[.,]\d+)?)|([a-z]+)|([,])|([.!?;:\n()]+)/g;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const folded = fold(text)
    // "10/10 pain" is a score, not a date.
    .replace(/\b10\s*\/\s*10\b/g, ' ten out of ten ');
  for (const m of folded.matchAll(TOKEN)) {
    if (m[1] !== undefined) tokens.push({ kind: 'number', raw: m[1].replace(',', '.'), stem: m[1].replace(',', '.') });
    else if (m[2] !== undefined) tokens.push({ kind: 'word', raw: m[2], stem: stem(m[2]) });
    else if (m[3] !== undefined) tokens.push({ kind: 'comma', raw: ',', stem: ',' });
    else tokens.push({ kind: 'stop', raw: '.', stem: '.' });
  }
  return tokens;
}

const KEEP_DOUBLE = new Set(['l', 's', 'z', 'f']);

/**
 * A small, predictable stemmer (not Porter): plural `s`, then `ing` / `ed`, then a final `e`, then a
 * doubled final consonant. Applied alike to terms and text, it only has to map a word's common
 * forms to one key, not to produce a real root ("breathe", "breathing" → "breath").
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed')) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith('e') && !w.endsWith('ee')) w = w.slice(0, -1);
  const last = w[w.length - 1];
  if (w.length > 3 && last !== undefined && last === w[w.length - 2] && /[bcdfghjklmnpqrstvwxz]/.test(last) && !KEEP_DOUBLE.has(last)) w = w.slice(0, -1);
  return w;
}

/**
 * Words skipped inside a phrase, so "pain in my chest" matches the term "pain in chest" and
 * "my chest really hurts" matches "chest hurts". Dropped from terms when they are compiled.
 */
export const FILLERS = new Set(
  ['my', 'the', 'a', 'an', 'his', 'her', 'their', 'our', 'your', 'this', 'that', 'is', 'are', 'was', 'were', 'been', 'be', 'really', 'very', 'so', 'quite', 'bit', 'little', 'kind', 'sort', 'some', 'its', 'has', 'have', 'had', 'been', 'el', 'la', 'los', 'las', 'un', 'una', 'mi', 'mis', 'muy', 'tan', 'mucho', 'mucha'].map(stem),
);

/** Damerau–Levenshtein distance, giving up (returning `max + 1`) once it must exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}
