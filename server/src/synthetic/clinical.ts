/**
 * The clinical facts of one patient that care gaps depend on (random stream 2), shared by the
 * lean and full profiles: conditions, body measurements, smoking, the visit timeline, the latest
 * vital signs, HbA1c results and the screening procedures (mammography, colonoscopy, cervical
 * cytology).
 */
import type { CodeableConcept, Condition, Observation, Procedure, Quantity } from '@medplum/fhirtypes';
import { ref, type LocalReference } from './clinic.js';
import {
  CONDITIONS,
  CONDITION_BY_KEY,
  LOINC,
  SCREENINGS,
  SMOKING_STATUS,
  SYSTEMS,
  concept,
  type ConditionKey,
} from './codes.js';
import { DAY_MS, YEAR_DAYS, isoDate } from './dates.js';
import { denverDateTime } from './metro.js';
import { STREAM, type Clinical, type ConditionFact, type GeneratorContext, type IdAllocator, type Person, type Visit } from './model.js';
import type { Prng } from './prng.js';

/** Conditions that bring patients back for follow-up visits. */
const CHRONIC: ReadonlySet<ConditionKey> = new Set([
  'hypertension',
  'diabetes',
  'asthma',
  'copd',
  'depression',
  'anxiety',
  'hyperlipidemia',
  'ckd',
  'hypothyroidism',
  'atrialFibrillation',
  'coronaryDisease',
  'adhd',
]);

/** Share of hypertensive patients whose latest reading is below 140/90. */
export const HYPERTENSION_CONTROLLED_SHARE = 0.62;

const years = (n: number) => Math.round(n * YEAR_DAYS) * DAY_MS;

export function quantity(value: number, unit: string, code = unit): Quantity {
  return { value, unit, system: SYSTEMS.ucum, code };
}

export const CATEGORY = {
  vitalSigns: [concept(SYSTEMS.observationCategory, 'vital-signs', 'Vital Signs')],
  laboratory: [concept(SYSTEMS.observationCategory, 'laboratory', 'Laboratory')],
  socialHistory: [concept(SYSTEMS.observationCategory, 'social-history', 'Social History')],
};

const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
export const interpretation = (code: 'H' | 'N' | 'L'): CodeableConcept[] => [
  concept(INTERPRETATION_SYSTEM, code, code === 'H' ? 'High' : code === 'L' ? 'Low' : 'Normal'),
];

export const loincConcept = (entry: readonly [string, string]): CodeableConcept => concept(SYSTEMS.loinc, entry[0], entry[1], entry[1]);
export const snomedConcept = (entry: readonly [string, string]): CodeableConcept =>
  concept(SYSTEMS.snomed, entry[0], entry[1], entry[1].replace(/ \((procedure|disorder|finding|regime\/therapy)\)$/, ''));

export function conditionConcept(key: ConditionKey): CodeableConcept {
  const def = CONDITION_BY_KEY[key];
  return {
    coding: [
      { system: SYSTEMS.snomed, code: def.snomed, display: def.snomedDisplay },
      { system: SYSTEMS.icd10cm, code: def.icd10, display: def.icd10Display },
    ],
    text: def.icd10Display,
  };
}

function childHeightCm(age: number, sex: 'female' | 'male'): number {
  if (age < 1) return 60;
  if (age < 2) return 78;
  if (age <= 12) return 86 + (age - 2) * 6.2;
  const at12 = 86 + 10 * 6.2;
  return sex === 'male' ? at12 + Math.min(age - 12, 5) * 5.2 : at12 + Math.min(age - 12, 3) * 3.5;
}

function childBmiMedian(age: number): number {
  return age < 2 ? 17 : 15.5 + 0.33 * (age - 2);
}

