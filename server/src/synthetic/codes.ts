/**
 * Code systems and the codes the generator uses: real SNOMED CT, LOINC, RxNorm, CVX and
 * ICD-10-CM codes as Synthea and US EHRs use them. Tables, not logic: to add a condition,
 * add a row to CONDITIONS (see README.md).
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';

export const SYSTEMS = {
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  ucum: 'http://unitsofmeasure.org',
  npi: 'http://hl7.org/fhir/sid/us-npi',
  nucc: 'http://nucc.org/provider-taxonomy',
  bcp47: 'urn:ietf:bcp:47',
  v2ContactRole: 'http://terminology.hl7.org/CodeSystem/v2-0131',
  v2IdentifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  v2Degree: 'http://terminology.hl7.org/CodeSystem/v2-0360|2.7',
  v2AppointmentReason: 'http://terminology.hl7.org/CodeSystem/v2-0276',
  v3MaritalStatus: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  diagnosticServiceSection: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  serviceCategory: 'http://terminology.hl7.org/CodeSystem/service-category',
  coverageClass: 'http://terminology.hl7.org/CodeSystem/coverage-class',
  subscriberRelationship: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
  payerType: 'https://nahdo.org/sopt',
  carePlanCategory: 'http://hl7.org/fhir/us/core/CodeSystem/careplan-category',
  documentCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
  geolocation: 'http://hl7.org/fhir/StructureDefinition/geolocation',
} as const;

/** Carebridge's own identifier systems: contracts other modules rely on. */
export const MRN_SYSTEM = 'urn:carebridge:mrn';
export const PRACTITIONER_NUMBER_SYSTEM = 'urn:carebridge:practitioner-number';
export const LOCATION_CODE_SYSTEM = 'urn:carebridge:location';
export const SUBSCRIBER_ID_SYSTEM = 'urn:carebridge:subscriber-id';

/**
 * In-person vs virtual visits: Slot, Appointment and Schedule carry a `serviceType` concept with
 * one of these v3-ActCode codes (the same codes Encounter.class uses), so
 * `Slot?service-type=http://terminology.hl7.org/CodeSystem/v3-ActCode|VR` finds virtual slots.
 */
export const VISIT_MODE = {
  inPerson: { system: SYSTEMS.v3ActCode, code: 'AMB', display: 'ambulatory' },
  virtual: { system: SYSTEMS.v3ActCode, code: 'VR', display: 'virtual' },
} as const satisfies Record<string, Coding>;

/** A one-coding concept; `text` (what UIs show) only where a person reads it. */
export function concept(system: string, code: string, display: string, text?: string): CodeableConcept {
  return text === undefined ? { coding: [{ system, code, display }] } : { coding: [{ system, code, display }], text };
}


// ---------------------------------------------------------------------------------------------
// Conditions

export type AgeBand = 'child' | 'young' | 'middle' | 'older' | 'senior';

/** The patient's age band: child < 18, young 18–34, middle 35–49, older 50–64, senior ≥ 65. */
export function ageBand(age: number): AgeBand {
  if (age < 18) return 'child';
  if (age < 35) return 'young';
  if (age < 50) return 'middle';
  if (age < 65) return 'older';
  return 'senior';
}

export type ConditionKey =
  | 'hypertension'
  | 'diabetes'
  | 'prediabetes'
  | 'asthma'
  | 'copd'
  | 'depression'
  | 'anxiety'
  | 'hyperlipidemia'
  | 'obesity'
  | 'ckd'
  | 'hypothyroidism'
  | 'osteoarthritis'
  | 'gerd'
  | 'allergicRhinitis'
  | 'atrialFibrillation'
  | 'coronaryDisease'
  | 'adhd';

