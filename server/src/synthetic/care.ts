/**
 * Everything the full profile adds to a patient (random stream 3): related persons, coverage,
 * care team, allergies, encounters with visit summaries, the other vital signs, lipid panels and
 * lab reports, medications, immunizations, care plans and an upcoming appointment.
 */
import type {
  AllergyIntolerance,
  Appointment,
  CarePlan,
  CareTeam,
  Coverage,
  DiagnosticReport,
  DocumentReference,
  Encounter,
  Immunization,
  MedicationRequest,
  Observation,
  RelatedPerson,
  Resource,
} from '@medplum/fhirtypes';
import {
  appointmentTypeConcept,
  ref,
  serviceTypeConcept,
  specialtyConcept,
  visitModeConcept,
  type ClinicPayer,
  type ClinicPractitioner,
  type LocalReference,
} from './clinic.js';
import {
  ALLERGIES,
  CHILDHOOD_SCHEDULE,
  CONDITIONS,
  CONDITION_BY_KEY,
  ENCOUNTER_TYPES,
  LOINC,
  MEDICATIONS,
  SUBSCRIBER_ID_SYSTEM,
  SYSTEMS,
  VACCINES,
  VISIT_MODE,
  concept,
  type ConditionKey,
  type MedicationKey,
  type SpecialtyKey,
  type VaccineKey,
} from './codes.js';
import {
  CATEGORY,
  bloodPressureObservation,
  interpretation,
  loincConcept,
  quantity,
  snomedConcept,
  visitTime,
  vitalObservation,
} from './clinical.js';
import { contactRelationship } from './demographics.js';
import { DAY_MS, YEAR_DAYS, addMonths, isoDate } from './dates.js';
import { denverDateTime } from './metro.js';
import { STREAM, type Clinical, type GeneratorContext, type IdAllocator, type Person, type Visit, type Vitals } from './model.js';
import type { Prng } from './prng.js';

const ENCOUNTER_TYPE_FOR: Record<Visit['kind'], readonly [string, string]> = {
  checkup: ENCOUNTER_TYPES.checkup,
  followUp: ENCOUNTER_TYPES.followUp,
  wellChild: ENCOUNTER_TYPES.wellChild,
  symptom: ENCOUNTER_TYPES.symptom,
  problem: ['185347001', 'Encounter for problem (procedure)'],
};

/** Specialist referrals: who sees whom, and how often. */
const REFERRALS: ReadonlyArray<{ condition: ConditionKey; specialty: SpecialtyKey; chance: number }> = [
  { condition: 'coronaryDisease', specialty: 'cardiology', chance: 0.7 },
  { condition: 'atrialFibrillation', specialty: 'cardiology', chance: 0.6 },
  { condition: 'copd', specialty: 'pulmonology', chance: 0.5 },
  { condition: 'asthma', specialty: 'pulmonology', chance: 0.1 },
  { condition: 'depression', specialty: 'psychiatry', chance: 0.25 },
  { condition: 'anxiety', specialty: 'psychology', chance: 0.2 },
  { condition: 'osteoarthritis', specialty: 'orthopedics', chance: 0.25 },
  { condition: 'hypothyroidism', specialty: 'endocrinology', chance: 0.15 },
];

/** Medications prescribed for each condition: [medication, probability]. */
const TREATMENTS: Partial<Record<ConditionKey, ReadonlyArray<readonly [MedicationKey, number]>>> = {
  hypertension: [
    ['lisinopril', 0.6],
    ['amlodipine', 0.3],
    ['hydrochlorothiazide', 0.2],
  ],
  diabetes: [['metformin', 0.85]],
  hyperlipidemia: [
    ['atorvastatin', 0.6],
    ['simvastatin', 0.25],
  ],
  asthma: [
    ['albuterol', 0.95],
    ['fluticasone', 0.5],
  ],
  copd: [['albuterol', 0.9]],
  depression: [['sertraline', 0.65]],
  anxiety: [['sertraline', 0.3]],
  hypothyroidism: [['levothyroxine', 0.95]],
  coronaryDisease: [
    ['aspirin', 0.8],
    ['atorvastatin', 0.7],
  ],
  atrialFibrillation: [['warfarin', 0.6]],
  osteoarthritis: [
    ['naproxen', 0.4],
    ['acetaminophen', 0.4],
  ],
};

