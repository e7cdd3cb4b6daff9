/**
 * Demographics of one patient (random stream 1): age and sex mix of a US primary-care panel,
 * names, a Denver-metro address, phone, e-mail, language, marital status, emergency contacts and
 * a general practitioner. Builds the Patient resource.
 */
import type { Faker } from '@faker-js/faker';
import type { Patient, PatientContact } from '@medplum/fhirtypes';
import { MRN_SYSTEM, SYSTEMS, ageBand, concept, languageConcept, type AgeBand, type LanguageCode, type SpecialtyKey } from './codes.js';
import { primaryCareFor, ref } from './clinic.js';
import { CITIES, METRO, STREETS } from './metro.js';
import { DAY_MS, YEAR_DAYS, ageOn, isoDate, utcDay } from './dates.js';
import { STREAM, patientRef, type ContactPerson, type GeneratorContext, type Person } from './model.js';
import type { Prng } from './prng.js';
import { syntheticId } from './ids.js';

/** Panel mix: children ~20%, seniors ~17%. */
const AGE_BANDS: ReadonlyArray<readonly [AgeBand, number]> = [
  ['child', 20],
  ['young', 22],
  ['middle', 20],
  ['older', 21],
  ['senior', 17],
];

/** The demo accounts use patients 1..DEMO_ADULTS: they are always adults (25–80). */
export const DEMO_ADULTS = 20;

const MARITAL_DISPLAY = { M: 'Married', S: 'Never Married', D: 'Divorced', W: 'Widowed' } as const;
const RELATIONSHIP_DISPLAY = {
  SPS: 'spouse',
  MTH: 'mother',
  FTH: 'father',
  CHILD: 'child',
  SIB: 'sibling',
  FRND: 'unrelated friend',
  PRN: 'parent',
} as const;
const CONTACT_ROLE_DISPLAY = { C: 'Emergency Contact', N: 'Next-of-Kin' } as const;

export function mrnFor(number: number): string {
  return `CB${String(number).padStart(7, '0')}`;
}

function sampleAge(prng: Prng, demo: boolean): number {
  if (demo) return prng.int(25, 80);
  const band = prng.weighted(AGE_BANDS);
  switch (band) {
    case 'child':
      return prng.int(0, 17);
    case 'young':
      return prng.int(18, 34);
    case 'middle':
      return prng.int(35, 49);
    case 'older':
      return prng.int(50, 64);
    case 'senior':
      return prng.weighted([
        [prng.int(65, 74), 9],
        [prng.int(75, 84), 6],
        [prng.int(85, 98), 2],
      ]);
  }
}

function sampleLanguage(prng: Prng): LanguageCode {
  return prng.weighted<LanguageCode>([
    ['en', 85],
    ['es', 13],
    ['vi', 0.6],
    ['zh', 0.4],
    ['ru', 0.3],
    ['am', 0.3],
    ['ar', 0.2],
    ['ko', 0.2],
  ]);
}

export function phoneNumber(prng: Prng): string {
  return `(${prng.pick(METRO.areaCodes)}) 555-${String(prng.int(0, 9999)).padStart(4, '0')}`;
}