/** Draws the clinical facts and visit timeline, allocating ids as resources will be built. */
export function generateClinical(ctx: GeneratorContext, person: Person, ids: IdAllocator): Clinical {
  const { prng, nowDay } = ctx;
  prng.seed([ctx.seed, person.number, STREAM.clinical]);
  const { age, band, sex } = person;

  let smoking: Clinical['smoking'];
  if (age >= 13) {
    const [current, former] =
      band === 'child' ? [2, 1] : band === 'young' ? [11, 10] : band === 'middle' ? [14, 18] : band === 'older' ? [14, 28] : [8, 42];
    smoking = prng.weighted([['current', current], ['former', former], ['never', 100 - current - former]] as const);
  }

  const conditions = new Map<ConditionKey, ConditionFact>();
  const has = (key: ConditionKey) => conditions.has(key);
  const forced: ConditionKey[] = person.number === 1 ? ['hypertension', 'diabetes'] : [];
  for (const def of CONDITIONS) {
    if (def.key === 'obesity' || age < def.minAge) continue;
    let p = def.prevalence[band] ?? 0;
    if (sex === 'female' && def.femaleFactor) p *= def.femaleFactor;
    if (def.key === 'copd') p *= smoking === 'current' || smoking === 'former' ? 2 : 0.35;
    if (def.key === 'ckd') p *= has('diabetes') || has('hypertension') ? 1.8 : 0.6;
    if (def.key === 'prediabetes' && has('diabetes')) p = 0;
    if (def.key === 'hyperlipidemia' && has('diabetes')) p *= 1.6;
    const present = forced.includes(def.key) || prng.chance(Math.min(p, 0.95));
    if (present) conditions.set(def.key, onset(prng, person, def.key, nowDay));
  }

  // Body: adult BMI ~ US distribution (≈ 42% ≥ 30); children around an age median.
  let heightCm: number;
  let bmi: number;
  let obese: boolean;
  if (age >= 18) {
    heightCm = sex === 'male' ? prng.normal(176, 7, 155, 200) : prng.normal(162.5, 6.5, 145, 185);
    bmi = prng.normal(28.6 + (has('diabetes') || has('hypertension') ? 1.5 : 0), 6.2, 16.5, 55);
    obese = bmi >= 30;
  } else {
    heightCm = prng.normal(childHeightCm(age, sex), 4, 45, 195);
    bmi = prng.normal(childBmiMedian(age), 2.8, 12, 40);
    obese = age >= 6 && bmi >= childBmiMedian(age) + 3.2;
  }
  heightCm = Math.round(heightCm * 10) / 10;
  bmi = Math.round(bmi * 10) / 10;
  const weightKg = Math.round(bmi * (heightCm / 100) ** 2 * 10) / 10;
  if (obese && age >= 6 && prng.chance(age >= 18 ? 0.65 : 0.5)) conditions.set('obesity', onset(prng, person, 'obesity', nowDay));

  // Allocate condition ids in table order, so lean and full agree.
  for (const def of CONDITIONS) {
    const fact = conditions.get(def.key);
    if (fact) fact.id = ids.next('Condition');
  }

  const visits = visitTimeline(ctx, person, conditions, ids);
  const clinical: Clinical = { conditions, heightCm, bmi, weightKg, ...(smoking ? { smoking } : {}), visits, vitals: new Map(), hba1c: [] };

  const latestInPerson = visits.find((v) => !v.virtual);
  if (latestInPerson) {
    const vitals = { heightCm, weightKg, bmi, ...bloodPressure(prng, person, clinical) };
    clinical.vitals.set(latestInPerson.index, vitals);
  }
  if (has('diabetes')) {
    // HbA1c: most tested within 6 months, some overdue (> 12 months); some above 9%.
    const daysAgo = prng.weighted([
      [prng.int(7, 180), 70],
      [prng.int(181, 365), 15],
      [prng.int(366, 700), 15],
    ]);
    const value = prng.weighted([
      [prng.normal(7.0, 0.4, 6.0, 7.9), 55],
      [prng.float(8.0, 9.0), 25],
      [prng.float(9.1, 12.5), 20],
    ]);
    clinical.hba1c.push({ id: ids.next('Observation'), day: nowDay - daysAgo * DAY_MS, value: round1(value) });
    if (prng.chance(0.6)) {
      clinical.hba1c.push({ id: ids.next('Observation'), day: nowDay - (daysAgo + prng.int(90, 270)) * DAY_MS, value: round1(value + prng.normal(0.3, 0.5)) });
    }
  } else if (has('prediabetes') && prng.chance(0.7)) {
    clinical.hba1c.push({ id: ids.next('Observation'), day: nowDay - prng.int(14, 700) * DAY_MS, value: round1(prng.float(5.7, 6.4)) });
  }
  return clinical;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

function onset(prng: Prng, person: Person, key: ConditionKey, nowDay: number): ConditionFact {
  const def = CONDITION_BY_KEY[key];
  const from = Math.min(Math.max(def.onsetFromAge, def.minAge), person.age);
  const onsetAge = from + (person.age - from) * Math.sqrt(prng.next());
  let day = person.birthDay + Math.floor(onsetAge * YEAR_DAYS) * DAY_MS;
  day = Math.min(day, nowDay - 14 * DAY_MS);
  day = Math.max(day, person.birthDay);
  const status: ConditionFact['status'] =
    (key === 'depression' && prng.chance(0.15)) || (key === 'anxiety' && prng.chance(0.1)) ? 'remission' : 'active';
  return { key, id: '', onsetDay: Math.floor(day / DAY_MS) * DAY_MS, status };
}

function visitTimeline(ctx: GeneratorContext, person: Person, conditions: Map<ConditionKey, ConditionFact>, ids: IdAllocator): Visit[] {
  const { prng, nowDay, directory } = ctx;
  const chronic = [...conditions.keys()].filter((k) => CHRONIC.has(k));
  let count: number;
  if (person.age < 2) count = prng.int(3, 6);
  else if (person.age < 18) count = (prng.chance(0.85) ? 1 : 0) + (prng.chance(0.85) ? 1 : 0) + (prng.chance(0.4) ? 1 : 0);
  else if (chronic.length === 0) count = prng.chance(0.12) ? 0 : prng.weighted([[1, 45], [2, 35], [3, 10]] as const);
  else count = prng.chance(0.05) ? 0 : prng.int(1, 2) + Math.min(chronic.length, 3) + (person.age >= 65 ? 1 : 0);
  if (person.number === 1) count = Math.max(count, 2);

  const days = prng.sample(Array.from({ length: 728 }, (_, i) => i + 3), count).sort((a, b) => a - b);
  const primaryCare = directory.practitioners.filter((p) => p.specialty.key === person.pcp.specialty.key);
  const virtualSite = directory.locations.findIndex((l) => l.site.kind === 'virtual');
  let checkupYear = -1;
  return days.map((daysAgo, index) => {
    const yearBucket = Math.floor(daysAgo / 365);
    let kind: Visit['kind'];
    if (person.age < 18) kind = prng.chance(0.75) ? 'wellChild' : 'symptom';
    else if (yearBucket !== checkupYear && prng.chance(0.6)) {
      kind = 'checkup';
      checkupYear = yearBucket;
    } else kind = chronic.length > 0 && prng.chance(0.7) ? 'followUp' : 'symptom';
    const virtual = (kind === 'followUp' || kind === 'symptom') && prng.chance(person.age < 18 ? 0.05 : 0.25);
    const practitioner = prng.chance(0.85) ? person.pcp : prng.pick(primaryCare);
    const addressed = kind === 'followUp' ? prng.sample(chronic, prng.int(1, 2)) : kind === 'checkup' ? chronic.slice(0, 3) : [];
    return {
      index,
      encounterId: ids.next('Encounter'),
      day: nowDay - daysAgo * DAY_MS,
      minutes: 8 * 60 + 10 * prng.int(0, 50),
      duration: kind === 'checkup' || kind === 'wellChild' ? 40 : prng.pick([20, 30]),
      kind,
      virtual,
      practitioner,
      site: virtual ? virtualSite : practitioner.sites[0]!,
      addressed,
    };
  });
}

function bloodPressure(prng: Prng, person: Person, clinical: Clinical): { systolic?: number; diastolic?: number } {
  if (person.age < 3) return {};
  let systolic: number;
  let diastolic: number;
  if (person.age < 18) {
    systolic = prng.normal(96 + person.age, 8, 80, 135);
    diastolic = prng.normal(58 + person.age / 2, 6, 45, 85);
  } else if (clinical.conditions.has('hypertension')) {
    const controlled = prng.chance(HYPERTENSION_CONTROLLED_SHARE);
    clinical.hypertensionControlled = controlled;
    if (controlled) {
      systolic = prng.normal(128, 6, 108, 139);
      diastolic = prng.normal(79, 5, 62, 89);
    } else {
      systolic = prng.normal(150, 9, 140, 195);
      diastolic = prng.normal(91, 8, 70, 118);
    }
  } else {
    systolic = prng.normal(116 + (person.age - 18) * 0.15, 9, 92, 139);
    diastolic = prng.normal(75, 7, 58, 89);
  }
  return { systolic: Math.round(systolic), diastolic: Math.round(diastolic) };
}

// ---------------------------------------------------------------------------------------------
// Resources

export function conditionResources(person: Person, clinical: Clinical): Condition[] {
  const out: Condition[] = [];
  for (const def of CONDITIONS) {
    const fact = clinical.conditions.get(def.key);
    if (!fact) continue;
    out.push({
      resourceType: 'Condition',
      id: fact.id,
      clinicalStatus: concept(SYSTEMS.conditionClinical, fact.status, fact.status === 'active' ? 'Active' : 'Remission'),
      verificationStatus: concept(SYSTEMS.conditionVerification, 'confirmed', 'Confirmed'),
      category: [concept(SYSTEMS.conditionCategory, 'problem-list-item', 'Problem List Item')],
      code: conditionConcept(def.key),
      subject: person.ref,
      onsetDateTime: isoDate(fact.onsetDay),
      recordedDate: isoDate(fact.onsetDay),
    });
  }
  return out;
}

export function visitTime(visit: Visit, offsetMinutes = 5): string {
  return denverDateTime(visit.day, visit.minutes + offsetMinutes);
}

interface ObservationRefs {
  encounter?: LocalReference;
  performer?: LocalReference[];
}

export function bloodPressureObservation(id: string, person: Person, effective: string, systolic: number, diastolic: number, refs: ObservationRefs): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: CATEGORY.vitalSigns,
    code: loincConcept(LOINC.bloodPressurePanel),
    subject: person.ref,
    ...refs,
    effectiveDateTime: effective,
    component: [
      { code: loincConcept(LOINC.systolic), valueQuantity: quantity(systolic, 'mm[Hg]') },
      { code: loincConcept(LOINC.diastolic), valueQuantity: quantity(diastolic, 'mm[Hg]') },
    ],
  };
}