const CARE_PLANS: Partial<Record<ConditionKey, { category: readonly [string, string]; title: string; activities: ReadonlyArray<readonly [string, string]> }>> = {
  diabetes: {
    category: ['698360004', 'Diabetes self management plan'],
    title: 'Diabetes self-management plan',
    activities: [
      ['160670007', 'Diabetic diet'],
      ['229065009', 'Exercise therapy'],
    ],
  },
  hypertension: {
    category: ['443402002', 'Lifestyle education regarding hypertension (procedure)'],
    title: 'Hypertension management plan',
    activities: [
      ['386463000', 'Prescribed activity/exercise education'],
      ['413473000', 'Counseling about alcohol consumption'],
    ],
  },
  asthma: {
    category: ['699728000', 'Asthma self management'],
    title: 'Asthma action plan',
    activities: [
      ['710818004', 'Inhaled steroid therapy'],
      ['708409001', 'Home nebulizer therapy'],
    ],
  },
};

/** What a visit summary says about each condition, by control. */
const PLAN_TEXT: Partial<Record<ConditionKey, string>> = {
  hypertension: 'Hypertension: reviewed home readings and medication adherence; low-sodium diet and daily walking encouraged.',
  diabetes: 'Type 2 diabetes: reviewed glucose log and HbA1c; foot exam done; annual eye exam reminded.',
  prediabetes: 'Prediabetes: discussed weight loss goal of 5–7% and the diabetes prevention program.',
  asthma: 'Asthma: symptoms reviewed, inhaler technique checked, action plan updated.',
  copd: 'COPD: breathing stable; inhaler use reviewed; smoking cessation support offered.',
  depression: 'Depression: PHQ-9 reviewed; continue current treatment and counseling.',
  anxiety: 'Anxiety: coping strategies reviewed; counseling referral discussed.',
  hyperlipidemia: 'Hyperlipidemia: lipid results discussed; continue statin and heart-healthy diet.',
  obesity: 'Weight: nutrition and activity goals set; follow-up in 3 months.',
  ckd: 'Chronic kidney disease: kidney function stable; avoid NSAIDs; labs in 6 months.',
  hypothyroidism: 'Hypothyroidism: TSH in range; continue levothyroxine.',
  osteoarthritis: 'Osteoarthritis: joint pain managed; physical therapy exercises recommended.',
  gerd: 'Reflux: diet triggers reviewed; symptoms controlled.',
  allergicRhinitis: 'Allergic rhinitis: seasonal symptoms reviewed; antihistamine as needed.',
  atrialFibrillation: 'Atrial fibrillation: rate controlled; anticoagulation reviewed.',
  coronaryDisease: 'Coronary artery disease: no chest pain; continue aspirin and statin.',
  adhd: 'ADHD: school performance reviewed with parent; plan unchanged.',
};

interface FullContext {
  ctx: GeneratorContext;
  person: Person;
  clinical: Clinical;
  ids: IdAllocator;
  prng: Prng;
  out: Resource[];
  /** RelatedPerson who is the subscriber for a child's coverage. */
  guardian?: LocalReference;
  careTeam?: LocalReference;
  conditionRef: (key: ConditionKey) => LocalReference;
}

/** Generates the full-profile resources for a patient whose demographics and clinical facts exist. */
export function fullProfileResources(ctx: GeneratorContext, person: Person, clinical: Clinical, ids: IdAllocator): Resource[] {
  const prng = ctx.prng;
  prng.seed([ctx.seed, person.number, STREAM.full]);
  const f: FullContext = {
    ctx,
    person,
    clinical,
    ids,
    prng,
    out: [],
    conditionRef: (key) => ref('Condition', clinical.conditions.get(key)!.id, CONDITION_BY_KEY[key].icd10Display),
  };
  relatedPerson(f);
  coverage(f);
  careTeam(f);
  allergies(f);
  specialistVisits(f);
  encounters(f);
  vitalSigns(f);
  labs(f);
  medications(f);
  immunizations(f);
  carePlans(f);
  visitSummaries(f);
  appointment(f);
  return f.out;
}

function relatedPerson(f: FullContext): void {
  const { person, prng } = f;
  const contact = person.contacts[0];
  if (!contact) return;
  const wanted = person.age < 18 || (person.age >= 65 ? prng.chance(0.4) : prng.chance(0.15));
  if (!wanted) return;
  const id = f.ids.next('RelatedPerson');
  const resource: RelatedPerson = {
    resourceType: 'RelatedPerson',
    id,
    active: true,
    patient: person.ref,
    relationship: contactRelationship(contact),
    name: [{ use: 'usual', family: contact.last, given: [contact.first] }],
    telecom: [{ system: 'phone', value: contact.phone, use: 'mobile' }],
    gender: contact.gender,
    address: [{ use: 'home', line: person.address.line, city: person.address.city, state: 'CO', postalCode: person.address.postalCode, country: 'US' }],
  };
  f.out.push(resource);
  if (person.age < 18) f.guardian = ref('RelatedPerson', id, `${contact.first} ${contact.last}`);
}

