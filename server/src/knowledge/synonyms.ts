/**
 * Medical synonyms for search, from the vocabulary files in `health-bot/vocabulary/`:
 * `synonyms.json` (validated with `synonymsFileSchema`), and beside it the terms of every condition
 * in `conditions.json` and of every symptom in `symptoms.json` (when those files exist), one group
 * each. Finds the longest known term at each place in a query's words and says which other terms to
 * search for with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { synonymGroupSchema, synonymsFileSchema, type SynonymGroup } from '../contracts/knowledge.js';
import { conditionsFileSchema, symptomsVocabularySchema, type ConditionsFile, type SymptomsVocabulary } from '../contracts/language.js';
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

  /**
   * Reads and validates the synonyms file and, unless told otherwise, `conditions.json` and
   * `symptoms.json` in the same folder when they exist (null: not read). Throws one line naming the
   * file and the first bad field.
   */
  static fromFile(file: string, vocabulary: { conditionsFile?: string | null; symptomsFile?: string | null } = {}): Synonyms {
    const groups: SynonymGroup[] = [...readJson(file, synonymsFileSchema).groups];
    const dir = path.dirname(file);
    const conditionsFile = vocabulary.conditionsFile === undefined ? path.join(dir, 'conditions.json') : vocabulary.conditionsFile;
    const symptomsFile = vocabulary.symptomsFile === undefined ? path.join(dir, 'symptoms.json') : vocabulary.symptomsFile;
    if (conditionsFile && fs.existsSync(conditionsFile)) groups.push(...conditionGroups(readJson(conditionsFile, conditionsFileSchema)));
    if (symptomsFile && fs.existsSync(symptomsFile)) groups.push(...symptomGroups(readJson(symptomsFile, symptomsVocabularySchema)));
    return new Synonyms(groups);
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

function readJson<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not readable JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data;
}

const fold = (term: string) => term.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

/** A group from a vocabulary entry's terms: distinct (accents and case folded), of at most 80 characters, at most 40, none if fewer than two. */
function groupOf(id: string, language: SynonymGroup['language'], terms: readonly string[]): SynonymGroup[] {
  const seen = new Set<string>();
  const distinct = terms.filter((t) => {
    const key = fold(t);
    // Longer phrases are descriptions rather than words anyone types as a query.
    if (t.trim().length > 80) return false;
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (distinct.length < 2) return [];
  const parsed = synonymGroupSchema.safeParse({ id, language, terms: distinct.slice(0, 40) });
  return parsed.success ? [parsed.data] : [];
}

/** Each condition: its English terms as one group, its Spanish terms as another. */
export function conditionGroups(file: ConditionsFile): SynonymGroup[] {
  return file.conditions.flatMap((c) => [...groupOf(`condition-${c.id}`, 'en', c.terms), ...groupOf(`condition-${c.id}-es`, 'es', c.es)]);
}

/** Each symptom: its name with its English terms, and its Spanish terms. */
export function symptomGroups(file: SymptomsVocabulary): SynonymGroup[] {
  const slug = (id: string) => fold(id).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return file.symptoms.flatMap((s) => [...groupOf(`symptom-${slug(s.id)}`, 'en', [s.name, ...s.terms]), ...groupOf(`symptom-${slug(s.id)}-es`, 'es', s.es ?? [])]);
}