export function vitalObservation(
  id: string,
  person: Person,
  effective: string,
  code: readonly [string, string],
  value: Quantity,
  refs: ObservationRefs,
): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: CATEGORY.vitalSigns,
    code: loincConcept(code),
    subject: person.ref,
    ...refs,
    effectiveDateTime: effective,
    valueQuantity: value,
  };
}

export function hba1cObservation(person: Person, result: { id: string; day: number; value: number }): Observation {
  return {
    resourceType: 'Observation',
    id: result.id,
    status: 'final',
    category: CATEGORY.laboratory,
    code: loincConcept(LOINC.hba1c),
    subject: person.ref,
    effectiveDateTime: denverDateTime(result.day, 7 * 60 + 30 + (Math.round(result.value * 10) % 12) * 10),
    valueQuantity: quantity(result.value, '%'),
    interpretation: interpretation(result.value >= 5.7 ? 'H' : 'N'),
    referenceRange: [{ high: quantity(5.6, '%'), text: 'Below 5.7%' }],
  };
}

/**
 * The observations care gaps read: the latest blood pressure and BMI, smoking status and HbA1c.
 * In the full profile they are linked to their encounter.
 */
export function careGapObservations(ctx: GeneratorContext, person: Person, clinical: Clinical, ids: IdAllocator): Observation[] {
  const out: Observation[] = [];
  const latest = clinical.visits.find((v) => !v.virtual);
  if (latest) {
    const vitals = clinical.vitals.get(latest.index)!;
    const refs: ObservationRefs = { performer: [ref('Practitioner', latest.practitioner.id)] };
    if (!ctx.lean) refs.encounter = ref('Encounter', latest.encounterId);
    const at = visitTime(latest);
    if (vitals.systolic !== undefined && vitals.diastolic !== undefined) {
      out.push(bloodPressureObservation(ids.next('Observation'), person, at, vitals.systolic, vitals.diastolic, refs));
    }
    if (person.age >= 2) out.push(vitalObservation(ids.next('Observation'), person, at, LOINC.bmi, quantity(clinical.bmi, 'kg/m2'), refs));
  }
  const lastVisit = clinical.visits[0];
  if (clinical.smoking && lastVisit) {
    const status = SMOKING_STATUS[clinical.smoking];
    out.push({
      resourceType: 'Observation',
      id: ids.next('Observation'),
      status: 'final',
      category: CATEGORY.socialHistory,
      code: loincConcept(LOINC.smokingStatus),
      subject: person.ref,
      ...(ctx.lean ? {} : { encounter: ref('Encounter', lastVisit.encounterId) }),
      effectiveDateTime: visitTime(lastVisit),
      valueCodeableConcept: snomedConcept(status),
    });
  }
  for (const result of clinical.hba1c) out.push(hba1cObservation(person, result));
  return out;
}

