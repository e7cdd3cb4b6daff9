/**
 * The local lexicon model: VADER's rules (negation, degree words, "but", capitals, exclamation marks)
 * over VADER's lexicon, AFINN's words VADER lacks (the `sentiment` package, with its emoji), and our
 * healthcare additions (`healthcare-lexicon.json`: patient phrasing, and medical words that are not
 * sentiment). Pure and synchronous: it runs beside message delivery, so one message costs a few
 * microseconds (see README, Performance). Bad input is scored neutral with a flag, never thrown on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { SENTIMENT_MAX_CHARS, type SentimentFlag, type SentimentLabel, type SentimentResult } from '../contracts/sentiment.js';

const require = createRequire(import.meta.url);

interface Phrase {
  tokens: readonly string[];
  valence: number;
}

export interface Lexicon {
  words: ReadonlyMap<string, number>;
  /** Phrases by their first word, longest first. */
  phrases: ReadonlyMap<string, readonly Phrase[]>;
  /** Words without sentiment near a test word ("came back negative"). */
  medicalWords: ReadonlySet<string>;
  medicalContext: ReadonlySet<string>;
  medicalWindow: number;
  /** The language's negators, degree words (word → ±0.293) and contrast words ("but"). */
  negators: ReadonlySet<string>;
  boosters: ReadonlyMap<string, number>;
  contrasts: ReadonlySet<string>;
}

export interface SpanishLexiconFile extends HealthcareLexiconFile {
  negators: string[];
  boosters: Record<string, number>;
  contrasts: string[];
}

export interface HealthcareLexiconFile {
  entries: { term: string; valence: number; reason: string }[];
  medicalContext: { window: number; words: string[]; context: string[]; reason: string };
}

// VADER's constants (Hutto & Gilbert 2014), as in vader-sentiment.
const B_INCR = 0.293;
const C_INCR = 0.733;
const N_SCALAR = -0.74;
const ALPHA = 15;
/** AFINN rates −5 … 5, VADER −4 … 4. */
const AFINN_TO_VADER = 0.8;

const BOOSTERS: ReadonlyMap<string, number> = new Map([
  ...'absolutely amazingly awfully completely considerably decidedly deeply effing enormously entirely especially exceptionally extremely fabulously flipping flippin fricking frickin frigging friggin fully fucking greatly hella highly hugely incredibly intensely majorly more most particularly purely quite really remarkably so substantially thoroughly totally tremendously uber unbelievably unusually utterly very super sooo soo truly seriously rly realy reallly verry vry extremly totaly'
    .split(' ')
    .map((w): [string, number] => [w, B_INCR]),
  ...'almost barely hardly kinda kindof less little marginally occasionally partly scarcely slightly somewhat sorta sortof'.split(' ').map((w): [string, number] => [w, -B_INCR]),
]);

const NEGATORS: ReadonlySet<string> = new Set(
  "aint arent cannot cant couldnt darent didnt doesnt dont hadnt hasnt havent isnt mightnt mustnt neither neednt never none nope nor not nothing nowhere oughtnt shant shouldnt uhuh wasnt werent without wont wouldnt rarely seldom despite no nobody nor ain't aren't can't couldn't daren't didn't doesn't don't hadn't hasn't haven't isn't mightn't mustn't needn't oughtn't shan't shouldn't wasn't weren't won't wouldn't".split(
    ' ',
  ),
);

/** Words that shift the weight to what follows (VADER: 'but'). */
const CONTRASTS: ReadonlySet<string> = new Set(['but', 'however', 'although', 'though']);

// Cheap language check: function words that only one of the two languages uses.
const SPANISH = new Set(
  'que el los las por para está esta estoy tengo necesito quiero puedo cita gracias muchas muchísimas muy mi mis con una del pero cuando usted hola buenos buenas días dias señor señora también tambien porque hoy mañana manana médico medico doctora necesita ayuda favor sí donde dónde cómo como qué cuándo es nadie nunca todavía todavia sigo servicio llamado llamar'.split(' '),
);
const ENGLISH = new Set('the and is to my i you it for of with have was this that can an on be are do what at your me need get will just about'.split(' '));

