/**
 * The symptom vocabulary (health-bot/vocabulary/symptoms.json) compiled once at start into a token
 * trie keyed by stems, plus the set of vocabulary words the spelling tolerance may correct towards.
 */
import fs from 'node:fs';
import { symptomsFileSchema, type Symptom, type SymptomsFile } from '../contracts/triage.js';
import { FILLERS, editDistance, stem, tokenize } from './text.js';

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Symptoms a term ending here names. */
  ids: string[];
}

const newNode = (): TrieNode => ({ children: new Map(), ids: [] });

/**
 * Everyday words that are never corrected into a vocabulary word, though one edit away
 * ("sweet" is not "sweat", "worse" is not "nurse").
 */
const COMMON_WORDS = new Set(
  (
    'about above after again against all also always am and any anything around as at away back bad be because been before being below best better between both but by came can cant ' +
    'come could day days did didnt do does doesnt doing done dont down during each even ever every feel feeling felt few for from get gets getting give go goes going gone good got had has ' +
    'have having he her here hers him his how however i if im in into is it its ive just keep kind know last left less like little long look lot made make many may maybe me might more ' +
    'morning most much must my need never new next night no none nor not nothing now of off often ok okay old on once one only or other our out over own past people please put quite ' +
    'rather really right said same say see seem seems she should side since so some something sometimes soon still such sure take taken tell than thank thanks that the their them then ' +
    'there these they thing things think this those though through time to today told too took toward tried try trying two under until up upon us used very want wanted was way we week ' +
    'weeks well went were what when where whether which while who why will wish with without woke work worse worst would year years yes yesterday yet you your sweet water while ' +
    'house home school party paint painting watch wonder river started start stared since three these those three hours hour minutes around again yo que con por para pero como esta ' +
    'estoy tengo desde hace tiene mucho poco ahora beach reach teach peach bench breach'
  )
    .split(' ')
    .map(stem),
);

const PAIN_WORDS = new Set(['pain', 'pains', 'hurt', 'hurts', 'hurting', 'ache', 'aches', 'aching', 'sore', 'painful', 'killing', 'throbbing', 'tender', 'agony', 'stiff', 'duele', 'dolor'].map(stem));
const PART_PREPOSITIONS = new Set(['in', 'on', 'around', 'under', 'behind', 'en'].map(stem));
/** A new clause: the pain word after it belongs to something else. */
const PART_CLAUSE_ENDS = new Set(['and', 'but', 'or', 'y', 'pero'].map(stem));

export interface TermMatch {
  /** First and last token index (inclusive). */
  start: number;
  end: number;
  ids: string[];
}

export class Vocabulary {
  readonly symptoms: ReadonlyMap<string, Symptom>;
  private readonly root = newNode();
  /** Vocabulary stems by first letter, for spelling tolerance. */
  private readonly wordsByInitial = new Map<string, string[]>();
  private readonly knownStems = new Set<string>();
  /** Body-part words ("testicle") and the pain finding they name with a pain word near them. */
  private readonly bodyParts = new Map<string, string[]>();
  /** Corrections already worked out (bounded: text is untrusted). */
  private readonly corrections = new Map<string, string | null>();

  constructor(readonly file: SymptomsFile) {
    const byId = new Map<string, Symptom>();
    for (const symptom of file.symptoms) {
      if (byId.has(symptom.id)) throw new Error(`symptoms: the id "${symptom.id}" appears twice`);
      byId.set(symptom.id, symptom);
      for (const term of [symptom.name, ...symptom.terms, ...(symptom.es ?? [])]) this.add(term, symptom.id);
    }
    this.symptoms = byId;
    // A part is a word with both "<part> pain" and "pain in <part>" among a symptom's terms.
    for (const symptom of file.symptoms) {
      const terms = new Set(symptom.terms);
      for (const term of symptom.terms) {
        const part = /^([a-z]+) pain$/.exec(term)?.[1];
        if (part && terms.has(`pain in ${part}`)) this.bodyParts.set(stem(part), [...(this.bodyParts.get(stem(part)) ?? []), symptom.id]);
      }
    }
    for (const word of this.knownStems) {
      if (word.length < 4 || /\d/.test(word)) continue;
      const list = this.wordsByInitial.get(word[0]!) ?? [];
      list.push(word);
      this.wordsByInitial.set(word[0]!, list);
    }
  }