export interface ConditionDef {
  key: ConditionKey;
  snomed: string;
  snomedDisplay: string;
  icd10: string;
  icd10Display: string;
  /** Probability by age band; obesity is derived from BMI instead. */
  prevalence: Partial<Record<AgeBand, number>>;
  /** Multiplier on prevalence for women (e.g. hypothyroidism). */
  femaleFactor?: number;
  /** Minimum age at which the condition can exist. */
  minAge: number;
  /** Typical earliest onset age, to place onset dates. */
  onsetFromAge: number;
}

export const CONDITIONS: readonly ConditionDef[] = [
  {
    key: 'hypertension',
    snomed: '59621000',
    snomedDisplay: 'Essential hypertension (disorder)',
    icd10: 'I10',
    icd10Display: 'Essential (primary) hypertension',
    prevalence: { young: 0.07, middle: 0.22, older: 0.4, senior: 0.58 },
    minAge: 18,
    onsetFromAge: 25,
  },
  {
    key: 'diabetes',
    snomed: '44054006',
    snomedDisplay: 'Diabetes mellitus type 2 (disorder)',
    icd10: 'E11.9',
    icd10Display: 'Type 2 diabetes mellitus without complications',
    prevalence: { young: 0.02, middle: 0.08, older: 0.14, senior: 0.2 },
    minAge: 18,
    onsetFromAge: 30,
  },
  {
    key: 'prediabetes',
    snomed: '15777000',
    snomedDisplay: 'Prediabetes (finding)',
    icd10: 'R73.03',
    icd10Display: 'Prediabetes',
    prevalence: { young: 0.05, middle: 0.11, older: 0.16, senior: 0.16 },
    minAge: 18,
    onsetFromAge: 25,
  },
  {
    key: 'asthma',
    snomed: '195967001',
    snomedDisplay: 'Asthma (disorder)',
    icd10: 'J45.909',
    icd10Display: 'Unspecified asthma, uncomplicated',
    prevalence: { child: 0.09, young: 0.085, middle: 0.08, older: 0.08, senior: 0.07 },
    minAge: 2,
    onsetFromAge: 3,
  },
  {
    key: 'copd',
    snomed: '13645005',
    snomedDisplay: 'Chronic obstructive lung disease (disorder)',
    icd10: 'J44.9',
    icd10Display: 'Chronic obstructive pulmonary disease, unspecified',
    prevalence: { middle: 0.02, older: 0.047, senior: 0.072 },
    minAge: 45,
    onsetFromAge: 45,
  },
  {
    key: 'depression',
    snomed: '370143000',
    snomedDisplay: 'Major depressive disorder (disorder)',
    icd10: 'F32.9',
    icd10Display: 'Major depressive disorder, single episode, unspecified',
    prevalence: { child: 0.04, young: 0.09, middle: 0.085, older: 0.08, senior: 0.065 },
    femaleFactor: 1.3,
    minAge: 12,
    onsetFromAge: 14,
  },
  {
    key: 'anxiety',
    snomed: '197480006',
    snomedDisplay: 'Anxiety disorder (disorder)',
    icd10: 'F41.9',
    icd10Display: 'Anxiety disorder, unspecified',
    prevalence: { child: 0.05, young: 0.11, middle: 0.1, older: 0.08, senior: 0.06 },
    femaleFactor: 1.4,
    minAge: 8,
    onsetFromAge: 10,
  },
  {
    key: 'hyperlipidemia',
    snomed: '55822004',
    snomedDisplay: 'Hyperlipidemia (disorder)',
    icd10: 'E78.5',
    icd10Display: 'Hyperlipidemia, unspecified',
    prevalence: { young: 0.04, middle: 0.17, older: 0.32, senior: 0.42 },
    minAge: 20,
    onsetFromAge: 30,
  },
  {
    key: 'obesity',
    snomed: '414916001',
    snomedDisplay: 'Obesity (disorder)',
    icd10: 'E66.9',
    icd10Display: 'Obesity, unspecified',
    prevalence: {},
    minAge: 6,
    onsetFromAge: 10,
  },
  {
    key: 'ckd',
    snomed: '433144002',
    snomedDisplay: 'Chronic kidney disease stage 3 (disorder)',
    icd10: 'N18.30',
    icd10Display: 'Chronic kidney disease, stage 3 unspecified',
    prevalence: { middle: 0.01, older: 0.04, senior: 0.11 },
    minAge: 35,
    onsetFromAge: 40,
  },
  {
    key: 'hypothyroidism',
    snomed: '40930008',
    snomedDisplay: 'Hypothyroidism (disorder)',
    icd10: 'E03.9',
    icd10Display: 'Hypothyroidism, unspecified',
    prevalence: { young: 0.015, middle: 0.03, older: 0.05, senior: 0.07 },
    femaleFactor: 2.5,
    minAge: 18,
    onsetFromAge: 20,
  },
  {
    key: 'osteoarthritis',
    snomed: '396275006',
    snomedDisplay: 'Osteoarthritis (disorder)',
    icd10: 'M19.90',
    icd10Display: 'Unspecified osteoarthritis, unspecified site',
    prevalence: { middle: 0.04, older: 0.14, senior: 0.3 },
    minAge: 40,
    onsetFromAge: 45,
  },
  {
    key: 'gerd',
    snomed: '235595009',
    snomedDisplay: 'Gastroesophageal reflux disease (disorder)',
    icd10: 'K21.9',
    icd10Display: 'Gastro-esophageal reflux disease without esophagitis',
    prevalence: { young: 0.05, middle: 0.08, older: 0.1, senior: 0.11 },
    minAge: 18,
    onsetFromAge: 20,
  },
  {
    key: 'allergicRhinitis',
    snomed: '61582004',
    snomedDisplay: 'Allergic rhinitis (disorder)',
    icd10: 'J30.9',
    icd10Display: 'Allergic rhinitis, unspecified',
    prevalence: { child: 0.08, young: 0.1, middle: 0.09, older: 0.07, senior: 0.05 },
    minAge: 3,
    onsetFromAge: 4,
  },
  {
    key: 'atrialFibrillation',
    snomed: '49436004',
    snomedDisplay: 'Atrial fibrillation (disorder)',
    icd10: 'I48.91',
    icd10Display: 'Unspecified atrial fibrillation',
    prevalence: { older: 0.015, senior: 0.07 },
    minAge: 50,
    onsetFromAge: 55,
  },
  {
    key: 'coronaryDisease',
    snomed: '53741008',
    snomedDisplay: 'Coronary arteriosclerosis (disorder)',
    icd10: 'I25.10',
    icd10Display: 'Atherosclerotic heart disease of native coronary artery without angina pectoris',
    prevalence: { middle: 0.01, older: 0.05, senior: 0.12 },
    femaleFactor: 0.6,
    minAge: 40,
    onsetFromAge: 45,
  },
  {
    key: 'adhd',
    snomed: '406506008',
    snomedDisplay: 'Attention deficit hyperactivity disorder (disorder)',
    icd10: 'F90.9',
    icd10Display: 'Attention-deficit hyperactivity disorder, unspecified type',
    prevalence: { child: 0.08, young: 0.03 },
    femaleFactor: 0.5,
    minAge: 6,
    onsetFromAge: 6,
  },
];

