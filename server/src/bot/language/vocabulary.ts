/**
 * The medical vocabulary as the language models use it: conditions (`conditions.json`) and
 * symptoms (`symptoms.json`, when shipped) found in an utterance, longest term first, with
 * misspellings forgiven on longer words ("diabetis", "numonia") and, inside a known phrase, on
 * four-letter ones ("hart attack").
 */
import fs from 'node:fs';
import type { z } from 'zod';
import { conditionsFileSchema, symptomsVocabularySchema } from '../../contracts/language.js';
import { FuzzyWords, type Correction } from './fuzzy.js';
import { tokenize, type Language, type Token } from './text.js';

export type VocabularyEntry =
  | { type: 'condition'; id: string; name: string; icd10: string }
  | { type: 'symptom'; id: string; name: string }
  /** A list entity of a built-in model, e.g. `specialty`. */
  | { type: 'list'; entity: string; id: string; name: string };

export type VocabularyItem = { entry: VocabularyEntry; terms: Record<Language, readonly string[]> };

interface Term {
  words: string[];
  entry: number;
}

export interface Mention {
  entry: VocabularyEntry;
  /** Token span [first, last). */
  first: number;
  last: number;
  /** The vocabulary term it matched, folded. */
  term: string;
  /** Letters changed to match (0: typed as listed). */
  edits: number;
}

/** At most this many edits in one matched term. */
const MAX_TERM_EDITS = 2;

function readJson<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  const parsed = schema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data;
}

export class MedicalVocabulary {
  readonly entries: VocabularyEntry[] = [];
  private readonly byFirstWord: Record<Language, Map<string, Term[]>> = { en: new Map(), es: new Map() };
  private readonly fuzzy: Record<Language, FuzzyWords>;
  private readonly common: Record<Language, Set<string>>;

  /**
   * `terms` per entry and language; `commonWords` are everyday words of the language (from the
   * models' utterances) that are never "corrected" into a medical word.
   */
  constructor(items: readonly VocabularyItem[], commonWords: Record<Language, Iterable<string>> = { en: [], es: [] }) {
    const words: Record<Language, Set<string>> = { en: new Set(), es: new Set() };
    for (const { entry, terms } of items) {
      const index = this.entries.push(entry) - 1;
      for (const language of ['en', 'es'] as const) {
        for (const term of terms[language]) {
          const termWords = tokenize(term).map((t) => t.word);
          if (termWords.length === 0) continue;
          const list = this.byFirstWord[language].get(termWords[0]!) ?? [];
          list.push({ words: termWords, entry: index });
          this.byFirstWord[language].set(termWords[0]!, list);
          for (const w of termWords) words[language].add(w);
        }
      }
    }
    for (const language of ['en', 'es'] as const) {
      for (const list of this.byFirstWord[language].values()) list.sort((a, b) => b.words.length - a.words.length);
    }
    this.fuzzy = { en: new FuzzyWords(words.en), es: new FuzzyWords(words.es) };
    this.common = { en: new Set(commonWords.en), es: new Set(commonWords.es) };
  }

  static empty(): MedicalVocabulary {
    return new MedicalVocabulary([]);
  }

  /** Reads the conditions file and, when it exists, the symptoms file; throws one line naming file and field. */
  static fromFiles(files: { conditionsFile: string | null; symptomsFile: string | null }, commonWords?: Record<Language, Iterable<string>>, extra: readonly VocabularyItem[] = []): MedicalVocabulary {
    const items: VocabularyItem[] = [...extra];
    if (files.conditionsFile) {
      for (const c of readJson(files.conditionsFile, conditionsFileSchema).conditions) {
        items.push({ entry: { type: 'condition', id: c.id, name: c.name, icd10: c.icd10 }, terms: { en: c.terms, es: c.es } });
      }
    }
    if (files.symptomsFile && fs.existsSync(files.symptomsFile)) {
      for (const s of readJson(files.symptomsFile, symptomsVocabularySchema).symptoms) {
        items.push({ entry: { type: 'symptom', id: s.id, name: s.name }, terms: { en: [s.name, ...s.terms], es: s.es ?? [] } });
      }
    }
    return new MedicalVocabulary(items, commonWords);
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Conditions and symptoms in the tokens, left to right, longest match at each place; `only` keeps
   * the terms of one kind (a condition named inside a longer symptom phrase).
   */
  find(tokens: readonly Token[], language: Language, only?: VocabularyItem['entry']['type']): Mention[] {
    const index = this.byFirstWord[language];
    if (index.size === 0) return [];
    const fuzzy = this.fuzzy[language];
    const common = this.common[language];
    const corrections = new Map<number, Correction[]>();
    const correctionsAt = (i: number): Correction[] => {
      let list = corrections.get(i);
      if (!list) {
        const word = tokens[i]!.word;
        list = fuzzy.has(word) || common.has(word) || /\d/.test(word) ? [] : fuzzy.corrections(word);
        corrections.set(i, list);
      }
      return list;
    };
    const mentions: Mention[] = [];
    for (let i = 0; i < tokens.length; ) {
      let best: { term: Term; length: number; edits: number } | null = null;
      const firsts: Array<{ word: string; edits: number }> = [{ word: tokens[i]!.word, edits: 0 }, ...correctionsAt(i).map((c) => ({ word: c.word, edits: c.distance }))];
      for (const first of firsts) {
        for (const term of index.get(first.word) ?? []) {
          if (best && term.words.length < best.length) break;
          if (only && this.entries[term.entry]!.type !== only) continue;
          const edits = this.matchTerm(term, tokens, i, correctionsAt);
          if (edits === null) continue;
          if (!best || term.words.length > best.length || edits < best.edits) best = { term, length: term.words.length, edits };
        }
      }
      if (best) {
        mentions.push({ entry: this.entries[best.term.entry]!, first: i, last: i + best.length, term: best.term.words.join(' '), edits: best.edits });
        i += best.length;
      } else {
        i += 1;
      }
    }
    return mentions;
  }

  /** Edits needed for `term` to match the tokens from `start`, or null when it does not. */
  private matchTerm(term: Term, tokens: readonly Token[], start: number, correctionsAt: (i: number) => Correction[]): number | null {
    if (start + term.words.length > tokens.length) return null;
    let edits = 0;
    let exact = 0;
    for (let j = 0; j < term.words.length; j++) {
      const typed = tokens[start + j]!.word;
      const want = term.words[j]!;
      if (typed === want) {
        exact += 1;
        continue;
      }
      // A lone word is corrected from five letters; in a phrase, a four-letter word may be too.
      if (typed.length < (term.words.length === 1 ? 5 : 4)) return null;
      const hit = correctionsAt(start + j).find((c) => c.word === want);
      if (!hit) return null;
      edits += hit.distance;
    }
    if (edits > MAX_TERM_EDITS) return null;
    if (term.words.length > 1 && exact === 0) return null;
    return edits;
  }
}