function payerFor(f: FullContext): ClinicPayer | undefined {
  const { person, prng } = f;
  const { payers } = f.ctx.directory;
  if (person.age >= 65) return prng.chance(0.93) ? payers.medicare : prng.pick(payers.commercial);
  if (person.age < 18) return prng.weighted([[payers.medicaid, 25], [payers.chip, 12], [prng.pick(payers.commercial), 58], [undefined, 5]]);
  return prng.weighted([[prng.pick(payers.commercial), 64], [payers.medicaid, 22], [payers.medicare, 3], [undefined, 11]]);
}

const MBI_LETTERS = 'ACDEFGHJKMNPQRTUVWXY';

function subscriberId(prng: Prng, payer: ClinicPayer): string {
  const digit = () => String(prng.int(0, 9));
  const letter = () => MBI_LETTERS[prng.int(0, MBI_LETTERS.length - 1)]!;
  if (payer.type.code === '1') {
    // Medicare Beneficiary Identifier layout: C A AN N A AN N A A N N.
    return `${prng.int(1, 9)}${letter()}${letter()}${digit()}${letter()}${letter()}${digit()}${letter()}${letter()}${digit()}${digit()}`;
  }
  if (payer.type.code === '2') return `${letter()}${String(prng.int(0, 999_999)).padStart(6, '0')}`;
  return `${payer.group.slice(0, 3)}${String(prng.int(0, 999_999_999)).padStart(9, '0')}`;
}

function coverage(f: FullContext): void {
  const { person, prng, ctx } = f;
  const payer = payerFor(f);
  if (!payer) return;
  const id = f.ids.next('Coverage');
  const memberId = subscriberId(prng, payer);
  const start =
    payer.type.code === '1' && person.age >= 65
      ? person.birthDay + Math.round(65 * YEAR_DAYS) * DAY_MS
      : Math.max(person.birthDay, ctx.nowDay - prng.int(30, 3650) * DAY_MS);
  const childOfGuardian = person.age < 18 && f.guardian !== undefined && payer.type.code === '5';
  const resource: Coverage = {
    resourceType: 'Coverage',
    id,
    identifier: [{ system: SUBSCRIBER_ID_SYSTEM, value: memberId }],
    status: 'active',
    type: concept(SYSTEMS.payerType, payer.type.code, payer.type.display),
    subscriber: childOfGuardian ? f.guardian! : person.ref,
    subscriberId: memberId,
    beneficiary: person.ref,
    relationship: childOfGuardian
      ? concept(SYSTEMS.subscriberRelationship, 'child', 'Child')
      : concept(SYSTEMS.subscriberRelationship, 'self', 'Self'),
    period: { start: isoDate(start) },
    payor: [ref('Organization', payer.id, payer.name)],
    class: [{ type: concept(SYSTEMS.coverageClass, 'group', 'Group'), value: payer.group, name: payer.name }],
  };
  f.out.push(resource);
}

function careTeam(f: FullContext): void {
  const { person, ctx } = f;
  const id = f.ids.next('CareTeam');
  const participant: NonNullable<CareTeam['participant']> = [
    { role: [concept(SYSTEMS.snomed, '116154003', 'Patient (person)')], member: person.ref },
    { role: [concept(SYSTEMS.snomed, '446050000', 'Primary care physician (occupation)')], member: ref('Practitioner', person.pcp.id, person.pcp.display) },
  ];
  const nurse = ctx.directory.bySpecialty.get('registeredNurse')![(person.number - 1) % 3];
  if (nurse) participant.push({ role: [concept(SYSTEMS.snomed, '224535009', 'Registered nurse (occupation)')], member: ref('Practitioner', nurse.id, nurse.display) });
  if (f.guardian) participant.push({ role: [concept(SYSTEMS.snomed, '133932002', 'Caregiver (person)')], member: f.guardian });
  f.out.push({
    resourceType: 'CareTeam',
    id,
    status: 'active',
    category: [loincConcept(LOINC.careTeamLongitudinal)],
    name: 'Primary care team',
    subject: person.ref,
    period: { start: isoDate(Math.max(person.birthDay, ctx.nowDay - 5 * 365 * DAY_MS)) },
    participant,
    managingOrganization: [ref('Organization', ctx.directory.organizationId, ctx.directory.organizationName)],
  } satisfies CareTeam);
  f.careTeam = ref('CareTeam', id);
}