/**
 * Screening procedures with realistic up-to-date shares: mammography (women 50–74, ~73% within 2
 * years), colonoscopy (45–75, ~65% within 10 years), cervical cytology (women 21–65, ~73% within 3
 * years). Uses the clinical stream after the timeline.
 */
export const SCREENING_RATES = {
  mammography: { upToDate: 0.73, overdue: 0.15 },
  colonoscopy: { upToDate: 0.65, overdue: 0.1 },
  cervicalCytology: { upToDate: 0.73, overdue: 0.12 },
} as const;

export function screeningProcedures(ctx: GeneratorContext, person: Person, ids: IdAllocator): Procedure[] {
  const { prng, nowDay, directory } = ctx;
  const out: Procedure[] = [];
  const { age, sex } = person;
  const home = directory.locations[person.pcp.sites[0]!]!;
  const sinceAge = (minAge: number) => person.birthDay + years(minAge);
  const add = (code: readonly [string, string], day: number, performer: LocalReference | undefined) => {
    out.push({
      resourceType: 'Procedure',
      id: ids.next('Procedure'),
      status: 'completed',
      category: concept(SYSTEMS.snomed, '103693007', 'Diagnostic procedure (procedure)'),
      code: snomedConcept(code),
      subject: person.ref,
      performedDateTime: denverDateTime(day, 8 * 60 + 30 * prng.int(0, 16)),
      ...(performer ? { performer: [{ actor: performer }] } : {}),
      location: ref('Location', home.id, home.site.name),
    });
  };
  /** Picks a day in [from, to] days ago, not before `earliest`; undefined when impossible. */
  const dayBetween = (fromDaysAgo: number, toDaysAgo: number, earliest: number): number | undefined => {
    const latestAllowed = nowDay - fromDaysAgo * DAY_MS;
    const earliestAllowed = Math.max(nowDay - toDaysAgo * DAY_MS, earliest);
    if (earliestAllowed > latestAllowed) return undefined;
    return earliestAllowed + prng.int(0, Math.floor((latestAllowed - earliestAllowed) / DAY_MS)) * DAY_MS;
  };
  /**
   * The day of the latest screening: up to date, overdue, or never (undefined), by the rates.
   * Each window is [fromDaysAgo, toDaysAgo, earliest day allowed].
   */
  const screeningDay = (
    rates: { upToDate: number; overdue: number },
    upToDate: [number, number, number],
    overdue: [number, number, number],
  ): number | undefined => {
    const r = prng.next();
    if (r < rates.upToDate) return dayBetween(...upToDate);
    return r < rates.upToDate + rates.overdue ? dayBetween(...overdue) : undefined;
  };

  if (sex === 'female' && age >= 40 && age <= 80) {
    const rates = age >= 50 && age <= 74 ? SCREENING_RATES.mammography : { upToDate: 0.45, overdue: 0.2 };
    const day = screeningDay(rates, [7, 720, sinceAge(40)], [740, 1800, sinceAge(40)]);
    if (day !== undefined) add(SCREENINGS.mammography, day, undefined);
  }
  if (age >= 45 && age <= 80) {
    const day = screeningDay(SCREENING_RATES.colonoscopy, [7, 3600, sinceAge(44)], [3680, 5200, sinceAge(40)]);
    const gi = prng.pick(directory.bySpecialty.get('gastroenterology')!);
    if (day !== undefined) add(SCREENINGS.colonoscopy, day, ref('Practitioner', gi.id, gi.display));
  }
  if (sex === 'female' && age >= 21 && age <= 65) {
    const day = screeningDay(SCREENING_RATES.cervicalCytology, [7, 1080, sinceAge(21)], [1110, 2200, sinceAge(21)]);
    const clinician = prng.chance(0.5) ? prng.pick(directory.bySpecialty.get('obgyn')!) : person.pcp;
    if (day !== undefined) add(SCREENINGS.cervicalCytology, day, ref('Practitioner', clinician.id, clinician.display));
  }
  return out;
}