/** Builds a lexicon from (term, valence) pairs in order: later entries win. */
function buildLexicon(
  entries: Iterable<readonly [string, number]>,
  rules: Pick<Lexicon, 'negators' | 'boosters' | 'contrasts'>,
  medical: HealthcareLexiconFile['medicalContext'],
  withUnaccented = false,
): Lexicon {
  const words = new Map<string, number>();
  const phraseList = new Map<string, Phrase>();
  const put = (term: string, valence: number) => {
    const tokens = tokenizeTerm(term);
    if (tokens.length === 0) return;
    if (tokens.length === 1) words.set(tokens[0]!, valence);
    else {
      const key = tokens.join(' ');
      // Re-inserted last: a later source replaces an earlier phrase.
      phraseList.delete(key);
      phraseList.set(key, { tokens, valence });
    }
  };
  for (const [term, valence] of entries) {
    put(term, valence);
    const plain = withUnaccented ? unaccented(term) : term;
    if (plain !== term) put(plain, valence);
  }
  const phrases = new Map<string, Phrase[]>();
  for (const phrase of phraseList.values()) {
    const first = phrase.tokens[0]!;
    const list = phrases.get(first) ?? [];
    list.push(phrase);
    phrases.set(first, list);
  }
  for (const list of phrases.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
  const medicalWords = new Set(medical.words.flatMap((w) => (withUnaccented ? [w, unaccented(w)] : [w])));
  const medicalContext = new Set(medical.context.flatMap((w) => (withUnaccented ? [w, unaccented(w)] : [w])));
  return { words, phrases, medicalWords, medicalContext, medicalWindow: medical.window, ...rules };
}

const unaccented = (text: string) => text.normalize('NFD').replace(/\p{Mn}/gu, '').normalize('NFC');

export function loadLexicon(healthcare: HealthcareLexiconFile = readHealthcareLexicon()): Lexicon {
  // AFINN (and its emoji) first, VADER over it, ours last: later sources win.
  const afinn = require('sentiment/languages/en/labels.json') as Record<string, number>;
  const emoji = require('sentiment/build/emoji.json') as Record<string, number>;
  function* entries(): Generator<readonly [string, number]> {
    for (const [term, v] of Object.entries(afinn)) yield [term, v * AFINN_TO_VADER];
    for (const [term, v] of Object.entries(emoji)) yield [term, v * AFINN_TO_VADER];
    yield* readVaderLexicon();
    for (const entry of healthcare.entries) yield [entry.term, entry.valence];
  }
  return buildLexicon(entries(), { negators: NEGATORS, boosters: BOOSTERS, contrasts: CONTRASTS }, healthcare.medicalContext);
}

/** The small Spanish lexicon (`spanish-lexicon.json`) with Spanish rules; emoji and emoticons as in English. */
export function loadSpanishLexicon(file: SpanishLexiconFile = readLexiconFile(new URL('./spanish-lexicon.json', import.meta.url)) as SpanishLexiconFile): Lexicon {
  const emoji = require('sentiment/build/emoji.json') as Record<string, number>;
  function* entries(): Generator<readonly [string, number]> {
    for (const [term, v] of Object.entries(emoji)) yield [term, v * AFINN_TO_VADER];
    for (const [term, v] of readVaderLexicon()) if (!/[\p{L}]/u.test(term)) yield [term, v];
    for (const entry of file.entries) yield [entry.term, entry.valence];
  }
  const multiWordBoosters = Object.keys(file.boosters).filter((b) => b.includes(' '));
  if (multiWordBoosters.length > 0) {
    // Degree words are single tokens; "un poco" dampens through its last word.
    for (const b of multiWordBoosters) file.boosters[b.split(' ').at(-1)!] ??= file.boosters[b]!;
  }
  const plain = (list: string[]) => new Set(list.flatMap((w) => [w, unaccented(w)]));
  return buildLexicon(
    entries(),
    {
      negators: plain(file.negators),
      boosters: new Map(Object.entries(file.boosters).flatMap(([w, v]): [string, number][] => [[w, v], [unaccented(w), v]])),
      contrasts: plain(file.contrasts.filter((c) => !c.includes(' '))),
    },
    file.medicalContext,
    true,
  );
}

const readLexiconFile = (file: URL) => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;

export function readHealthcareLexicon(file = new URL('./healthcare-lexicon.json', import.meta.url)): HealthcareLexiconFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as HealthcareLexiconFile;
}

