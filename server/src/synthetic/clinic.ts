/**
 * The clinic network every synthetic patient belongs to: one Organization, payer
 * Organizations, Locations across the metro, HealthcareServices, Practitioners with their
 * PractitionerRoles and (full profile) Schedules plus a plan of bookable Slots for the next 60
 * days. It does not depend on the number of patients, so `--append` runs can rebuild the same
 * directory from the seed and `now` of the first run.
 */
import type {
  CodeableConcept,
  HealthcareService,
  Location,
  LocationHoursOfOperation,
  Organization,
  Practitioner,
  PractitionerRole,
  Reference,
  Resource,
  Schedule,
  Slot,
} from '@medplum/fhirtypes';
import type { Faker } from '@faker-js/faker';
import {
  DEGREE_DISPLAY,
  LOCATION_CODE_SYSTEM,
  PRACTITIONER_NUMBER_SYSTEM,
  SPECIALTIES,
  SYSTEMS,
  VISIT_MODE,
  concept,
  languageConcept,
  type LanguageCode,
  type SpecialtyDef,
  type SpecialtyKey,
} from './codes.js';
import { CLINIC_SITES, METRO, denverDateTime, type ClinicSite } from './metro.js';
import { npiFromBase } from './npi.js';
import type { Prng } from './prng.js';
import { syntheticId } from './ids.js';
import { DAY_MS, isoDate } from './dates.js';

/** Random stream numbers: the clinic uses owner 0. */
const CLINIC_STREAM = 1_000;

export type ServiceKey =
  | 'primaryCare'
  | 'pediatrics'
  | 'womensHealth'
  | 'behavioralHealth'
  | 'cardiology'
  | 'endocrinology'
  | 'pulmonology'
  | 'gastroenterology'
  | 'dermatology'
  | 'orthopedics'
  | 'nurseVisits'
  | 'telehealth'
  | 'laboratory';

interface ServiceDef {
  key: ServiceKey;
  name: string;
  type: CodeableConcept;
  category: CodeableConcept;
  specialties: SpecialtyKey[];
  comment: string;
}

const GENERAL_PRACTICE = concept(SYSTEMS.serviceCategory, '17', 'General Practice');
const COUNSELLING = concept(SYSTEMS.serviceCategory, '8', 'Counselling');
const SPECIALIST = { text: 'Specialist care' } satisfies CodeableConcept;