export function asciiName(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

function fakerFor(ctx: GeneratorContext, language: LanguageCode, prng: Prng): Faker {
  if (language === 'es') return ctx.fakers.es;
  if (language === 'vi') return ctx.fakers.vi;
  // Denver is about 30% Hispanic: many English speakers have Spanish names too.
  return prng.chance(0.2) ? ctx.fakers.es : ctx.fakers.en;
}

function sampleMaritalStatus(prng: Prng, age: number): Person['maritalStatus'] {
  if (age < 18) return 'S';
  if (age < 30) return prng.weighted([['S', 70], ['M', 27], ['D', 3]] as const);
  if (age < 65) return prng.weighted([['M', 55], ['S', 25], ['D', 17], ['W', 3]] as const);
  return prng.weighted([['M', 52], ['W', 25], ['D', 13], ['S', 10]] as const);
}

function contactsFor(prng: Prng, faker: Faker, person: Pick<Person, 'age' | 'last' | 'maritalStatus' | 'sex'>): ContactPerson[] {
  const make = (relationship: ContactPerson['relationship'], role: ContactPerson['role'], sameFamily: boolean): ContactPerson => {
    const gender: 'female' | 'male' =
      relationship === 'MTH' ? 'female' : relationship === 'FTH' ? 'male' : relationship === 'SPS' ? (person.sex === 'female' ? 'male' : 'female') : prng.chance(0.5) ? 'female' : 'male';
    return { first: faker.person.firstName(gender), last: sameFamily ? person.last : faker.person.lastName(), gender, relationship, role, phone: phoneNumber(prng) };
  };
  const contacts: ContactPerson[] = [];
  if (person.age < 18) {
    contacts.push(make(prng.chance(0.6) ? 'MTH' : 'FTH', 'N', true));
    if (prng.chance(0.5)) contacts.push(make(contacts[0]!.relationship === 'MTH' ? 'FTH' : 'MTH', 'C', prng.chance(0.7)));
    return contacts;
  }
  if (person.maritalStatus === 'M') contacts.push(make('SPS', 'C', prng.chance(0.7)));
  if (person.age >= 60 && prng.chance(0.6)) contacts.push(make('CHILD', 'N', prng.chance(0.6)));
  if (contacts.length === 0 && prng.chance(0.75)) {
    const relationship = person.age < 40 ? prng.pick(['PRN', 'SIB', 'FRND'] as const) : prng.pick(['SIB', 'FRND', 'CHILD'] as const);
    contacts.push(make(relationship, relationship === 'FRND' ? 'C' : 'N', relationship !== 'FRND' && prng.chance(0.5)));
  }
  return contacts;
}

function choosePcp(ctx: GeneratorContext, prng: Prng, age: number, number: number) {
  const { directory } = ctx;
  // Demo patients share practitioner 1 (the demo practitioner account) as their doctor.
  if (number <= DEMO_ADULTS) return directory.practitioners[0]!;
  const allowed = primaryCareFor(age);
  const weights: ReadonlyArray<readonly [SpecialtyKey, number]> =
    age < 18
      ? [['pediatrics', 80], ['familyMedicine', 20]]
      : age >= 75
        ? [['geriatrics', 30], ['internalMedicine', 40], ['familyMedicine', 30]]
        : [['familyMedicine', 55], ['internalMedicine', 25], ['nursePractitioner', 14], ['physicianAssistant', 6]];
  const specialty = prng.weighted(weights.filter(([k]) => allowed.includes(k)));
  return prng.pick(directory.bySpecialty.get(specialty)!);
}

/** Generates the person (demographics only); deterministic in (seed, number). */
export function generatePerson(ctx: GeneratorContext, number: number): Person {
  const { prng, nowDay } = ctx;
  ctx.fakers.en.seed([ctx.seed, number, STREAM.demographics]);
  const targetAge = sampleAge(prng, number <= DEMO_ADULTS);
  const birthDay = utcDay(nowDay - Math.floor(targetAge * YEAR_DAYS + prng.int(0, 364)) * DAY_MS);
  const age = ageOn(birthDay, nowDay);
  const sex: 'female' | 'male' = prng.chance(0.51) ? 'female' : 'male';
  const language = sampleLanguage(prng);
  const faker = fakerFor(ctx, language, prng);
  const first = faker.person.firstName(sex);
  const middle = faker === ctx.fakers.en && prng.chance(0.4) ? faker.person.middleName(sex) : undefined;
  const last = faker.person.lastName();
  const city = prng.weighted(CITIES.map((c) => [c, c.weight] as const));
  const line = [`${prng.int(100, 19999)} ${prng.pick(STREETS)}`];
  if (prng.chance(0.25)) line.push(`Apt ${prng.int(101, 450)}`);
  const address = {
    line,
    city: city.city,
    postalCode: prng.pick(city.zips),
    latitude: Math.round(prng.normal(city.latitude, 0.025) * 10_000) / 10_000,
    longitude: Math.round(prng.normal(city.longitude, 0.03) * 10_000) / 10_000,
  };
  const phone = phoneNumber(prng);
  const wantsEmail = number <= DEMO_ADULTS || (age >= 18 ? prng.chance(0.85) : age >= 13 ? prng.chance(0.4) : false);
  const email = wantsEmail
    ? `${asciiName(first)}.${asciiName(last)}${prng.int(1, 99)}@${prng.pick(['example.com', 'example.org', 'example.net'])}`
    : undefined;
  const maritalStatus = sampleMaritalStatus(prng, age);
  const contacts = contactsFor(prng, faker, { age, last, maritalStatus, sex });
  const pcp = choosePcp(ctx, prng, age, number);
  const id = syntheticId(ctx.seed, 'Patient', number, 0);
  const display = `${first} ${last}`;
  return {
    number,
    id,
    ref: patientRef(id),
    mrn: mrnFor(number),
    age,
    band: ageBand(age),
    birthDay,
    sex,
    language,
    first,
    ...(middle ? { middle } : {}),
    last,
    display,
    address,
    phone,
    ...(email ? { email } : {}),
    maritalStatus,
    contacts,
    pcp,
  };
}

export function contactRelationship(contact: ContactPerson) {
  return [
    concept(SYSTEMS.v2ContactRole, contact.role, CONTACT_ROLE_DISPLAY[contact.role]),
    concept(SYSTEMS.v3RoleCode, contact.relationship, RELATIONSHIP_DISPLAY[contact.relationship]),
  ];
}

export function patientResource(ctx: GeneratorContext, person: Person): Patient {
  const contact: PatientContact[] = person.contacts.map((c) => ({
    relationship: contactRelationship(c),
    name: { use: 'usual', family: c.last, given: [c.first] },
    telecom: [{ system: 'phone', value: c.phone, use: 'mobile' }],
    gender: c.gender,
  }));
  const communication: Patient['communication'] = [{ language: languageConcept(person.language), preferred: true }];
  const telecom: Patient['telecom'] = [{ system: 'phone', value: person.phone, use: person.age < 18 ? 'home' : 'mobile', rank: 1 }];
  if (person.email) telecom.push({ system: 'email', value: person.email, use: 'home' });
  const patient: Patient = {
    resourceType: 'Patient',
    id: person.id,
    identifier: [
      {
        use: 'usual',
        type: concept(SYSTEMS.v2IdentifierType, 'MR', 'Medical record number'),
        system: MRN_SYSTEM,
        value: person.mrn,
      },
    ],
    active: true,
    name: [{ use: 'official', family: person.last, given: person.middle ? [person.first, person.middle] : [person.first] }],
    telecom,
    gender: person.sex,
    birthDate: isoDate(person.birthDay),
    address: [
      {
        extension: [
          {
            url: SYSTEMS.geolocation,
            extension: [
              { url: 'latitude', valueDecimal: person.address.latitude },
              { url: 'longitude', valueDecimal: person.address.longitude },
            ],
          },
        ],
        use: 'home',
        type: 'physical',
        line: person.address.line,
        city: person.address.city,
        state: METRO.state,
        postalCode: person.address.postalCode,
        country: METRO.country,
      },
    ],
    maritalStatus: concept(SYSTEMS.v3MaritalStatus, person.maritalStatus, MARITAL_DISPLAY[person.maritalStatus]),
    communication,
    generalPractitioner: [ref('Practitioner', person.pcp.id, person.pcp.display)],
    managingOrganization: ref('Organization', ctx.directory.organizationId, ctx.directory.organizationName),
  };
  if (contact.length > 0) patient.contact = contact;
  return patient;
}