/** VADER's lexicon as the package ships it (`word<TAB>mean<TAB>sd<TAB>ratings`). */
export function readVaderLexicon(): [string, number][] {
  const file = path.join(path.dirname(require.resolve('vader-sentiment/package.json')), 'vader_lexicon.txt');
  const out: [string, number][] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const value = Number(line.slice(tab + 1, line.indexOf('\t', tab + 1)));
    if (Number.isFinite(value)) out.push([line.slice(0, tab), value]);
  }
  return out;
}

// Emoticons first (":)" would otherwise lose its colon), then words with inner apostrophes, emoji, clause punctuation.
const TOKEN = /[:;=][-'^]?[)(\][dDpPoO/\\|*3@$]|<\/?3|[\p{L}\p{N}]+(?:['’][\p{L}]+)*|\p{Extended_Pictographic}|[.!?,;]/gu;
const ELONGATED = /(\p{L})\1\1/u;

function tokenizeTerm(term: string): string[] {
  return (term.toLowerCase().replace(/’/g, "'").match(TOKEN) ?? []).filter((t) => !/^[.!?,;]$/.test(t));
}

/** Control characters other than tab and line breaks, and U+FFFD (bytes that did not decode). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const BINARY_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/g;
// eslint-disable-next-line no-control-regex -- the ASCII range, to skip the script check
const NON_ASCII = /[^\u0000-\u007F]/;

export interface ScaleThresholds {
  /** |score| below this is neutral (scale 4). */
  neutral: number;
  /** |score| from this is negative/positive (2, 6); from `very`, very (1, 7). */
  strong: number;
  very: number;
}

/** Chosen on the dev half of the patient messages (README, Performance). */
export const DEFAULT_THRESHOLDS: ScaleThresholds = { neutral: 0.2, strong: 0.45, very: 0.7 };

export function scaleOf(score: number, t: ScaleThresholds = DEFAULT_THRESHOLDS): number {
  const a = Math.abs(score);
  const steps = a < t.neutral ? 0 : a < t.strong ? 1 : a < t.very ? 2 : 3;
  return score < 0 ? 4 - steps : 4 + steps;
}

export function labelOfScale(scale: number): SentimentLabel {
  return scale < 4 ? 'negative' : scale > 4 ? 'positive' : 'neutral';
}

const NEUTRAL = (flags: SentimentFlag[]): SentimentResult => ({ label: 'neutral', score: 0, scale: 4, flags });

export interface LocalModel {
  /** Scores one text; never throws. */
  score(text: unknown): SentimentResult;
  /** The raw compound score (−1 … 1) without flags or scale: for benchmarks and threshold tuning. */
  compound(text: string): number;
  /** Which of the model's languages the text reads as (Azure's language hint). */
  languageOf(text: string): 'en' | 'es';
  readonly thresholds: ScaleThresholds;
}

