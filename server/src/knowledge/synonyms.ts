/**
 * Medical synonyms for search, from the one data file `health-bot/vocabulary/synonyms.json`
 * (validated with `synonymsFileSchema`): finds the longest known term at each place in a query's
 * words and says which other terms to search for with it.
 */
import fs from 'node:fs';
import { synonymsFileSchema, type SynonymGroup } from '../contracts/knowledge.js';
import { words } from './text.js';

interface Term {
  words: string[];
  group: number;
  /** Its place in the group (0: the first, which a oneway group's terms lead to). */
  position: number;
}

export interface SynonymMatch {
  /** How many query words the term covered. */
  length: number;
  /** The phrases to search for, as folded words: the matched term first. */
  alternatives: string[][];
}

export class Synonyms {
  private readonly groups: Array<{ mode: SynonymGroup['mode']; terms: string[][] }>;
  private readonly byFirstWord = new Map<string, Term[]>();

  constructor(groups: readonly SynonymGroup[]) {
    this.groups = groups.map((g) => ({ mode: g.mode, terms: g.terms.map((t) => words(t)).filter((t) => t.length > 0) }));
    this.groups.forEach((group, index) => {
      group.terms.forEach((termWords, position) => {
        const list = this.byFirstWord.get(termWords[0]!) ?? [];
        list.push({ words: termWords, group: index, position });
        this.byFirstWord.set(termWords[0]!, list);
      });
    });
    // Longest terms first, so "high blood pressure" wins over "high".
    for (const list of this.byFirstWord.values()) list.sort((a, b) => b.words.length - a.words.length);
  }

  static none(): Synonyms {
    return new Synonyms([]);
  }

  /** Reads and validates the file; throws one line naming the file and the first bad field. */
  static fromFile(file: string): Synonyms {
    const parsed = synonymsFileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
    }
    return new Synonyms(parsed.data.groups);
  }

  get size(): number {
    return this.groups.length;
  }

  /** Every word of every term (so spelling correction never "corrects" a known synonym away). */
  *allWords(): Iterable<string> {
    for (const group of this.groups) for (const term of group.terms) yield* term;
  }

  /** The longest term starting at `tokens[start]`, and what to search for with it; null when none. */
  matchAt(tokens: readonly string[], start: number): SynonymMatch | null {
    const candidates = this.byFirstWord.get(tokens[start]!);
    if (!candidates) return null;
    let best: { length: number; phrases: Map<string, string[]>; matched: string[] } | null = null;
    for (const term of candidates) {
      if (best && term.words.length < best.length) break;
      if (!term.words.every((w, i) => tokens[start + i] === w)) continue;
      const group = this.groups[term.group]!;
      const reach = group.mode === 'equivalent' ? group.terms : term.position === 0 ? [group.terms[0]!] : [term.words, group.terms[0]!];
      best ??= { length: term.words.length, phrases: new Map(), matched: term.words };
      for (const phrase of reach) best.phrases.set(phrase.join(' '), phrase);
    }
    if (!best) return null;
    const matchedKey = best.matched.join(' ');
    const others = [...best.phrases.entries()].filter(([key]) => key !== matchedKey).map(([, phrase]) => phrase);
    return { length: best.length, alternatives: [best.matched, ...others] };
  }
}