export const CONDITION_BY_KEY = Object.fromEntries(CONDITIONS.map((c) => [c.key, c])) as Record<ConditionKey, ConditionDef>;

// ---------------------------------------------------------------------------------------------
// Medications (RxNorm clinical drugs), by the condition they treat

export interface MedicationDef {
  rxnorm: string;
  display: string;
  dosage: string;
}

export const MEDICATIONS = {
  lisinopril: { rxnorm: '314076', display: 'lisinopril 10 MG Oral Tablet', dosage: 'Take 1 tablet by mouth once daily.' },
  amlodipine: { rxnorm: '197361', display: 'amlodipine 5 MG Oral Tablet', dosage: 'Take 1 tablet by mouth once daily.' },
  hydrochlorothiazide: {
    rxnorm: '310798',
    display: 'hydrochlorothiazide 25 MG Oral Tablet',
    dosage: 'Take 1 tablet by mouth every morning.',
  },
  metformin: {
    rxnorm: '860975',
    display: '24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet',
    dosage: 'Take 1 tablet by mouth with the evening meal.',
  },
  albuterol: {
    rxnorm: '745679',
    display: '200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler',
    dosage: 'Inhale 2 puffs every 4 to 6 hours as needed for wheezing or shortness of breath.',
  },
  fluticasone: {
    rxnorm: '895994',
    display: '120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler',
    dosage: 'Inhale 2 puffs twice daily. Rinse mouth after use.',
  },
  atorvastatin: { rxnorm: '617310', display: 'atorvastatin 20 MG Oral Tablet', dosage: 'Take 1 tablet by mouth once daily.' },
  simvastatin: { rxnorm: '314231', display: 'simvastatin 10 MG Oral Tablet', dosage: 'Take 1 tablet by mouth every evening.' },
  sertraline: { rxnorm: '312940', display: 'sertraline 50 MG Oral Tablet', dosage: 'Take 1 tablet by mouth once daily.' },
  levothyroxine: {
    rxnorm: '966222',
    display: 'levothyroxine sodium 0.075 MG Oral Tablet',
    dosage: 'Take 1 tablet by mouth every morning on an empty stomach.',
  },
  aspirin: { rxnorm: '243670', display: 'aspirin 81 MG Oral Tablet', dosage: 'Take 1 tablet by mouth once daily.' },
  warfarin: {
    rxnorm: '855332',
    display: 'warfarin sodium 5 MG Oral Tablet',
    dosage: 'Take as directed by the anticoagulation clinic; dose adjusted to INR.',
  },
  naproxen: {
    rxnorm: '849574',
    display: 'naproxen sodium 220 MG Oral Tablet',
    dosage: 'Take 1 tablet by mouth every 8 to 12 hours as needed for joint pain.',
  },
  acetaminophen: {
    rxnorm: '313782',
    display: 'acetaminophen 325 MG Oral Tablet',
    dosage: 'Take 2 tablets by mouth every 6 hours as needed for pain.',
  },
} as const satisfies Record<string, MedicationDef>;

