/**
 * Finding a patient: by name (misspellings tolerated), date of birth, phone (as caller ID gives it),
 * MRN or e-mail, through the FHIR service's own search, so the caller's access rules apply and every
 * patient a search touched is audited as `phi.search` with the stated reason. Results carry just
 * enough to tell people apart.
 */
import type { HumanName, Patient } from '@medplum/fhirtypes';
import type { PatientMatch, PatientSearchRequest } from '../contracts/patients.js';
import { parseSearch, type FhirActor, type FhirService } from '../fhir/index.js';

export const MRN_SYSTEM = 'urn:carebridge:mrn';
/** Candidates a fuzzy name search ranks at most (a three-letter prefix can match many). */
const FUZZY_CANDIDATES = 200;

export const fold = (value: string) =>
  value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
const tokens = (value: string) => fold(value).split(' ').filter((t) => t.length > 0);
export const phoneDigits = (value: string) => {
  const d = value.replace(/\D/g, '');
  return d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
};
/** How the clinic's records write a US number. */
const formatPhone = (d: string) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;

export function displayName(patient: Patient): string {
  const name: HumanName | undefined = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  if (!name) return 'Unnamed patient';
  return name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' ');
}

function nameParts(patient: Patient): string[] {
  return (patient.name ?? []).flatMap((n) => [...(n.given ?? []), n.family ?? '', n.text ?? ''].flatMap(tokens));
}

/**
 * Edits between two words — insertions, deletions, substitutions and swaps of neighbouring letters
 * (optimal string alignment), so "Jonh" is one edit from "John", as people mistype.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * 1 for the same word, 0.95 for a typed prefix; otherwise falling with the edits needed relative to
 * length. Short words get no slack: one edit in three letters is another name.
 */
function wordSimilarity(typed: string, part: string): number {
  if (part === typed) return 1;
  if (typed.length >= 2 && part.startsWith(typed)) return 0.95;
  if (Math.min(typed.length, part.length) < 4) return 0;
  const longest = Math.max(typed.length, part.length);
  return 1 - editDistance(typed, part) / longest;
}

/** How well the typed name fits: the mean of each typed word's best match among the patient's name parts. */
export function nameSimilarity(typed: string, patient: Patient): number {
  const words = tokens(typed);
  const parts = nameParts(patient);
  if (words.length === 0 || parts.length === 0) return 0;
  return words.reduce((sum, w) => sum + Math.max(...parts.map((p) => wordSimilarity(w, p))), 0) / words.length;
}

export function ageOn(birthDate: string | undefined, today = new Date()): number | null {
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return null;
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age -= 1;
  return age;
}

export const mrnOf = (patient: Patient) => patient.identifier?.find((i) => i.system === MRN_SYSTEM)?.value ?? null;
export const phonesOf = (patient: Patient) => (patient.telecom ?? []).filter((t) => t.system === 'phone' && t.value).map((t) => phoneDigits(t.value!));
export const postalCodesOf = (patient: Patient) => (patient.address ?? []).map((a) => a.postalCode?.slice(0, 5)).filter((z): z is string => Boolean(z));

export class PatientFinder {
  constructor(private readonly fhir: Pick<FhirService, 'searchType'>) {}

  async search(actor: FhirActor, request: PatientSearchRequest & { limit: number }): Promise<PatientMatch[]> {
    const candidates = new Map<string, Patient>();
    const run = async (pairs: Array<[string, string]>, count: number) => {
      const query = parseSearch('Patient', [...pairs, ['_count', String(count)]]);
      const outcome = await this.fhir.searchType(actor, query, new URLSearchParams(pairs).toString());
      for (const row of outcome.rows) candidates.set(row.id, JSON.parse(row.content) as Patient);
    };
    const { name, birthDate, phone, mrn, email } = request;
    // Exact keys first: each narrows to a handful of people.
    if (mrn) await run([['identifier', `${MRN_SYSTEM}|${mrn}`]], 10);
    if (phone) await run([['phone', formatPhone(phone)]], 25);
    if (email) await run([['email', email]], 10);
    if (birthDate) await run([['birthdate', birthDate]], 100);
    if (name) {
      const words = tokens(name);
      // Every word as typed (name search is a prefix match on each part)…
      await run(words.map((w) => ['name', w] as [string, string]), 50);
      // …and, for misspellings, everyone whose name starts like one of the words (people rarely
      // mistype the first three letters); ranked and filtered below.
      for (const prefix of new Set(words.filter((w) => w.length >= 4).map((w) => w.slice(0, 3)))) await run([['name', prefix]], FUZZY_CANDIDATES);
    }

    const matches: PatientMatch[] = [];
    for (const [id, patient] of candidates) {
      const matched: string[] = [];
      let score = 0;
      const hit = (key: string, points: number) => {
        matched.push(key);
        score += points;
      };
      if (mrn && mrnOf(patient)?.toUpperCase() === mrn) hit('mrn', 5);
      if (phone && phonesOf(patient).includes(phone)) hit('phone', 3);
      if (email && (patient.telecom ?? []).some((t) => t.system === 'email' && t.value?.toLowerCase() === email)) hit('email', 3);
      if (birthDate && patient.birthDate === birthDate) hit('birthDate', 3);
      if (name) {
        const similarity = nameSimilarity(name, patient);
        if (similarity >= 0.75) hit('name', 3 * similarity);
      }
      // Every detail given must fit (a name only roughly): a different date of birth is someone else.
      const asked = [mrn && 'mrn', phone && 'phone', email && 'email', birthDate && 'birthDate', name && 'name'].filter(Boolean) as string[];
      if (asked.some((key) => !matched.includes(key))) continue;
      const mrnValue = mrnOf(patient);
      matches.push({
        id,
        name: displayName(patient),
        birthDate: patient.birthDate ?? null,
        age: ageOn(patient.birthDate),
        gender: patient.gender ?? null,
        mrnHint: mrnValue ? `•••${mrnValue.slice(-4)}` : null,
        city: patient.address?.[0]?.city ?? null,
        matched,
        score: Math.round(score * 100) / 100,
      });
    }
    return matches.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name)).slice(0, request.limit);
  }
}