function allergies(f: FullContext): void {
  const { person, prng, ctx } = f;
  if (!prng.chance(0.2)) return;
  const count = prng.chance(0.2) ? 2 : 1;
  const picks = new Set<number>();
  while (picks.size < count) picks.add(prng.weighted(ALLERGIES.map((a, i) => [i, a.weight] as const)));
  for (const i of picks) {
    const a = ALLERGIES[i]!;
    const recorded = Math.max(person.birthDay + 365 * DAY_MS, ctx.nowDay - prng.int(60, 5000) * DAY_MS);
    f.out.push({
      resourceType: 'AllergyIntolerance',
      id: f.ids.next('AllergyIntolerance'),
      clinicalStatus: concept(SYSTEMS.allergyClinical, 'active', 'Active'),
      verificationStatus: concept(SYSTEMS.allergyVerification, 'confirmed', 'Confirmed'),
      type: 'allergy',
      category: [a.category],
      criticality: a.reaction[0] === '39579001' ? 'high' : 'low',
      code: concept(SYSTEMS.snomed, a.snomed, a.display, a.display),
      patient: person.ref,
      recordedDate: isoDate(Math.min(recorded, ctx.nowDay - 30 * DAY_MS)),
      reaction: [{ manifestation: [snomedConcept(a.reaction)], severity: a.reaction[0] === '39579001' ? 'severe' : 'mild' }],
    } satisfies AllergyIntolerance);
  }
}

function specialistVisits(f: FullContext): void {
  const { clinical, prng, ctx } = f;
  const seen = new Set<SpecialtyKey>();
  const diabetesUncontrolled = (clinical.hba1c[0]?.value ?? 0) > 9 && clinical.conditions.has('diabetes');
  const referrals = [...REFERRALS];
  if (diabetesUncontrolled) referrals.push({ condition: 'diabetes', specialty: 'endocrinology', chance: 0.5 });
  if (f.person.age >= 18) referrals.push({ condition: 'gerd', specialty: 'gastroenterology', chance: 0.1 });
  for (const r of referrals) {
    if (!clinical.conditions.has(r.condition) || seen.has(r.specialty) || !prng.chance(r.chance)) continue;
    seen.add(r.specialty);
    addVisit(f, prng.pick(ctx.directory.bySpecialty.get(r.specialty)!), [r.condition]);
  }
  if (f.person.age >= 18 && prng.chance(0.04)) addVisit(f, prng.pick(ctx.directory.bySpecialty.get('dermatology')!), []);
}

function addVisit(f: FullContext, practitioner: ClinicPractitioner, addressed: ConditionKey[]): void {
  const { prng, ctx, clinical } = f;
  const virtual = prng.chance(practitioner.specialty.virtualShare);
  const virtualSite = ctx.directory.locations.findIndex((l) => l.site.kind === 'virtual');
  clinical.visits.push({
    index: clinical.visits.length,
    encounterId: f.ids.next('Encounter'),
    day: ctx.nowDay - prng.int(10, 600) * DAY_MS,
    minutes: 8 * 60 + 30 * prng.int(0, 16),
    duration: 30,
    kind: 'problem',
    virtual,
    practitioner,
    site: virtual ? virtualSite : practitioner.sites[0]!,
    addressed,
  });
}