const SERVICES: readonly ServiceDef[] = [
  { key: 'primaryCare', name: 'Primary Care', type: concept(SYSTEMS.snomed, '394814009', 'General practice (specialty) (qualifier value)', 'Primary care'), category: GENERAL_PRACTICE, specialties: ['familyMedicine', 'internalMedicine', 'geriatrics', 'nursePractitioner', 'physicianAssistant'], comment: 'Check-ups, chronic condition care, same-week sick visits.' },
  { key: 'pediatrics', name: 'Pediatrics', type: concept(SYSTEMS.snomed, '394537008', 'Pediatric specialty (qualifier value)', 'Pediatrics'), category: GENERAL_PRACTICE, specialties: ['pediatrics'], comment: 'Well-child visits, immunizations and sick visits for children and teens.' },
  { key: 'womensHealth', name: "Women's Health", type: concept(SYSTEMS.snomed, '394586005', 'Gynecology (qualifier value)', "Women's health"), category: SPECIALIST, specialties: ['obgyn'], comment: 'Gynecology, cervical cancer screening and prenatal care.' },
  { key: 'behavioralHealth', name: 'Behavioral Health', type: concept(SYSTEMS.snomed, '394587001', 'Psychiatry (qualifier value)', 'Behavioral health'), category: COUNSELLING, specialties: ['psychiatry', 'psychology'], comment: 'Psychiatry and psychotherapy, in person or by video.' },
  { key: 'cardiology', name: 'Cardiology', type: concept(SYSTEMS.snomed, '394579002', 'Cardiology (qualifier value)', 'Cardiology'), category: SPECIALIST, specialties: ['cardiology'], comment: 'Heart and blood pressure specialists. Referral recommended.' },
  { key: 'endocrinology', name: 'Endocrinology & Diabetes', type: concept(SYSTEMS.snomed, '394583002', 'Endocrinology (qualifier value)', 'Endocrinology'), category: SPECIALIST, specialties: ['endocrinology'], comment: 'Diabetes, thyroid and hormone care.' },
  { key: 'pulmonology', name: 'Pulmonology', type: concept(SYSTEMS.snomed, '418112009', 'Pulmonary medicine (qualifier value)', 'Pulmonology'), category: SPECIALIST, specialties: ['pulmonology'], comment: 'Asthma, COPD and other lung conditions.' },
  { key: 'gastroenterology', name: 'Gastroenterology', type: concept(SYSTEMS.snomed, '394584008', 'Gastroenterology (qualifier value)', 'Gastroenterology'), category: SPECIALIST, specialties: ['gastroenterology'], comment: 'Digestive health and screening colonoscopy.' },
  { key: 'dermatology', name: 'Dermatology', type: concept(SYSTEMS.snomed, '394582007', 'Dermatology (qualifier value)', 'Dermatology'), category: SPECIALIST, specialties: ['dermatology'], comment: 'Skin, hair and nail conditions; skin checks.' },
  { key: 'orthopedics', name: 'Orthopedics', type: concept(SYSTEMS.snomed, '394801008', 'Trauma & orthopedics (qualifier value)', 'Orthopedics'), category: SPECIALIST, specialties: ['orthopedics'], comment: 'Joint, bone and sports injuries.' },
  { key: 'nurseVisits', name: 'Nurse Visits & Immunizations', type: concept(SYSTEMS.snomed, '33879002', 'Administration of vaccine to produce active immunity (procedure)', 'Immunizations'), category: GENERAL_PRACTICE, specialties: ['registeredNurse'], comment: 'Vaccines, blood pressure checks and injections with a nurse.' },
  { key: 'telehealth', name: 'Virtual Care', type: concept(SYSTEMS.snomed, '448337001', 'Telemedicine consultation with patient (procedure)', 'Telehealth'), category: GENERAL_PRACTICE, specialties: [], comment: 'Video visits with your care team from home.' },
  { key: 'laboratory', name: 'Laboratory', type: concept(SYSTEMS.snomed, '394915009', 'General pathology (specialty) (qualifier value)', 'Laboratory'), category: { text: 'Laboratory' }, specialties: [], comment: 'Blood draws and lab tests; walk-ins welcome, no appointment needed.' },
];

const SERVICE_FOR_SPECIALTY = new Map<SpecialtyKey, ServiceKey>(SERVICES.flatMap((s) => s.specialties.map((sp) => [sp, s.key] as const)));

export interface ClinicPractitioner {
  /** 1-based practitioner number (PR0001...). */
  number: number;
  id: string;
  roleId: string;
  scheduleId: string;
  specialty: SpecialtyDef;
  display: string;
  gender: 'female' | 'male';
  languages: LanguageCode[];
  /** Indexes into `ClinicDirectory.locations`; the first is the home clinic. */
  sites: number[];
  workDays: number[];
}

export interface ClinicLocation {
  site: ClinicSite;
  id: string;
}

export interface ClinicPayer {
  id: string;
  name: string;
  /** https://nahdo.org/sopt payer type. */
  type: { code: string; display: string };
  group: string;
}

export interface ClinicDirectory {
  seed: number;
  nowDay: number;
  organizationId: string;
  organizationName: string;
  locations: ClinicLocation[];
  services: Record<ServiceKey, string>;
  practitioners: ClinicPractitioner[];
  bySpecialty: Map<SpecialtyKey, ClinicPractitioner[]>;
  payers: { medicare: ClinicPayer; medicaid: ClinicPayer; chip: ClinicPayer; commercial: ClinicPayer[] };
}

export const ORGANIZATION_NAME = 'Carebridge Health Network';

