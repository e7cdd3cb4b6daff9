/**
 * Free text → findings: which symptoms are mentioned, which are denied ("no fever", "denies chest
 * pain", "I don't have a cough but my throat hurts", "sin fiebre"), and the numbers protocols need
 * (temperature, how long, age). Pure functions over a compiled `Vocabulary`.
 *
 * Negation follows NegEx (Chapman et al., 2001) in spirit: a cue opens a scope that runs forward
 * over a list of symptoms and ends at "but", a sentence end, a new subject ("… and my throat
 * hurts") or after a few words without a symptom. A cue inside a symptom's own words ("not
 * breathing", "no wet diapers") is part of the symptom, not a negation.
 */
import type { TriageLanguage } from '../contracts/triage.js';
import { fold, stem, tokenize, type Token } from './text.js';
import type { TermMatch, Vocabulary } from './vocabulary.js';

export interface Extraction {
  /** Finding id → present (true) or denied (false). A finding both said and denied is present. */
  findings: Map<string, boolean>;
  age?: number;
  temperatureC?: number;
  durationHours?: number;
  sex?: 'female' | 'male';
  pregnant?: boolean;
  language: TriageLanguage;
  /** Words read (for telling an unrecognised text from a short one). */
  words: number;
}

const s = (words: string) => words.split(' ').map(stem);
/** Cues that deny what follows. Multi-word cues first so "no longer" is one cue. */
const NEGATION_CUES: string[][] = [
  s('no longer'),
  s('free of'),
  s('absence of'),
  s('negative for'),
  s('ruled out'),
  ...['no', 'not', 'never', 'without', 'denies', 'denied', 'deny', 'nor', 'neither', 'none', 'dont', 'doesnt', 'didnt', 'havent', 'hasnt', 'hadnt', 'isnt', 'arent', 'wasnt', 'werent', 'sin', 'niega', 'ni', 'nunca', 'tampoco'].map((w) => [stem(w)]),
];
/** Look like cues but deny nothing ("not sure if it is a fever"). */
const PSEUDO_NEGATIONS: string[][] = [s('not sure'), s('not only'), s('no idea'), s('not certain'), s('dont know'), s('no se'), s('not just')];
/** Words that end a negation's reach. */
const SCOPE_ENDS = new Set(s('but however although though except apart aside yet still besides pero aunque sino excepto mas sin embargo'));
/** A new subject starts a new statement ("no fever and my throat hurts"). */
const SUBJECTS = new Set(s('i im ive id my he hes she shes it its they we yo me'));
/** After a comma, these keep a list going ("no fever, chills or cough"). */
const LIST_WORDS = new Set(s('or and nor any ni o y no'));
/** A scope lapses after this many words without a symptom. */
const SCOPE_WINDOW = 6;

const SPANISH = new Set(s('el la los las de que y en tengo me mi con por dolor estoy duele tiene desde hace muy pero una un sin cuando esta puedo siento mucho'));
const ENGLISH = new Set(s('the and i my have is of to with pain it a in for has am been since but this feel'));

function startsWith(stems: readonly (string | null)[], at: number, phrase: readonly string[]): boolean {
  return phrase.every((p, k) => stems[at + k] === p);
}

/** Token stems for matching: words (corrected when misspelt) and numbers; punctuation is a gap. */
function stemsFor(tokens: readonly Token[], vocabulary: Vocabulary): (string | null)[] {
  return tokens.map((t) => (t.kind === 'word' ? vocabulary.correct(t.stem) : t.kind === 'number' ? t.stem : null));
}