function encounters(f: FullContext): void {
  const { person, ctx, clinical } = f;
  for (const visit of clinical.visits) {
    const location = ctx.directory.locations[visit.site]!;
    const type = visit.virtual ? ENCOUNTER_TYPES.telemedicine : ENCOUNTER_TYPE_FOR[visit.kind];
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: visit.encounterId,
      status: 'finished',
      class: visit.virtual ? { ...VISIT_MODE.virtual } : { ...VISIT_MODE.inPerson },
      type: [snomedConcept(type)],
      subject: person.ref,
      participant: [
        {
          type: [concept('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'PPRF', 'primary performer')],
          individual: ref('Practitioner', visit.practitioner.id, visit.practitioner.display),
        },
      ],
      period: { start: denverDateTime(visit.day, visit.minutes), end: denverDateTime(visit.day, visit.minutes + visit.duration) },
      location: [{ location: ref('Location', location.id, location.site.name) }],
      serviceProvider: ref('Organization', ctx.directory.organizationId, ctx.directory.organizationName),
    };
    if (visit.addressed.length > 0) encounter.reasonReference = visit.addressed.map(f.conditionRef);
    f.out.push(encounter);
  }
}

/** Vital signs at every in-person visit (the latest blood pressure and BMI already exist). */
function vitalSigns(f: FullContext): void {
  const { person, clinical, prng, ids } = f;
  const latest = clinical.visits.find((v) => !v.virtual);
  for (const visit of clinical.visits) {
    if (visit.virtual || visit.kind === 'problem') continue;
    const refs = { encounter: ref('Encounter', visit.encounterId), performer: [ref('Practitioner', visit.practitioner.id)] };
    const at = visitTime(visit);
    let vitals: Vitals;
    if (visit === latest) {
      vitals = clinical.vitals.get(visit.index)!;
    } else {
      const weightKg = Math.round((clinical.weightKg + prng.normal(0, person.age < 18 ? 0.5 : 1.8)) * (person.age < 18 ? 0.95 : 1) * 10) / 10;
      const heightCm = person.age < 18 ? Math.round(clinical.heightCm * 0.97 * 10) / 10 : clinical.heightCm;
      vitals = { weightKg, heightCm, bmi: Math.round((weightKg / (heightCm / 100) ** 2) * 10) / 10 };
      if (person.age >= 3) {
        const hypertensive = clinical.conditions.has('hypertension');
        vitals.systolic = Math.round(prng.normal(hypertensive ? 138 : 117, 11, 85, 190));
        vitals.diastolic = Math.round(prng.normal(hypertensive ? 86 : 75, 8, 50, 115));
      }
      clinical.vitals.set(visit.index, vitals);
      if (vitals.systolic !== undefined && vitals.diastolic !== undefined) {
        f.out.push(bloodPressureObservation(ids.next('Observation'), person, at, vitals.systolic, vitals.diastolic, refs));
      }
      if (person.age >= 2) f.out.push(vitalObservation(ids.next('Observation'), person, at, LOINC.bmi, quantity(vitals.bmi!, 'kg/m2'), refs));
    }
    f.out.push(vitalObservation(ids.next('Observation'), person, at, LOINC.weight, quantity(vitals.weightKg!, 'kg'), refs));
    f.out.push(vitalObservation(ids.next('Observation'), person, at, LOINC.height, quantity(vitals.heightCm!, 'cm'), refs));
  }
}

function labs(f: FullContext): void {
  const { person, clinical, prng, ctx, ids } = f;
  const performer = [ref('Organization', ctx.directory.organizationId, ctx.directory.organizationName)];
  for (const result of clinical.hba1c) {
    f.out.push({
      resourceType: 'DiagnosticReport',
      id: ids.next('DiagnosticReport'),
      status: 'final',
      category: [concept(SYSTEMS.diagnosticServiceSection, 'LAB', 'Laboratory')],
      code: loincConcept(LOINC.hba1c),
      subject: person.ref,
      effectiveDateTime: isoDate(result.day),
      issued: `${isoDate(result.day + DAY_MS)}T15:00:00Z`,
      performer,
      result: [ref('Observation', result.id)],
      conclusion: result.value >= 6.5 ? 'HbA1c in the diabetic range.' : result.value >= 5.7 ? 'HbA1c in the prediabetes range.' : 'HbA1c normal.',
    } satisfies DiagnosticReport);
  }
  const { conditions } = clinical;
  const indicated = person.age >= 40 || conditions.has('hyperlipidemia') || conditions.has('diabetes') || conditions.has('coronaryDisease');
  if (person.age < 20 || !indicated || !prng.chance(0.75)) return;
  const day = ctx.nowDay - prng.int(14, 1800) * DAY_MS;
  const treated = conditions.has('hyperlipidemia') && prng.chance(0.6);
  const high = conditions.has('hyperlipidemia') && !treated;
  const hdl = Math.round(prng.normal(person.sex === 'female' ? 58 : 47, 11, 25, 100));
  const ldl = Math.round(prng.normal(high ? 165 : treated ? 95 : 115, 25, 40, 260));
  const triglycerides = Math.round(prng.normal(high ? 210 : 130, 50, 40, 600));
  const total = Math.round(hdl + ldl + triglycerides / 5);
  const at = denverDateTime(day, 7 * 60 + 30);
  const make = (code: readonly [string, string], value: number, highAbove?: number, lowBelow?: number): Observation => ({
    resourceType: 'Observation',
    id: ids.next('Observation'),
    status: 'final',
    category: CATEGORY.laboratory,
    code: loincConcept(code),
    subject: person.ref,
    effectiveDateTime: at,
    valueQuantity: quantity(value, 'mg/dL'),
    interpretation: interpretation(highAbove !== undefined && value > highAbove ? 'H' : lowBelow !== undefined && value < lowBelow ? 'L' : 'N'),
  });
  const results = [
    make(LOINC.cholesterol, total, 200),
    make(LOINC.triglycerides, triglycerides, 150),
    make(LOINC.ldl, ldl, 130),
    make(LOINC.hdl, hdl, undefined, 40),
  ];
  f.out.push(...results);
  f.out.push({
    resourceType: 'DiagnosticReport',
    id: ids.next('DiagnosticReport'),
    status: 'final',
    category: [concept(SYSTEMS.diagnosticServiceSection, 'LAB', 'Laboratory')],
    code: loincConcept(LOINC.lipidPanel),
    subject: person.ref,
    effectiveDateTime: at,
    issued: `${isoDate(day + DAY_MS)}T15:00:00Z`,
    performer,
    result: results.map((r) => ref('Observation', r.id!)),
  } satisfies DiagnosticReport);
}

function medications(f: FullContext): void {
  const { person, clinical, prng, ctx } = f;
  const prescribed = new Set<MedicationKey>();
  for (const def of CONDITIONS) {
    const fact = clinical.conditions.get(def.key);
    const options = TREATMENTS[def.key];
    if (!fact || !options || fact.status !== 'active') continue;
    for (const [key, chance] of options) {
      if (prescribed.has(key) || !prng.chance(chance)) continue;
      prescribed.add(key);
      const med = MEDICATIONS[key];
      const authored = Math.max(fact.onsetDay, ctx.nowDay - prng.int(20, 700) * DAY_MS);
      f.out.push({
        resourceType: 'MedicationRequest',
        id: f.ids.next('MedicationRequest'),
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: concept(SYSTEMS.rxnorm, med.rxnorm, med.display, med.display),
        subject: person.ref,
        authoredOn: isoDate(authored),
        requester: ref('Practitioner', person.pcp.id, person.pcp.display),
        reasonReference: [f.conditionRef(def.key)],
        dosageInstruction: [{ sequence: 1, text: med.dosage }],
        dispenseRequest: { numberOfRepeatsAllowed: prng.int(1, 5), expectedSupplyDuration: quantity(30, 'days', 'd') },
      } satisfies MedicationRequest);
    }
  }
}

const ADOLESCENT_VACCINES: ReadonlySet<VaccineKey> = new Set(['tdap', 'menACWY', 'hpv']);

function immunizations(f: FullContext): void {
  const { person, prng, ctx } = f;
  const home = ctx.directory.locations[person.pcp.sites[0]!]!;
  const location = ref('Location', home.id, home.site.name);
  const given: Array<{ vaccine: VaccineKey; day: number }> = [];
  const give = (vaccine: VaccineKey, day: number) => {
    if (day < ctx.nowDay && day >= person.birthDay) given.push({ vaccine, day });
  };
  const ageMonths = Math.floor((ctx.nowDay - person.birthDay) / (DAY_MS * 30.44));

  // Childhood series: most complete, some stop early (care gaps).
  for (const series of CHILDHOOD_SCHEDULE) {
    const stopAfter = prng.chance(0.9) ? series.ageMonths.length : prng.int(0, series.ageMonths.length - 1);
    series.ageMonths.forEach((m, dose) => {
      if (dose >= stopAfter || m > ageMonths) return;
      // Adults' childhood records are not on file, except adolescent vaccines for young adults.
      if (person.age >= 18 && !(person.age <= 26 && ADOLESCENT_VACCINES.has(series.vaccine))) return;
      give(series.vaccine, addMonths(person.birthDay, m) + prng.int(0, 30) * DAY_MS);
    });
  }

  // Influenza: this season (from August 1) and last season.
  const now = new Date(ctx.nowDay);
  const seasonYear = now.getUTCMonth() >= 7 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
  const fluChance = person.age >= 65 ? 0.7 : person.age < 18 ? 0.55 : 0.45;
  for (const year of [seasonYear, seasonYear - 1]) {
    if (ageMonths < 6 || !prng.chance(fluChance)) continue;
    const seasonStart = Date.UTC(year, 8, 1);
    const day = seasonStart + prng.int(0, 120) * DAY_MS;
    give(prng.chance(0.75) ? 'fluPreservativeFree' : 'flu', day);
  }

  // COVID-19: primary series in 2021 for most adults, later doses for some.
  if (person.age >= 12 && prng.chance(0.68)) {
    const first = Date.UTC(2021, 0, 15) + prng.int(0, 200) * DAY_MS;
    const vaccine = prng.chance(0.55) ? 'covidPfizer' : 'covidModerna';
    give(vaccine, first);
    give(vaccine, first + (vaccine === 'covidPfizer' ? 21 : 28) * DAY_MS);
    if (prng.chance(0.4)) give('covidUnspecified', ctx.nowDay - prng.int(30, 700) * DAY_MS);
  }

  if (person.age >= 19) {
    const r = prng.next();
    if (r < 0.6) give('tdap', ctx.nowDay - prng.int(30, 3600) * DAY_MS);
    else if (r < 0.8) give('tdap', ctx.nowDay - prng.int(3700, 5400) * DAY_MS);
  }
  if (person.age >= 65 && prng.chance(0.65)) {
    const at65 = person.birthDay + Math.round(65 * YEAR_DAYS) * DAY_MS + prng.int(0, 400) * DAY_MS;
    give('pcv13', at65);
    give('ppsv23', at65 + prng.int(365, 500) * DAY_MS);
  }
  if (person.age >= 50 && prng.chance(0.35)) {
    const first = ctx.nowDay - prng.int(120, 1800) * DAY_MS;
    give('zoster', first);
    if (prng.chance(0.8)) give('zoster', first + prng.int(60, 180) * DAY_MS);
  }

  given.sort((a, b) => a.day - b.day);
  for (const g of given) {
    const [code, display] = VACCINES[g.vaccine];
    f.out.push({
      resourceType: 'Immunization',
      id: f.ids.next('Immunization'),
      status: 'completed',
      vaccineCode: concept(SYSTEMS.cvx, code, display, display),
      patient: person.ref,
      occurrenceDateTime: isoDate(g.day),
      primarySource: true,
      location,
    } satisfies Immunization);
  }
}

function carePlans(f: FullContext): void {
  const { person, clinical } = f;
  for (const [key, plan] of Object.entries(CARE_PLANS) as Array<[ConditionKey, NonNullable<(typeof CARE_PLANS)[ConditionKey]>]>) {
    const fact = clinical.conditions.get(key);
    if (!fact) continue;
    f.out.push({
      resourceType: 'CarePlan',
      id: f.ids.next('CarePlan'),
      status: 'active',
      intent: 'plan',
      category: [concept(SYSTEMS.carePlanCategory, 'assess-plan', 'Assessment and Plan of Treatment'), snomedConcept(plan.category)],
      title: plan.title,
      subject: person.ref,
      period: { start: isoDate(fact.onsetDay) },
      ...(f.careTeam ? { careTeam: [f.careTeam] } : {}),
      addresses: [f.conditionRef(key)],
      activity: plan.activities.map((a) => ({ detail: { code: snomedConcept(a), status: 'in-progress' as const } })),
    } satisfies CarePlan);
  }
}

function summaryText(f: FullContext, visit: Visit): string {
  const { person, ctx, clinical } = f;
  const location = ctx.directory.locations[visit.site]!;
  const p = visit.practitioner;
  const vitals = clinical.vitals.get(visit.index);
  const lines = [
    'VISIT SUMMARY',
    `Patient: ${person.display} (DOB ${isoDate(person.birthDay)}, MRN ${person.mrn})`,
    `Date: ${isoDate(visit.day)} - ${visit.virtual ? 'video visit' : `in person at ${location.site.name}`}`,
    `Clinician: ${p.display} (${p.specialty.nuccDisplay})`,
    `Visit type: ${(visit.virtual ? ENCOUNTER_TYPES.telemedicine : ENCOUNTER_TYPE_FOR[visit.kind])[1].replace(' (procedure)', '')}`,
  ];
  if (visit.addressed.length > 0) lines.push(`Problems addressed: ${visit.addressed.map((k) => CONDITION_BY_KEY[k].icd10Display).join('; ')}`);
  if (vitals) {
    const parts = [];
    if (vitals.systolic !== undefined) parts.push(`BP ${vitals.systolic}/${vitals.diastolic} mmHg`);
    if (vitals.weightKg !== undefined) parts.push(`weight ${vitals.weightKg} kg`);
    if (vitals.bmi !== undefined) parts.push(`BMI ${vitals.bmi} kg/m2`);
    if (parts.length > 0) lines.push(`Vital signs: ${parts.join('; ')}`);
  }
  lines.push('', 'Assessment and plan:');
  const plans = visit.addressed.map((k) => PLAN_TEXT[k]).filter((t): t is string => t !== undefined);
  if (visit.kind === 'wellChild') plans.push('Growth and development on track. Immunizations reviewed; safety and nutrition counseling given.');
  if (visit.kind === 'checkup') plans.push('Preventive care reviewed: screenings and vaccines due were discussed.');
  if (visit.kind === 'symptom') plans.push('Acute symptoms evaluated; supportive care advised. Call if not improving in 7 days.');
  if (plans.length === 0) plans.push('Concerns discussed; no change to the current plan.');
  for (const plan of plans) lines.push(`- ${plan}`);
  lines.push('', `Follow-up: ${visit.addressed.length > 0 ? 'in 3 months' : 'as needed'}, or sooner if symptoms worsen.`);
  return lines.join('\n');
}

function visitSummaries(f: FullContext): void {
  const { person, clinical, ctx } = f;
  for (const visit of clinical.visits) {
    const text = summaryText(f, visit);
    const end = denverDateTime(visit.day, visit.minutes + visit.duration);
    f.out.push({
      resourceType: 'DocumentReference',
      id: f.ids.next('DocumentReference'),
      status: 'current',
      docStatus: 'final',
      type: loincConcept(visit.kind === 'problem' ? LOINC.progressNote : LOINC.visitSummary),
      category: [concept(SYSTEMS.documentCategory, 'clinical-note', 'Clinical Note')],
      subject: person.ref,
      date: end,
      author: [ref('Practitioner', visit.practitioner.id, visit.practitioner.display)],
      custodian: ref('Organization', ctx.directory.organizationId, ctx.directory.organizationName),
      description: visit.kind === 'problem' ? 'Specialist progress note' : 'Visit summary',
      content: [
        {
          attachment: {
            contentType: 'text/plain; charset=utf-8',
            language: 'en-US',
            data: Buffer.from(text, 'utf8').toString('base64'),
            title: `Visit summary ${isoDate(visit.day)}`,
            creation: end,
          },
        },
      ],
      context: {
        encounter: [ref('Encounter', visit.encounterId)],
        period: { start: denverDateTime(visit.day, visit.minutes), end },
      },
    } satisfies DocumentReference);
  }
}

function appointment(f: FullContext): void {
  const { person, clinical, prng, ctx } = f;
  if (!ctx.slots) return;
  const chance = clinical.conditions.size > 0 ? 0.09 : 0.04;
  if (person.number !== 1 && !prng.chance(chance)) return;
  const slot = ctx.slots.book(person.pcp, prng);
  if (!slot) return;
  const p = slot.practitioner;
  const home = ctx.directory.locations[p.sites[0]!]!;
  const participant: NonNullable<Appointment['participant']> = [
    { actor: person.ref, required: 'required', status: 'accepted' },
    { actor: ref('Practitioner', p.id, p.display), required: 'required', status: 'accepted' },
  ];
  if (!slot.virtual) participant.push({ actor: ref('Location', home.id, home.site.name), required: 'required', status: 'accepted' });
  const minutes = Math.round((Date.parse(slot.end) - Date.parse(slot.start)) / 60_000);
  f.out.push({
    resourceType: 'Appointment',
    id: f.ids.next('Appointment'),
    status: 'booked',
    serviceType: [serviceTypeConcept(p), visitModeConcept(slot.virtual)],
    specialty: [specialtyConcept(p.specialty)],
    appointmentType: appointmentTypeConcept(slot.appointmentType),
    description: `${slot.virtual ? 'Video visit' : 'Office visit'} with ${p.display}`,
    start: slot.start,
    end: slot.end,
    minutesDuration: minutes,
    slot: [ref('Slot', slot.id)],
    created: isoDate(ctx.nowDay - prng.int(1, 20) * DAY_MS),
    participant,
    ...(slot.virtual ? { patientInstruction: 'Join from the link in the patient portal 10 minutes early.' } : { patientInstruction: 'Please arrive 15 minutes early and bring your insurance card.' }),
  } satisfies Appointment);
}