const PAYER_DEFS = [
  { key: 'medicare', name: 'Medicare', type: { code: '1', display: 'MEDICARE' }, group: 'MEDICARE-AB' },
  { key: 'medicaid', name: 'Health First Colorado (Medicaid)', type: { code: '2', display: 'MEDICAID' }, group: 'CO-MEDICAID' },
  { key: 'chip', name: 'Child Health Plan Plus', type: { code: '2', display: 'MEDICAID' }, group: 'CO-CHP' },
  { key: 'aspenleaf', name: 'Aspenleaf Health Plan', type: { code: '5', display: 'PRIVATE HEALTH INSURANCE' }, group: 'ALH-PPO' },
  { key: 'bluespruce', name: 'Blue Spruce Mutual', type: { code: '5', display: 'PRIVATE HEALTH INSURANCE' }, group: 'BSM-HMO' },
  { key: 'timberline', name: 'Timberline Health Insurance', type: { code: '5', display: 'PRIVATE HEALTH INSURANCE' }, group: 'THI-EPO' },
] as const;

/**
 * A reference to `type/id`. Typed `Reference<never>` (no `resource` payload) so it is assignable
 * to every `Reference<T>` medplum's types ask for.
 */
export type LocalReference = Reference<never>;

export const ref = (type: Resource['resourceType'], id: string, display?: string): LocalReference =>
  display === undefined ? { reference: `${type}/${id}` } : { reference: `${type}/${id}`, display };

function practitionerPrefix(spec: SpecialtyDef): string | undefined {
  return spec.degree === 'MD' || spec.degree === 'DO' || spec.degree === 'PHD' ? 'Dr.' : undefined;
}

/**
 * Builds the directory and its resources. Deterministic in (seed, nowDay); `faker` and `prng`
 * must share the randomizer (see generator.ts).
 */