/** Which matches are denied: each cue's scope, as described at the top of this file. */
function deniedMatches(tokens: readonly Token[], stems: readonly (string | null)[], matches: readonly TermMatch[]): Set<TermMatch> {
  const denied = new Set<TermMatch>();
  const insideMatch = (i: number) => matches.some((m) => m.start <= i && i <= m.end);
  const startingAt = new Map<number, TermMatch[]>();
  for (const m of matches) startingAt.set(m.start, [...(startingAt.get(m.start) ?? []), m]);
  let i = 0;
  while (i < tokens.length) {
    if (PSEUDO_NEGATIONS.some((p) => startsWith(stems, i, p))) {
      i += 2;
      continue;
    }
    const cue = insideMatch(i) ? undefined : NEGATION_CUES.find((c) => startsWith(stems, i, c));
    if (!cue) {
      i++;
      continue;
    }
    let j = i + cue.length;
    let sinceLast = 0;
    while (j < tokens.length) {
      const token = tokens[j]!;
      if (token.kind === 'stop') break;
      const here = startingAt.get(j);
      if (token.kind === 'comma') {
        const next = stems[j + 1];
        if (next === undefined || next === null || SUBJECTS.has(next) || !(startingAt.has(j + 1) || LIST_WORDS.has(next))) break;
        j++;
        continue;
      }
      if (here) {
        for (const m of here) denied.add(m);
        sinceLast = 0;
        j = Math.max(...here.map((m) => m.end)) + 1;
        continue;
      }
      const word = stems[j]!;
      if (SCOPE_ENDS.has(word) || (SUBJECTS.has(word) && j > i + cue.length)) break;
      if (++sinceLast > SCOPE_WINDOW) break;
      j++;
    }
    i = j;
  }
  return denied;
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  couple: 2, 'a couple': 2, 'a couple of': 2, 'couple of': 2, few: 3, 'a few': 3, several: 4,
  un: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10, unos: 3, unas: 3,
};
const UNIT_HOURS: Array<[RegExp, number]> = [
  [/^(minutes?|mins?|minutos?)$/, 1 / 60],
  [/^(hours?|hrs?|horas?)$/, 1],
  [/^(days?|dias?)$/, 24],
  [/^(weeks?|wks?|semanas?)$/, 168],
  [/^(months?|mes|meses)$/, 730],
  [/^(years?|yrs?|anos?)$/, 8760],
];
const hoursPer = (unit: string) => UNIT_HOURS.find(([re]) => re.test(unit))?.[1];

const DURATION =
  /\b(\d+(?:\.\d+)?|a couple of|a couple|couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several|un|una|unos|unas|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez)\s+(minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?|minutos?|horas?|dias?|semanas?|mes|meses|anos?)\b(?!\s*-?\s*old)(?!\s*pregnant)(?!\s*de (?:embarazo|edad|nacido))/g;
const RELATIVE_HOURS: Array<[RegExp, number]> = [
  [/\b(since last week|last week|la semana pasada)\b/, 168],
  [/\b(since yesterday|yesterday|ayer)\b/, 24],
  [/\b(last night|overnight|anoche)\b/, 12],
  [/\b(this morning|esta manana)\b/, 6],
  [/\b(today|tonight|this afternoon|this evening|hoy)\b/, 4],
  [/\b(just now|just started|a moment ago|right now|ahora mismo|hace un momento)\b/, 0.5],
];

function durationHoursOf(folded: string): number | undefined {
  let hours: number | undefined;
  for (const m of folded.matchAll(DURATION)) {
    // "tengo 67 anos" is an age.
    if (/\b(tengo|de)\s*$/.test(folded.slice(Math.max(0, m.index - 7), m.index)) && /^anos?$/.test(m[2]!)) continue;
    const count = /^\d/.test(m[1]!) ? Number(m[1]) : (NUMBER_WORDS[m[1]!] ?? 1);
    const per = hoursPer(m[2]!);
    if (per !== undefined) hours = Math.max(hours ?? 0, count * per);
  }
  // "for weeks", "for months": at least two of them.
  for (const m of folded.matchAll(/\b(?:for|since|durante)\s+(days|weeks|months|years|dias|semanas|meses|anos)\b/g)) {
    const per = hoursPer(m[1]!);
    if (per !== undefined) hours = Math.max(hours ?? 0, 2 * per);
  }
  if (hours === undefined) for (const [re, h] of RELATIVE_HOURS) if (re.test(folded)) hours = Math.max(hours ?? 0, h);
  return hours;
}

const FEVER_WORDS = /(fever|feaver|temp|temperature|thermometer|febrile|fiebre|calentura|temperatura|reading|running)\W+(\w+\W+){0,4}$/;
const TEMPERATURE = /(\d{2,3}(?:\.\d{1,2})?)\s*(°|º|degrees?|deg|grados)?\s*(fahrenheit|celsius|centigrade|f|c)?\b/g;