  static fromFile(file: string): Vocabulary {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = symptomsFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
    }
    return new Vocabulary(parsed.data);
  }

  has(id: string): boolean {
    return this.symptoms.has(id);
  }

  nameOf(id: string): string {
    return this.symptoms.get(id)?.name ?? id;
  }

  private add(term: string, id: string): void {
    const stems = tokenize(term)
      .filter((t) => t.kind === 'word' || t.kind === 'number')
      .map((t) => t.stem)
      // A leading filler is kept: "very short of breath" must not become "short of breath".
      .filter((s, i) => i === 0 || !FILLERS.has(s));
    if (stems.length === 0) return;
    let node = this.root;
    for (const s of stems) {
      this.knownStems.add(s);
      let next = node.children.get(s);
      if (!next) {
        next = newNode();
        node.children.set(s, next);
      }
      node = next;
    }
    if (!node.ids.includes(id)) node.ids.push(id);
  }

  /**
   * The vocabulary word a misspelt word most likely is, or the word itself. Only words of four
   * letters or more, with the same first letter (people rarely get that wrong), one edit away
   * (two from eight letters; at four letters only two swapped letters, "pian" → "pain").
   */
  correct(word: string): string {
    if (this.knownStems.has(word) || COMMON_WORDS.has(word) || word.length < 4) return word;
    const cached = this.corrections.get(word);
    if (cached !== undefined) return cached ?? word;
    const max = word.length >= 8 ? 2 : 1;
    let best: string | null = null;
    let bestDistance = max + 1;
    let tie = false;
    for (const candidate of this.wordsByInitial.get(word[0]!) ?? []) {
      if (Math.abs(candidate.length - word.length) > max) continue;
      const d = editDistance(word, candidate, max);
      if (word.length === 4 && (d !== 1 || candidate.length !== 4 || !isTransposition(word, candidate))) continue;
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
        tie = false;
      } else if (d === bestDistance) tie = true;
    }
    const result = tie ? null : best;
    if (this.corrections.size > 50_000) this.corrections.clear();
    this.corrections.set(word, result);
    return result ?? word;
  }

  /**
   * Every term that matches the stems starting at each position (fillers skipped inside a phrase),
   * without those wholly inside a longer match ("pain" inside "chest pain").
   */
  matches(stems: readonly (string | null)[]): TermMatch[] {
    const found: TermMatch[] = [];
    for (let start = 0; start < stems.length; start++) {
      const first = stems[start];
      if (first === null || first === undefined) continue;
      let node = this.root.children.get(first);
      let i = start;
      while (node) {
        if (node.ids.length > 0) found.push({ start, end: i, ids: node.ids });
        let j = i + 1;
        let next: TrieNode | undefined;
        // Skip fillers only when the phrase cannot go on with them.
        while (j < stems.length) {
          const s = stems[j];
          if (s === null || s === undefined) break;
          next = node.children.get(s);
          if (next || !FILLERS.has(s)) break;
          j++;
        }
        if (!next) break;
        node = next;
        i = j;
      }
    }
    found.push(...this.partPainMatches(stems));
    return found.filter((m) => !found.some((o) => o !== m && o.start <= m.start && o.end >= m.end && o.end - o.start > m.end - m.start));
  }

  /**
   * A body part with a pain word a few words after it in the same clause ("my testicle suddenly
   * started hurting"), or just before it ("it hurts in my chest"): the terms cannot list every
   * such phrasing.
   */
  private partPainMatches(stems: readonly (string | null)[]): TermMatch[] {
    const found: TermMatch[] = [];
    for (let i = 0; i < stems.length; i++) {
      const ids = stems[i] ? this.bodyParts.get(stems[i]!) : undefined;
      if (!ids) continue;
      for (let j = i + 1; j < Math.min(stems.length, i + 6); j++) {
        const s = stems[j];
        if (s === null || s === undefined || PART_CLAUSE_ENDS.has(s)) break;
        if (PAIN_WORDS.has(s)) {
          found.push({ start: i, end: j, ids });
          break;
        }
      }
      let k = i - 1;
      while (k >= 0 && stems[k] !== null && FILLERS.has(stems[k]!)) k--;
      if (k >= 1 && PART_PREPOSITIONS.has(stems[k]!) && PAIN_WORDS.has(stems[k - 1] ?? '')) found.push({ start: k - 1, end: i, ids });
    }
    return found;
  }
}

function isTransposition(a: string, b: string): boolean {
  for (let i = 0; i < a.length - 1; i++) {
    if (a[i] !== b[i]) return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return false;
}