export function buildClinic(
  seed: number,
  nowDay: number,
  faker: Faker,
  prng: Prng,
): { directory: ClinicDirectory; resources: Resource[] } {
  faker.seed([seed, 0, CLINIC_STREAM]);
  const resources: Resource[] = [];
  const organizationId = syntheticId(seed, 'Organization', 0, 0);
  const orgRef = ref('Organization', organizationId, ORGANIZATION_NAME);

  const organization: Organization = {
    resourceType: 'Organization',
    id: organizationId,
    identifier: [{ system: SYSTEMS.npi, value: npiFromBase('1' + String(prng.int(10_000_000, 99_999_999))) }],
    active: true,
    type: [concept(SYSTEMS.organizationType, 'prov', 'Healthcare Provider')],
    name: ORGANIZATION_NAME,
    alias: ['Carebridge'],
    telecom: [
      { system: 'phone', value: '(303) 555-0100', use: 'work' },
      { system: 'email', value: 'care@carebridge.example.org', use: 'work' },
      { system: 'url', value: 'https://carebridge.example.org', use: 'work' },
    ],
    address: [{ use: 'work', type: 'both', line: ['1450 E Colfax Ave'], city: 'Denver', state: METRO.state, postalCode: '80218', country: METRO.country }],
  };
  resources.push(organization);

  const payerList: ClinicPayer[] = PAYER_DEFS.map((p, i) => {
    const id = syntheticId(seed, 'Organization', 0, 1 + i);
    resources.push({
      resourceType: 'Organization',
      id,
      active: true,
      type: [concept(SYSTEMS.organizationType, 'pay', 'Payer')],
      name: p.name,
      telecom: [{ system: 'phone', value: `(800) 555-01${String(20 + i)}`, use: 'work' }],
    } satisfies Organization);
    return { id, name: p.name, type: p.type, group: p.group };
  });
  const payers = { medicare: payerList[0]!, medicaid: payerList[1]!, chip: payerList[2]!, commercial: payerList.slice(3) };

  const locations: ClinicLocation[] = CLINIC_SITES.map((site, i) => {
    const id = syntheticId(seed, 'Location', 0, i);
    const virtual = site.kind === 'virtual';
    const weekdays: LocationHoursOfOperation = {
      daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'],
      openingTime: site.kind === 'lab' ? '07:00:00' : '08:00:00',
      closingTime: virtual ? '19:00:00' : '17:00:00',
    };
    const location: Location = {
      resourceType: 'Location',
      id,
      identifier: [{ system: LOCATION_CODE_SYSTEM, value: site.code }],
      status: 'active',
      name: site.name,
      description: virtual
        ? 'Video visits from home with Carebridge clinicians.'
        : site.kind === 'lab'
          ? 'Laboratory and blood draws.'
          : 'Primary care clinic with on-site nurse and lab draw station.',
      mode: 'instance',
      type: [
        virtual
          ? concept(SYSTEMS.v3ActCode, 'VR', 'virtual', 'Virtual care')
          : site.kind === 'lab'
            ? concept(SYSTEMS.v3RoleCode, 'MBL', 'medical laboratory', 'Laboratory')
            : concept(SYSTEMS.v3RoleCode, 'FMC', 'Family Medicine Clinic', 'Clinic'),
      ],
      telecom: [
        { system: 'phone', value: `(303) 555-${site.phone}`, use: 'work' },
        { system: 'email', value: `${site.code.toLowerCase()}@carebridge.example.org`, use: 'work' },
      ],
      physicalType: virtual ? concept(SYSTEMS.locationPhysicalType, 'vi', 'Virtual') : concept(SYSTEMS.locationPhysicalType, 'bu', 'Building'),
      managingOrganization: orgRef,
      hoursOfOperation: site.saturday ? [weekdays, { daysOfWeek: ['sat'], openingTime: '09:00:00', closingTime: '13:00:00' }] : [weekdays],
    };
    if (!virtual) {
      location.address = { use: 'work', type: 'both', line: [site.line], city: site.city, state: METRO.state, postalCode: site.postalCode, country: METRO.country };
      location.position = { longitude: site.longitude, latitude: site.latitude };
    }
    resources.push(location);
    return { site, id };
  });
  const clinicSites = locations.map((_, i) => i).filter((i) => CLINIC_SITES[i]!.kind === 'clinic');
  const labSite = CLINIC_SITES.findIndex((s) => s.kind === 'lab');
  const virtualSite = CLINIC_SITES.findIndex((s) => s.kind === 'virtual');

  // Practitioners, in SPECIALTIES order so practitioner 1 is family medicine.
  const practitioners: ClinicPractitioner[] = [];
  let number = 0;
  for (const spec of SPECIALTIES) {
    for (let k = 0; k < spec.count; k++) {
      number += 1;
      const gender: 'female' | 'male' = prng.chance(spec.role === 'nurse' ? 0.85 : 0.5) ? 'female' : 'male';
      const languages: LanguageCode[] = ['en'];
      if (prng.chance(0.3)) languages.push('es');
      if (prng.chance(0.12)) languages.push(prng.pick(['vi', 'zh', 'ru', 'am', 'ar', 'ko'] as const));
      const home = spec.primaryCare || spec.key === 'registeredNurse' ? clinicSites[(number - 1) % clinicSites.length]! : prng.pick(clinicSites);
      const sites = [home];
      if (!spec.primaryCare && spec.key !== 'registeredNurse') {
        const second = prng.pick(clinicSites.filter((s) => s !== home));
        sites.push(second);
      }
      if (spec.virtualShare > 0) sites.push(virtualSite);
      const workDays = spec.primaryCare || spec.key === 'registeredNurse' ? [1, 2, 3, 4, 5] : prng.sample([1, 2, 3, 4, 5], 3).sort();
      const first = faker.person.firstName(gender);
      const last = faker.person.lastName();
      const prefix = practitionerPrefix(spec);
      practitioners.push({
        number,
        id: syntheticId(seed, 'Practitioner', 0, number),
        roleId: syntheticId(seed, 'PractitionerRole', 0, number),
        scheduleId: syntheticId(seed, 'Schedule', 0, number),
        specialty: spec,
        display: `${prefix ? `${prefix} ` : ''}${first} ${last}, ${spec.degree === 'PHD' ? 'PhD' : spec.degree}`,
        gender,
        languages,
        sites,
        workDays,
      });
      // Names are needed below; keep them on the resource we build now.
      resources.push(practitionerResource(practitioners[practitioners.length - 1]!, first, last, prefix, prng, locations));
    }
  }

  const services = {} as Record<ServiceKey, string>;
  SERVICES.forEach((def, i) => {
    services[def.key] = syntheticId(seed, 'HealthcareService', 0, i);
  });
  for (const def of SERVICES) {
    const members = practitioners.filter((p) => def.specialties.includes(p.specialty.key));
    const siteIndexes =
      def.key === 'laboratory'
        ? [labSite]
        : def.key === 'telehealth'
          ? [virtualSite]
          : [...new Set(members.flatMap((p) => p.sites))].sort((a, b) => a - b);
    const service: HealthcareService = {
      resourceType: 'HealthcareService',
      id: services[def.key],
      active: true,
      providedBy: orgRef,
      category: [def.category],
      type: [def.type],
      specialty: members.length > 0 ? uniqueSpecialties(members.map((m) => m.specialty)) : undefined,
      location: siteIndexes.map((i) => ref('Location', locations[i]!.id, locations[i]!.site.name)),
      name: def.name,
      comment: def.comment,
      telecom: [{ system: 'phone', value: '(303) 555-0100', use: 'work' }],
      appointmentRequired: def.key !== 'laboratory',
      availableTime:
        def.key === 'telehealth'
          ? [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '08:00:00', availableEndTime: '19:00:00' }]
          : [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: def.key === 'laboratory' ? '07:00:00' : '08:00:00', availableEndTime: '17:00:00' }],
      communication: [languageConcept('en'), languageConcept('es')],
    };
    if (!service.specialty) delete service.specialty;
    resources.push(service);
  }

  for (const p of practitioners) {
    const serviceRefs = [ref('HealthcareService', services[SERVICE_FOR_SPECIALTY.get(p.specialty.key) ?? 'primaryCare'])];
    if (p.specialty.virtualShare > 0) serviceRefs.push(ref('HealthcareService', services.telehealth));
    const role: PractitionerRole = {
      resourceType: 'PractitionerRole',
      id: p.roleId,
      active: true,
      period: { start: isoDate(nowDay - (365 + ((p.number * 97) % 3000)) * DAY_MS) },
      practitioner: ref('Practitioner', p.id, p.display),
      organization: orgRef,
      code: [concept(SYSTEMS.practitionerRole, p.specialty.role, p.specialty.role === 'doctor' ? 'Doctor' : 'Nurse')],
      specialty: [specialtyConcept(p.specialty)],
      location: p.sites.map((i) => ref('Location', locations[i]!.id, locations[i]!.site.name)),
      healthcareService: serviceRefs,
      telecom: [{ system: 'phone', value: `(303) 555-${locations[p.sites[0]!]!.site.phone}`, use: 'work' }],
      availableTime: [{ daysOfWeek: p.workDays.map((d) => DAY_CODES[d]!), availableStartTime: '08:00:00', availableEndTime: '17:00:00' }],
    };
    resources.push(role);
  }

  const bySpecialty = new Map<SpecialtyKey, ClinicPractitioner[]>();
  for (const p of practitioners) bySpecialty.set(p.specialty.key, [...(bySpecialty.get(p.specialty.key) ?? []), p]);

  return {
    directory: { seed, nowDay, organizationId, organizationName: ORGANIZATION_NAME, locations, services, practitioners, bySpecialty, payers },
    resources,
  };
}