function temperatureCOf(folded: string): number | undefined {
  let best: number | undefined;
  for (const m of folded.matchAll(TEMPERATURE)) {
    const value = Number(m[1]);
    const unit = m[3];
    const hasUnit = m[2] !== undefined || unit !== undefined;
    if (!hasUnit && !FEVER_WORDS.test(folded.slice(Math.max(0, m.index - 40), m.index))) continue;
    let celsius: number | undefined;
    if ((unit === 'f' || unit === 'fahrenheit' || unit === undefined) && value >= 93 && value <= 111) celsius = ((value - 32) * 5) / 9;
    else if (unit !== 'f' && unit !== 'fahrenheit' && value >= 34 && value <= 43.5) celsius = value;
    if (celsius !== undefined) best = Math.max(best ?? 0, Math.round(celsius * 10) / 10);
  }
  return best;
}

const NOT_AN_AGE = String.raw`(?!\s*(?:weeks?|wks?|months?|days?|hours?|minutes?|lbs?|pounds?|kg|kilos?|%|semanas?|meses?|dias?|horas?|degrees?|°|f\b|c\b|times?|veces|pills?|tablets?|pastillas?|mg|cm|inches|feet|ft))`;
const AGE_PATTERNS: Array<[RegExp, number]> = [
  [/\b(\d{1,3})\s*-?\s*(?:years?|yrs?|yr|anos?)\s*-?\s*(?:old|de edad)\b/, 1],
  [/\b(\d{1,3})\s*(?:yo|y\/o|yoa)\b/, 1],
  [/\b(\d{1,2})\s*-?\s*(?:months?|mos?|meses)\s*-?\s*(?:old|de edad|de nacido)\b/, 1 / 12],
  [/\b(\d{1,2})\s*-?\s*(?:weeks?|wks?|semanas)\s*-?\s*(?:old|de nacido|de edad)\b/, 1 / 52],
  [/\b(\d{1,2})\s*-?\s*(?:days?|dias)\s*-?\s*(?:old|de nacido)\b/, 1 / 365],
  [new RegExp(String.raw`\b(?:i am|im|i m|aged?|age of|age is|he is|hes|she is|shes)\s+(\d{1,3})\b${NOT_AN_AGE}`), 1],
  [/\b(?:tengo|tiene|de)\s+(\d{1,3})\s+anos\b/, 1],
  [/\b(\d{2})\s*(?:m|f)\b/, 1],
];

function ageOf(folded: string): number | undefined {
  for (const [re, factor] of AGE_PATTERNS) {
    const m = re.exec(folded);
    if (m) {
      const age = Number(m[1]) * factor;
      if (age >= 0 && age <= 120) return Math.round(age * 1000) / 1000;
    }
  }
  if (/\b(newborn|new born|recien nacido)\b/.test(folded)) return 0.05;
  return undefined;
}

const FEMALE = /\b(woman|female|girl|lady|wife|daughter|mother|mom|mum|sister|girlfriend|grandmother|grandma|mujer|nina|senora|esposa|hija|madre|mama)\b|\b\d{2}\s*f\b/;
const MALE = /\b(man|male|guy|boy|gentleman|husband|son|father|dad|brother|boyfriend|grandfather|grandpa|hombre|nino|senor|esposo|hijo|padre|papa)\b|\b\d{2}\s*m\b/;

function sexOf(folded: string): 'female' | 'male' | undefined {
  const female = FEMALE.test(folded);
  const male = MALE.test(folded);
  return female === male ? undefined : female ? 'female' : 'male';
}

function languageOf(stems: readonly (string | null)[]): TriageLanguage {
  let es = 0;
  let en = 0;
  for (const w of stems) {
    if (w === null) continue;
    if (SPANISH.has(w)) es++;
    if (ENGLISH.has(w)) en++;
  }
  return es > en ? 'es' : 'en';
}

/**
 * Swallowing something that is not food ("my son ate some of grandma's heart pills", "drank
 * bleach"): a verb of swallowing with a medicine or household poison a few words after it.
 */