export type MedicationKey = keyof typeof MEDICATIONS;

// ---------------------------------------------------------------------------------------------
// Observations (LOINC, UCUM)

export const LOINC = {
  bloodPressurePanel: ['85354-9', 'Blood pressure panel with all children optional'],
  systolic: ['8480-6', 'Systolic blood pressure'],
  diastolic: ['8462-4', 'Diastolic blood pressure'],
  hba1c: ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'],
  lipidPanel: ['57698-3', 'Lipid panel with direct LDL - Serum or Plasma'],
  cholesterol: ['2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'],
  hdl: ['2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma'],
  ldl: ['18262-6', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay'],
  triglycerides: ['2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma'],
  bmi: ['39156-5', 'Body mass index (BMI) [Ratio]'],
  weight: ['29463-7', 'Body weight'],
  height: ['8302-2', 'Body height'],
  smokingStatus: ['72166-2', 'Tobacco smoking status'],
  visitSummary: ['34133-9', 'Summary of episode note'],
  progressNote: ['11506-3', 'Progress note'],
  careTeamLongitudinal: ['LA28865-6', 'Longitudinal care-coordination focused care team'],
} as const satisfies Record<string, readonly [string, string]>;

export const SMOKING_STATUS = {
  current: ['449868002', 'Current every day smoker'],
  former: ['8517006', 'Ex-smoker'],
  never: ['266919005', 'Never smoked tobacco'],
} as const;

// ---------------------------------------------------------------------------------------------
// Procedures (screenings) and encounter types (SNOMED)

export const SCREENINGS = {
  mammography: ['71651007', 'Mammography (procedure)'],
  colonoscopy: ['73761001', 'Colonoscopy (procedure)'],
  cervicalCytology: ['90226004', 'Cytopathology procedure, preparation of smear, genital source (procedure)'],
} as const;

export const ENCOUNTER_TYPES = {
  checkup: ['185349003', 'Encounter for check up (procedure)'],
  followUp: ['390906007', 'Follow-up encounter (procedure)'],
  wellChild: ['410620009', 'Well child visit (procedure)'],
  symptom: ['185345009', 'Encounter for symptom (procedure)'],
  telemedicine: ['448337001', 'Telemedicine consultation with patient (procedure)'],
} as const;

// ---------------------------------------------------------------------------------------------
// Immunizations (CVX)

export const VACCINES = {
  fluPreservativeFree: ['140', 'Influenza, seasonal, injectable, preservative free'],
  flu: ['141', 'Influenza, seasonal, injectable'],
  covidModerna: ['207', 'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 100 mcg/0.5mL dose'],
  covidPfizer: ['208', 'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose'],
  covidUnspecified: ['213', 'SARS-COV-2 (COVID-19) vaccine, UNSPECIFIED FORMULATION'],
  tdap: ['115', 'Tdap'],
  ppsv23: ['33', 'pneumococcal polysaccharide vaccine, 23 valent'],
  pcv13: ['133', 'Pneumococcal conjugate PCV 13'],
  zoster: ['187', 'zoster vaccine recombinant'],
  dtap: ['20', 'DTaP'],
  ipv: ['10', 'IPV'],
  mmr: ['03', 'MMR'],
  varicella: ['21', 'varicella'],
  hepBPediatric: ['08', 'Hep B, adolescent or pediatric'],
  hib: ['49', 'Hib (PRP-OMP)'],
  hepA: ['83', 'Hep A, ped/adol, 2 dose'],
  rotavirus: ['119', 'rotavirus, monovalent'],
  hpv: ['165', 'HPV9'],
  menACWY: ['114', 'meningococcal MCV4P'],
} as const satisfies Record<string, readonly [string, string]>;

export type VaccineKey = keyof typeof VACCINES;

/** Childhood series: doses at ages in months (CDC schedule, simplified). */
export const CHILDHOOD_SCHEDULE: ReadonlyArray<{ vaccine: VaccineKey; ageMonths: number[] }> = [
  { vaccine: 'hepBPediatric', ageMonths: [0, 2, 6] },
  { vaccine: 'rotavirus', ageMonths: [2, 4] },
  { vaccine: 'dtap', ageMonths: [2, 4, 6, 15, 48] },
  { vaccine: 'hib', ageMonths: [2, 4, 12] },
  { vaccine: 'pcv13', ageMonths: [2, 4, 6, 12] },
  { vaccine: 'ipv', ageMonths: [2, 4, 6, 48] },
  { vaccine: 'mmr', ageMonths: [12, 48] },
  { vaccine: 'varicella', ageMonths: [12, 48] },
  { vaccine: 'hepA', ageMonths: [12, 18] },
  { vaccine: 'tdap', ageMonths: [132] },
  { vaccine: 'menACWY', ageMonths: [132, 192] },
  { vaccine: 'hpv', ageMonths: [132, 138] },
];

// ---------------------------------------------------------------------------------------------
// Allergies (SNOMED findings, as Synthea records them)

export const ALLERGIES: ReadonlyArray<{
  snomed: string;
  display: string;
  category: 'medication' | 'food' | 'environment';
  reaction: readonly [string, string];
  weight: number;
}> = [
  { snomed: '91936005', display: 'Allergy to penicillin', category: 'medication', reaction: ['271807003', 'Eruption of skin (disorder)'], weight: 10 },
  { snomed: '91935009', display: 'Allergy to peanuts', category: 'food', reaction: ['39579001', 'Anaphylaxis (disorder)'], weight: 3 },
  { snomed: '300913006', display: 'Shellfish allergy', category: 'food', reaction: ['247472004', 'Wheal (finding)'], weight: 3 },
  { snomed: '91930004', display: 'Allergy to eggs', category: 'food', reaction: ['247472004', 'Wheal (finding)'], weight: 1 },
  { snomed: '300916003', display: 'Latex allergy', category: 'environment', reaction: ['271807003', 'Eruption of skin (disorder)'], weight: 2 },
  { snomed: '232350006', display: 'House dust mite allergy', category: 'environment', reaction: ['76067001', 'Sneezing (finding)'], weight: 4 },
  { snomed: '418689008', display: 'Allergy to grass pollen', category: 'environment', reaction: ['76067001', 'Sneezing (finding)'], weight: 5 },
];

// ---------------------------------------------------------------------------------------------
// Specialties: NUCC provider taxonomy plus the SNOMED specialty qualifier

export type SpecialtyKey =
  | 'familyMedicine'
  | 'internalMedicine'
  | 'pediatrics'
  | 'cardiology'
  | 'endocrinology'
  | 'pulmonology'
  | 'psychiatry'
  | 'psychology'
  | 'obgyn'
  | 'dermatology'
  | 'orthopedics'
  | 'gastroenterology'
  | 'geriatrics'
  | 'nursePractitioner'
  | 'physicianAssistant'
  | 'registeredNurse';

export interface SpecialtyDef {
  key: SpecialtyKey;
  nucc: string;
  nuccDisplay: string;
  snomed: string;
  snomedDisplay: string;
  /** v2-0360 degree code. */
  degree: 'MD' | 'DO' | 'NP' | 'PA' | 'RN' | 'PHD';
  role: 'doctor' | 'nurse';
  /** Number of practitioners generated. */
  count: number;
  /** Share of this specialty's slots that are virtual. */
  virtualShare: number;
  primaryCare: boolean;
}

export const SPECIALTIES: readonly SpecialtyDef[] = [
  { key: 'familyMedicine', nucc: '207Q00000X', nuccDisplay: 'Family Medicine', snomed: '419772000', snomedDisplay: 'Family practice (qualifier value)', degree: 'MD', role: 'doctor', count: 10, virtualShare: 0.3, primaryCare: true },
  { key: 'internalMedicine', nucc: '207R00000X', nuccDisplay: 'Internal Medicine', snomed: '419192003', snomedDisplay: 'Internal medicine (qualifier value)', degree: 'MD', role: 'doctor', count: 6, virtualShare: 0.3, primaryCare: true },
  { key: 'pediatrics', nucc: '208000000X', nuccDisplay: 'Pediatrics', snomed: '394537008', snomedDisplay: 'Pediatric specialty (qualifier value)', degree: 'MD', role: 'doctor', count: 5, virtualShare: 0.15, primaryCare: true },
  { key: 'geriatrics', nucc: '207RG0300X', nuccDisplay: 'Internal Medicine, Geriatric Medicine', snomed: '394811001', snomedDisplay: 'Geriatric medicine (qualifier value)', degree: 'MD', role: 'doctor', count: 2, virtualShare: 0.2, primaryCare: true },
  { key: 'nursePractitioner', nucc: '363LF0000X', nuccDisplay: 'Nurse Practitioner, Family', snomed: '419772000', snomedDisplay: 'Family practice (qualifier value)', degree: 'NP', role: 'nurse', count: 4, virtualShare: 0.4, primaryCare: true },
  { key: 'physicianAssistant', nucc: '363AM0700X', nuccDisplay: 'Physician Assistant, Medical', snomed: '419772000', snomedDisplay: 'Family practice (qualifier value)', degree: 'PA', role: 'doctor', count: 2, virtualShare: 0.3, primaryCare: true },
  { key: 'cardiology', nucc: '207RC0000X', nuccDisplay: 'Internal Medicine, Cardiovascular Disease', snomed: '394579002', snomedDisplay: 'Cardiology (qualifier value)', degree: 'MD', role: 'doctor', count: 3, virtualShare: 0.2, primaryCare: false },
  { key: 'endocrinology', nucc: '207RE0101X', nuccDisplay: 'Internal Medicine, Endocrinology, Diabetes & Metabolism', snomed: '394583002', snomedDisplay: 'Endocrinology (qualifier value)', degree: 'MD', role: 'doctor', count: 2, virtualShare: 0.35, primaryCare: false },
  { key: 'pulmonology', nucc: '207RP1001X', nuccDisplay: 'Internal Medicine, Pulmonary Disease', snomed: '418112009', snomedDisplay: 'Pulmonary medicine (qualifier value)', degree: 'MD', role: 'doctor', count: 2, virtualShare: 0.2, primaryCare: false },
  { key: 'gastroenterology', nucc: '207RG0100X', nuccDisplay: 'Internal Medicine, Gastroenterology', snomed: '394584008', snomedDisplay: 'Gastroenterology (qualifier value)', degree: 'MD', role: 'doctor', count: 2, virtualShare: 0.1, primaryCare: false },
  { key: 'psychiatry', nucc: '2084P0800X', nuccDisplay: 'Psychiatry & Neurology, Psychiatry', snomed: '394587001', snomedDisplay: 'Psychiatry (qualifier value)', degree: 'MD', role: 'doctor', count: 2, virtualShare: 0.6, primaryCare: false },
  { key: 'psychology', nucc: '103TC0700X', nuccDisplay: 'Psychologist, Clinical', snomed: '394913002', snomedDisplay: 'Psychotherapy (specialty) (qualifier value)', degree: 'PHD', role: 'doctor', count: 1, virtualShare: 0.6, primaryCare: false },
  { key: 'obgyn', nucc: '207V00000X', nuccDisplay: 'Obstetrics & Gynecology', snomed: '394586005', snomedDisplay: 'Gynecology (qualifier value)', degree: 'MD', role: 'doctor', count: 3, virtualShare: 0.15, primaryCare: false },
  { key: 'dermatology', nucc: '207N00000X', nuccDisplay: 'Dermatology', snomed: '394582007', snomedDisplay: 'Dermatology (qualifier value)', degree: 'MD', role: 'doctor', count: 2, virtualShare: 0.25, primaryCare: false },
  { key: 'orthopedics', nucc: '207X00000X', nuccDisplay: 'Orthopaedic Surgery', snomed: '394801008', snomedDisplay: 'Trauma & orthopedics (qualifier value)', degree: 'DO', role: 'doctor', count: 2, virtualShare: 0.1, primaryCare: false },
  { key: 'registeredNurse', nucc: '163W00000X', nuccDisplay: 'Registered Nurse', snomed: '106292003', snomedDisplay: 'Professional nurse (occupation)', degree: 'RN', role: 'nurse', count: 3, virtualShare: 0, primaryCare: false },
];

export const DEGREE_DISPLAY: Record<SpecialtyDef['degree'], string> = {
  MD: 'Doctor of Medicine',
  DO: 'Doctor of Osteopathy',
  NP: 'Nurse practitioner',
  PA: "Physician Assistant",
  RN: 'Registered Nurse',
  PHD: 'Doctor of Philosophy',
};

// ---------------------------------------------------------------------------------------------
// Languages (BCP 47)

export const LANGUAGES = {
  en: 'English',
  es: 'Spanish',
  vi: 'Vietnamese',
  zh: 'Chinese',
  ru: 'Russian',
  am: 'Amharic',
  ar: 'Arabic',
  ko: 'Korean',
} as const;

export type LanguageCode = keyof typeof LANGUAGES;

export function languageConcept(code: LanguageCode): CodeableConcept {
  return concept(SYSTEMS.bcp47, code, LANGUAGES[code], LANGUAGES[code]);
}