const DAY_CODES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export function specialtyConcept(spec: SpecialtyDef): CodeableConcept {
  return {
    coding: [
      { system: SYSTEMS.nucc, code: spec.nucc, display: spec.nuccDisplay },
      { system: SYSTEMS.snomed, code: spec.snomed, display: spec.snomedDisplay },
    ],
    text: spec.nuccDisplay,
  };
}

function uniqueSpecialties(specs: SpecialtyDef[]): CodeableConcept[] {
  const seen = new Set<string>();
  return specs.filter((s) => !seen.has(s.key) && seen.add(s.key)).map(specialtyConcept);
}

function practitionerResource(
  p: ClinicPractitioner,
  first: string,
  last: string,
  prefix: string | undefined,
  prng: Prng,
  locations: ClinicLocation[],
): Practitioner {
  const npi = npiFromBase(String(prng.int(1, 2)) + String(prng.int(0, 99_999_999)).padStart(8, '0'));
  const home = locations[p.sites[0]!]!.site;
  const emailName = `${first}.${last}`.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z.]/g, '');
  return {
    resourceType: 'Practitioner',
    id: p.id,
    identifier: [
      { use: 'official', system: SYSTEMS.npi, value: npi },
      { use: 'usual', system: PRACTITIONER_NUMBER_SYSTEM, value: `PR${String(p.number).padStart(4, '0')}` },
    ],
    active: true,
    name: [{ use: 'official', family: last, given: [first], ...(prefix ? { prefix: [prefix] } : {}), suffix: [p.specialty.degree === 'PHD' ? 'PhD' : p.specialty.degree], text: p.display }],
    telecom: [
      { system: 'phone', value: `(303) 555-${home.phone}`, use: 'work' },
      { system: 'email', value: `${emailName}@carebridge.example.org`, use: 'work' },
    ],
    address: [{ use: 'work', line: [home.line], city: home.city, state: METRO.state, postalCode: home.postalCode, country: METRO.country }],
    gender: p.gender,
    qualification: [
      {
        code: concept(SYSTEMS.v2Degree, p.specialty.degree, DEGREE_DISPLAY[p.specialty.degree]),
        period: { start: `${1985 + ((p.number * 7) % 30)}-06-01` },
      },
    ],
    communication: p.languages.map(languageConcept),
  };
}