const INGEST_VERBS = new Set(s('ate eaten swallowed drank drunk chewed got into trago comio bebio'));
/** "Took" is how medicine is taken as prescribed too: an overdose only with a count or a whole lot. */
const TAKE_VERBS = new Set(s('took taken take tomo tome'));
const A_LOT = new Set(s('whole all bottle bunch handful lot box pack toda todas frasco'));
const INGESTED = new Set(s('pill pills tablet tablets medicine medicines medication medications bleach poison detergent battery batteries magnet magnets cleaner chemical chemicals antifreeze pastillas medicina medicinas cloro veneno'));
function ingestionMatch(stems: readonly (string | null)[]): TermMatch | undefined {
  for (let i = 0; i < stems.length; i++) {
    const verb = stems[i] ?? '';
    const taking = TAKE_VERBS.has(verb);
    if (!taking && !INGEST_VERBS.has(verb)) continue;
    let many = false;
    for (let j = i + 1; j < Math.min(stems.length, i + 7); j++) {
      const word = stems[j];
      if (word === null || word === undefined) break;
      if (A_LOT.has(word) || (/^\d+$/.test(word) && Number(word) >= 10)) many = true;
      if (INGESTED.has(word) && (!taking || many)) return { start: i, end: j, ids: ['overdose'] };
    }
  }
  return undefined;
}

export function extract(text: string, vocabulary: Vocabulary): Extraction {
  const tokens = tokenize(text);
  const stems = stemsFor(tokens, vocabulary);
  const matches = vocabulary.matches(stems);
  const ingestion = vocabulary.has('overdose') ? ingestionMatch(stems) : undefined;
  if (ingestion) matches.push(ingestion);
  // "Burning" right before another symptom describes it ("burning stomach pain"): it is not a burn.
  const adjectives = matches.filter((m) => m.start === m.end && m.ids.length === 1 && m.ids[0] === 'burn' && matches.some((o) => o.start === m.end + 1));
  for (const m of adjectives) matches.splice(matches.indexOf(m), 1);
  const denied = deniedMatches(tokens, stems, matches);
  const findings = new Map<string, boolean>();
  for (const m of matches) {
    const present = !denied.has(m);
    for (const id of m.ids) findings.set(id, (findings.get(id) ?? false) || present);
  }
  // Decimal commas ("38,5") as points, for the number patterns.
  const folded = fold(text).replace(/(\d),(\d)/g, '$1.$2');
  const extraction: Extraction = { findings, language: languageOf(stems), words: tokens.filter((t) => t.kind === 'word').length };
  const age = ageOf(folded);
  if (age !== undefined) extraction.age = age;
  // "Afebrile" is a fever denied in one word.
  if (/\bafebrile\b/.test(folded) && findings.get('fever') !== true) findings.set('fever', false);
  const temperatureC = temperatureCOf(folded);
  if (temperatureC !== undefined) {
    extraction.temperatureC = temperatureC;
    // A reading decides whether there is a fever, whatever words came with it.
    if (temperatureC >= 38) findings.set('fever', true);
    else if (temperatureC < 37.8 && findings.has('fever')) findings.set('fever', false);
    if (temperatureC >= 40) findings.set('high_fever', true);
  }
  // A blood pressure reading: 180/120 or more is a hypertensive crisis reading.
  const pressure = /\b(?:blood pressure|bp|pressure|presion|tension)\D{0,20}?(\d{2,3})\s*(?:\/|over)\s*(\d{2,3})\b/.exec(folded);
  if (pressure) {
    const [systolic, diastolic] = [Number(pressure[1]), Number(pressure[2])];
    if (systolic >= 180 || diastolic >= 120) findings.set('very_high_blood_pressure', true);
    if (systolic >= 140 || diastolic >= 90) findings.set('high_blood_pressure', true);
  }
  const durationHours = durationHoursOf(folded);
  if (durationHours !== undefined) extraction.durationHours = durationHours;
  const sex = sexOf(folded);
  if (sex) extraction.sex = sex;
  const pregnant = findings.get('pregnant');
  if (pregnant !== undefined) extraction.pregnant = pregnant;
  return extraction;
}