export function createLocalModel(options: { lexicon?: Lexicon; spanish?: Lexicon | null; thresholds?: ScaleThresholds; maxChars?: number } = {}): LocalModel {
  const lexicon = options.lexicon ?? loadLexicon();
  // null: Spanish is flagged `unsupported-language` instead of scored.
  const spanishLexicon = options.spanish === undefined ? loadSpanishLexicon() : options.spanish;
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const maxChars = options.maxChars ?? SENTIMENT_MAX_CHARS;
  const lex = lexicon.words;

  // Reused between calls (the model is synchronous): no allocation per token.
  let tokens: string[] = [];
  let caps: boolean[] = [];
  let clause: number[] = [];
  let vals: number[] = [];
  /** Emoji and emoticons: neither negated nor boosted ("no call back 😡" is still angry). */
  let symbol: boolean[] = [];
  let exclaims = 0;
  let questions = 0;
  let spanish = 0;
  let english = 0;

  function tokenize(text: string): number {
    let n = 0;
    let clauseId = 0;
    exclaims = questions = spanish = english = 0;
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
      const raw = m[0];
      if (raw.length === 1) {
        const c = raw.charCodeAt(0);
        if (c === 33 /* ! */) {
          exclaims++;
          clauseId++;
          continue;
        }
        if (c === 63 /* ? */) {
          questions++;
          clauseId++;
          continue;
        }
        if (c === 46 || c === 44 || c === 59 /* . , ; */) {
          clauseId++;
          continue;
        }
      }
      let word = raw.toLowerCase();
      if (word.includes('’')) word = word.replace(/’/g, "'");
      if (word.length > 2 && ELONGATED.test(word) && !lex.has(word)) word = unelongate(word);
      if (SPANISH.has(word)) spanish++;
      else if (ENGLISH.has(word)) english++;
      tokens[n] = word;
      const c0 = raw.charCodeAt(0);
      symbol[n] = !(c0 >= 97 && c0 <= 122) && !(c0 >= 65 && c0 <= 90) && !(c0 >= 48 && c0 <= 57) && !/^[\p{L}\p{N}]/u.test(raw);
      caps[n] = raw.length > 1 && raw !== word && raw === raw.toUpperCase();
      clause[n] = clauseId;
      vals[n] = 0;
      n++;
    }
    return n;
  }

  /** At least two Spanish function words and more of them than English ones; or a short message with one and no English ("Muchas gracias"). */
  const isSpanish = (n: number) => (spanish >= 2 && spanish > english) || (spanish >= 1 && english === 0 && n <= 4);

  function unelongate(word: string): string {
    const two = word.replace(/(\p{L})\1{2,}/gu, '$1$1');
    if (lex.has(two) || BOOSTERS.has(two)) return two;
    const one = word.replace(/(\p{L})\1{2,}/gu, '$1');
    return lex.has(one) || BOOSTERS.has(one) || spanishLexicon?.words.has(one) ? one : two;
  }

  function nearTestWord(L: Lexicon, i: number, n: number): boolean {
    const from = Math.max(0, i - L.medicalWindow);
    const to = Math.min(n - 1, i + L.medicalWindow);
    for (let j = from; j <= to; j++) if (j !== i && L.medicalContext.has(tokens[j]!)) return true;
    return false;
  }

  function compoundOf(n: number, L: Lexicon): number {
    const { words, phrases, boosters, negators, contrasts } = L;
    let capWords = 0;
    for (let i = 0; i < n; i++) if (caps[i]) capWords++;
    // VADER: capitals emphasise only when some words, not all, are in capitals.
    const capDiff = capWords > 0 && capWords < n;
    let contrastAt = -1;
    for (let i = 0; i < n; ) {
      const word = tokens[i]!;
      let valence: number | undefined;
      let span = 1;
      const candidates = phrases.get(word);
      if (candidates) {
        for (const phrase of candidates) {
          const len = phrase.tokens.length;
          if (i + len > n) continue;
          let match = true;
          for (let k = 1; k < len; k++) {
            if (tokens[i + k] !== phrase.tokens[k]) {
              match = false;
              break;
            }
          }
          if (match) {
            valence = phrase.valence;
            span = len;
            break;
          }
        }
      }
      if (valence === undefined) {
        if (contrastAt < 0 && contrasts.has(word)) contrastAt = i;
        valence = words.get(word);
        if (valence === undefined || boosters.has(word)) {
          i++;
          continue;
        }
        if (L.medicalWords.has(word) && nearTestWord(L, i, n)) valence = 0;
      }
      if (valence !== 0 && !symbol[i]) {
        let capital = false;
        for (let k = 0; k < span; k++) if (caps[i + k]) capital = true;
        if (capDiff && capital) valence += valence > 0 ? C_INCR : -C_INCR;
        let negated = false;
        for (let k = 1; k <= 3; k++) {
          const j = i - k;
          if (j < 0 || clause[j] !== clause[i]) break;
          const before = tokens[j]!;
          const boost = boosters.get(before);
          if (boost !== undefined && !words.has(before)) {
            let s = valence < 0 ? -boost : boost;
            if (capDiff && caps[j]) s += valence > 0 ? C_INCR : -C_INCR;
            valence += k === 1 ? s : k === 2 ? s * 0.95 : s * 0.9;
          }
          if (negators.has(before) || before.endsWith("n't")) negated = true;
        }
        if (negated) valence *= N_SCALAR;
      }
      vals[i] = valence;
      i += span;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = vals[i]!;
      if (v === 0) continue;
      sum += contrastAt < 0 ? v : i < contrastAt ? v * 0.5 : i > contrastAt ? v * 1.5 : v;
    }
    if (sum !== 0) {
      // Exclamation marks (up to 4) and repeated question marks emphasise what is there.
      let emphasis = Math.min(exclaims, 4) * 0.292;
      if (questions > 1) emphasis += Math.min(questions * 0.18, 0.96);
      sum += sum > 0 ? emphasis : -emphasis;
    }
    const compound = sum / Math.sqrt(sum * sum + ALPHA);
    return compound < -1 ? -1 : compound > 1 ? 1 : compound;
  }

  function ensureCapacity(chars: number): void {
    // At most one token per character: grow the reused arrays for long texts only.
    if (tokens.length >= chars) return;
    tokens = new Array<string>(chars);
    caps = new Array<boolean>(chars);
    clause = new Array<number>(chars);
    vals = new Array<number>(chars);
    symbol = new Array<boolean>(chars);
  }

  function compound(text: string): number {
    ensureCapacity(text.length + 1);
    const n = tokenize(text);
    return compoundOf(n, spanishLexicon && isSpanish(n) ? spanishLexicon : lexicon);
  }

  function score(input: unknown): SentimentResult {
    if (typeof input !== 'string') return NEUTRAL(['empty']);
    const flags: SentimentFlag[] = [];
    let text = input;
    if (text.length > maxChars) {
      text = text.slice(0, maxChars);
      flags.push('truncated');
    }
    if (text.trim() === '') return NEUTRAL([...flags, 'empty']);
    BINARY_CHARS.lastIndex = 0;
    if (BINARY_CHARS.test(text)) {
      const odd = text.match(BINARY_CHARS)!.length;
      // A NUL, or more than a stray character or two: a file or undecodable bytes, not a message.
      if (text.includes('\u0000') || (odd >= 2 && odd / text.length > 0.02)) return NEUTRAL([...flags, 'binary']);
      text = text.replace(BINARY_CHARS, ' ');
    }
    if (NON_ASCII.test(text) && mostlyNonLatin(text)) return NEUTRAL([...flags, 'unsupported-language']);
    ensureCapacity(text.length + 1);
    const n = tokenize(text);
    let L = lexicon;
    if (isSpanish(n)) {
      if (!spanishLexicon) return NEUTRAL([...flags, 'unsupported-language']);
      L = spanishLexicon;
    }
    const value = compoundOf(n, L);
    const scale = scaleOf(value, thresholds);
    return { label: labelOfScale(scale), score: Math.round(value * 1000) / 1000, scale, flags };
  }

  function languageOf(text: string): 'en' | 'es' {
    const sample = text.slice(0, maxChars);
    ensureCapacity(sample.length + 1);
    return isSpanish(tokenize(sample)) ? 'es' : 'en';
  }

  return { score, compound, languageOf, thresholds };
}

const LETTER = /\p{L}/gu;
const LATIN = /\p{Script=Latin}/gu;

/** More than half of the letters are not Latin (Chinese, Arabic, Cyrillic…). Emoji are not letters. */
function mostlyNonLatin(text: string): boolean {
  const letters = text.match(LETTER)?.length ?? 0;
  if (letters === 0) return false;
  const latin = text.match(LATIN)?.length ?? 0;
  return latin / letters < 0.5;
}