// ---------------------------------------------------------------------------------------------
// Schedules and slots (full profile)

export interface PlannedSlot {
  id: string;
  practitioner: ClinicPractitioner;
  start: string;
  end: string;
  virtual: boolean;
  appointmentType: 'ROUTINE' | 'FOLLOWUP' | 'CHECKUP';
  status: 'free' | 'busy';
}

/** Slots per practitioner-day and their lengths. */
const SLOTS_PER_DAY = { primary: [3, 5], specialist: [2, 4] } as const;
export const SLOT_HORIZON_DAYS = 60;
/** No practitioner gets more than this share of their slots booked by seeded patients. */
const MAX_BOOKED_SHARE = 0.35;

const APPOINTMENT_TYPE_DISPLAY = { ROUTINE: 'Routine appointment - default if not valued', FOLLOWUP: 'A follow up visit from a previous appointment', CHECKUP: 'A routine check-up, such as an annual physical' } as const;

export function visitModeConcept(virtual: boolean): CodeableConcept {
  const c = virtual ? VISIT_MODE.virtual : VISIT_MODE.inPerson;
  return { coding: [{ ...c }], text: virtual ? 'Virtual visit' : 'In-person visit' };
}

export function appointmentTypeConcept(code: PlannedSlot['appointmentType']): CodeableConcept {
  return concept(SYSTEMS.v2AppointmentReason, code, APPOINTMENT_TYPE_DISPLAY[code]);
}

export function serviceTypeConcept(p: ClinicPractitioner): CodeableConcept {
  const key = SERVICE_FOR_SPECIALTY.get(p.specialty.key) ?? 'primaryCare';
  return SERVICES.find((s) => s.key === key)!.type;
}

export function scheduleResources(directory: ClinicDirectory): Schedule[] {
  const start = isoDate(directory.nowDay);
  const end = isoDate(directory.nowDay + SLOT_HORIZON_DAYS * DAY_MS);
  return directory.practitioners.map((p) => {
    const home = directory.locations[p.sites[0]!]!;
    const serviceType = [serviceTypeConcept(p), visitModeConcept(false)];
    if (p.specialty.virtualShare > 0) serviceType.push(visitModeConcept(true));
    return {
      resourceType: 'Schedule',
      id: p.scheduleId,
      active: true,
      serviceType,
      specialty: [specialtyConcept(p.specialty)],
      actor: [ref('PractitionerRole', p.roleId), ref('Practitioner', p.id, p.display), ref('Location', home.id, home.site.name)],
      planningHorizon: { start, end },
      comment: `Bookable visits with ${p.display}`,
    } satisfies Schedule;
  });
}

