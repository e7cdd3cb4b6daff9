/**
 * The in-memory shape of one synthetic patient while it is generated: demographics, the
 * clinical facts care gaps depend on, and the visit timeline. Resources are built from it.
 */
import type { Faker } from '@faker-js/faker';
import type { Resource } from '@medplum/fhirtypes';
import type { ClinicDirectory, ClinicPractitioner, LocalReference, SlotPlan } from './clinic.js';
import type { AgeBand, ConditionKey, LanguageCode } from './codes.js';
import type { Prng } from './prng.js';
import { syntheticId } from './ids.js';

/** Independent random streams per patient: lean and full profiles share the first two. */
export const STREAM = { demographics: 1, clinical: 2, full: 3 } as const;

export interface GeneratorContext {
  seed: number;
  /** UTC midnight of `now`. */
  nowDay: number;
  lean: boolean;
  directory: ClinicDirectory;
  /** Present when this run writes the slots (full profile, new clinic): patients book some. */
  slots: SlotPlan | undefined;
  prng: Prng;
  /** Faker instances sharing `prng` as their randomizer. */
  fakers: { en: Faker; es: Faker; vi: Faker };
}

export interface ContactPerson {
  first: string;
  last: string;
  gender: 'female' | 'male';
  /** v3-RoleCode personal relationship. */
  relationship: 'SPS' | 'MTH' | 'FTH' | 'CHILD' | 'SIB' | 'FRND' | 'PRN';
  /** v2-0131: C emergency contact, N next of kin. */
  role: 'C' | 'N';
  phone: string;
}

export interface Person {
  number: number;
  id: string;
  ref: LocalReference;
  mrn: string;
  age: number;
  band: AgeBand;
  birthDay: number;
  sex: 'female' | 'male';
  language: LanguageCode;
  first: string;
  middle?: string;
  last: string;
  display: string;
  address: { line: string[]; city: string; postalCode: string; latitude: number; longitude: number };
  phone: string;
  email?: string;
  maritalStatus: 'M' | 'S' | 'D' | 'W';
  contacts: ContactPerson[];
  pcp: ClinicPractitioner;
}

export interface ConditionFact {
  key: ConditionKey;
  id: string;
  onsetDay: number;
  status: 'active' | 'remission';
}

export interface Visit {
  index: number;
  encounterId: string;
  day: number;
  /** Minutes after local midnight. */
  minutes: number;
  duration: number;
  kind: 'checkup' | 'followUp' | 'wellChild' | 'symptom' | 'problem';
  virtual: boolean;
  practitioner: ClinicPractitioner;
  /** Index into directory.locations. */
  site: number;
  /** Conditions the visit addressed. */
  addressed: ConditionKey[];
}

export interface Vitals {
  systolic?: number;
  diastolic?: number;
  weightKg?: number;
  heightCm?: number;
  bmi?: number;
}

export interface Clinical {
  conditions: Map<ConditionKey, ConditionFact>;
  heightCm: number;
  bmi: number;
  weightKg: number;
  smoking?: 'current' | 'former' | 'never';
  hypertensionControlled?: boolean;
  /** Newest first. */
  visits: Visit[];
  vitals: Map<number, Vitals>;
  /** HbA1c results, newest first. */
  hba1c: Array<{ id: string; day: number; value: number }>;
}

/** Per-patient id allocation: each type counts from 0 in generation order. */
export class IdAllocator {
  private readonly counters = new Map<string, number>();
  constructor(
    private readonly seed: number,
    private readonly owner: number,
  ) {}

  next(type: Resource['resourceType']): string {
    const index = this.counters.get(type) ?? 0;
    this.counters.set(type, index + 1);
    return syntheticId(this.seed, type, this.owner, index);
  }
}

export const patientRef = (id: string, display?: string): LocalReference =>
  display === undefined ? { reference: `Patient/${id}` } : { reference: `Patient/${id}`, display };