/** The bookable slots for the next 60 days; patients book some while they are generated. */
export class SlotPlan {
  readonly slots: PlannedSlot[] = [];
  private readonly byPractitioner = new Map<number, PlannedSlot[]>();
  private readonly booked = new Map<number, number>();

  constructor(
    private readonly directory: ClinicDirectory,
    prng: Prng,
  ) {
    prng.seed([directory.seed, 0, CLINIC_STREAM + 1]);
    for (const p of directory.practitioners) {
      const own: PlannedSlot[] = [];
      let index = 0;
      const range = p.specialty.primaryCare ? SLOTS_PER_DAY.primary : SLOTS_PER_DAY.specialist;
      const length = p.specialty.primaryCare || p.specialty.key === 'registeredNurse' ? 20 : 30;
      for (let d = 1; d <= SLOT_HORIZON_DAYS; d++) {
        const day = directory.nowDay + d * DAY_MS;
        if (!p.workDays.includes(new Date(day).getUTCDay())) continue;
        // Free slots are what is left of a busy day: a few per practitioner-day, on the grid.
        const grid = Math.floor((9 * 60) / length); // 08:00–17:00
        const count = prng.int(range[0], range[1]);
        const picks = prng.sample(Array.from({ length: grid }, (_, i) => i), count).sort((a, b) => a - b);
        for (const g of picks) {
          const minutes = 8 * 60 + g * length;
          own.push({
            id: syntheticId(directory.seed, 'Slot', p.number, index++),
            practitioner: p,
            start: denverDateTime(day, minutes),
            end: denverDateTime(day, minutes + length),
            virtual: prng.chance(p.specialty.virtualShare),
            appointmentType: p.specialty.primaryCare ? prng.weighted([['ROUTINE', 5], ['FOLLOWUP', 3], ['CHECKUP', 2]] as const) : prng.weighted([['ROUTINE', 1], ['FOLLOWUP', 2]] as const),
            status: 'free',
          });
        }
      }
      this.byPractitioner.set(p.number, own);
      this.slots.push(...own);
    }
  }

  /** Books a free slot with the practitioner (random among the free ones), or undefined. */
  book(practitioner: ClinicPractitioner, prng: Prng): PlannedSlot | undefined {
    const own = this.byPractitioner.get(practitioner.number) ?? [];
    const booked = this.booked.get(practitioner.number) ?? 0;
    if (own.length === 0 || booked >= own.length * MAX_BOOKED_SHARE) return undefined;
    let i = prng.int(0, own.length - 1);
    while (own[i]!.status !== 'free') i = (i + 1) % own.length;
    const slot = own[i]!;
    slot.status = 'busy';
    this.booked.set(practitioner.number, booked + 1);
    return slot;
  }

  resources(): Slot[] {
    return this.slots.map((s) => ({
      resourceType: 'Slot',
      id: s.id,
      schedule: ref('Schedule', s.practitioner.scheduleId),
      status: s.status,
      start: s.start,
      end: s.end,
      serviceType: [serviceTypeConcept(s.practitioner), visitModeConcept(s.virtual)],
      specialty: [specialtyConcept(s.practitioner.specialty)],
      appointmentType: appointmentTypeConcept(s.appointmentType),
    }));
  }
}

/** Which primary-care specialties may be a patient's general practitioner, by age. */
export function primaryCareFor(age: number): SpecialtyKey[] {
  if (age < 18) return ['pediatrics', 'familyMedicine'];
  if (age >= 75) return ['geriatrics', 'internalMedicine', 'familyMedicine'];
  return ['familyMedicine', 'internalMedicine', 'nursePractitioner', 'physicianAssistant'];
}
