import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Appointment,
  Bundle,
  CapabilityStatement,
  Encounter,
  Location,
  Medication,
  MedicationRequest,
  Observation,
  Patient,
  Practitioner,
} from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import { PATIENT_COMPARTMENT_TYPES, SUPPORTED_RESOURCE_TYPES } from './search-parameters.js';
import { FhirCaller, admin, agent, auditSince, botAuthor, lastAuditSeq, patientPrincipal } from './test-support.js';

type Entry = { resource: { resourceType: string; id: string }; search: { mode: string } };
const entriesOf = (bundle: Bundle) => (bundle.entry ?? []) as unknown as Entry[];
const keys = (bundle: Bundle, mode?: string) =>
  entriesOf(bundle)
    .filter((e) => mode === undefined || e.search.mode === mode)
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`)
    .sort();

describe('FHIR search: _include, _revinclude, _summary, _elements, compartments, formats', () => {
  let server: TestServer;
  let adminApi: FhirCaller;
  let agentApi: FhirCaller;
  let aliceApi: FhirCaller;
  let alice: Patient & { id: string };
  let bob: Patient & { id: string };
  let doctor: Practitioner & { id: string };
  let clinic: Location & { id: string };
  let drug: Medication & { id: string };
  let aliceObs: Observation & { id: string };
  let bobObs: Observation & { id: string };
  let prescription: MedicationRequest & { id: string };
  let visit: Encounter & { id: string };
  let shared: Appointment & { id: string };

  beforeAll(async () => {
    server = await startTestServer();
    adminApi = await FhirCaller.as(server, admin);
    agentApi = await FhirCaller.as(server, agent);
    alice = await adminApi.create<Patient>({
      resourceType: 'Patient',
      name: [{ family: 'Alvarez', given: ['Alice'] }],
      gender: 'female',
      maritalStatus: { text: 'Married' },
      contact: [{ name: { family: 'Alvarez', given: ['Ana'] } }],
    });
    bob = await adminApi.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Brown', given: ['Bob'] }] });
    aliceApi = await FhirCaller.as(server, patientPrincipal(alice.id), null);
    doctor = await adminApi.create<Practitioner>({ resourceType: 'Practitioner', name: [{ family: 'Dube' }] });
    clinic = await adminApi.create<Location>({ resourceType: 'Location', name: 'North clinic' });
    drug = await adminApi.create<Medication>({ resourceType: 'Medication', code: { text: 'Metformin 500 mg' } });
    // Bob took Alice's pulse: a reference from Alice's record to another patient.
    aliceObs = await adminApi.create<Observation>({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      subject: { reference: `Patient/${alice.id}` },
      performer: [{ reference: `Practitioner/${doctor.id}` }, { reference: `Patient/${bob.id}` }],
      valueQuantity: { value: 72, unit: '/min' },
      interpretation: [{ text: 'normal' }],
    });
    bobObs = await adminApi.create<Observation>({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      subject: { reference: `Patient/${bob.id}` },
    });
    prescription = await adminApi.create<MedicationRequest>({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${alice.id}` },
      medicationReference: { reference: `Medication/${drug.id}` },
      requester: { reference: `Practitioner/${doctor.id}` },
    });
    visit = await adminApi.create<Encounter>({
      resourceType: 'Encounter',
      status: 'finished',
      class: { code: 'AMB' },
      subject: { reference: `Patient/${alice.id}` },
      participant: [{ individual: { reference: `Practitioner/${doctor.id}` } }],
      location: [{ location: { reference: `Location/${clinic.id}` } }],
    });
    // A joint appointment filed in Bob's compartment (he is the first participant).
    shared = await adminApi.create<Appointment>({
      resourceType: 'Appointment',
      status: 'booked',
      start: '2026-03-02T09:00:00Z',
      end: '2026-03-02T09:30:00Z',
      participant: [
        { actor: { reference: `Patient/${bob.id}` }, status: 'accepted' },
        { actor: { reference: `Patient/${alice.id}` }, status: 'accepted' },
        { actor: { reference: `Practitioner/${doctor.id}` }, status: 'accepted' },
      ],
    });
  });
  afterAll(async () => {
    await server.close();
  });

  describe('_include and _revinclude', () => {
    it('adds the referenced patient, practitioner and patient-performer, marked include, for staff', async () => {
      const res = await agentApi.get(`/Observation?_id=${aliceObs.id}&_include=Observation:patient&_include=Observation:performer`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(1);
      expect(keys(res.body, 'match')).toEqual([`Observation/${aliceObs.id}`]);
      expect(keys(res.body, 'include')).toEqual([`Patient/${alice.id}`, `Patient/${bob.id}`, `Practitioner/${doctor.id}`].sort());
      expect(res.body.link[0].url).toContain('_include=Observation%3Apatient');
    });

    it('audits included clinical resources as reads of their patients (directory data is not audited)', async () => {
      const seq = lastAuditSeq(server);
      await agentApi.get(`/Observation?_id=${aliceObs.id}&_include=Observation:performer`);
      const rows = auditSince(server, seq).map((r) => [r.action, r.resource_type, r.resource_id, r.patient_id]);
      expect(rows).toEqual([
        ['phi.search', 'Observation', null, alice.id],
        ['phi.read', 'Patient', bob.id, bob.id],
      ]);
      const details = JSON.parse(auditSince(server, seq)[1]!.details!);
      expect(details).toMatchObject({ interaction: 'search-include', resources: 1 });
    });

    it('never gives a patient another patient’s resource through _include, and does not audit it', async () => {
      const seq = lastAuditSeq(server);
      const res = await aliceApi.get('/Observation?_include=Observation:performer&_include=Observation:subject');
      expect(res.status).toBe(200);
      expect(keys(res.body, 'match')).toEqual([`Observation/${aliceObs.id}`]);
      expect(keys(res.body, 'include')).toEqual([`Patient/${alice.id}`, `Practitioner/${doctor.id}`].sort());
      expect(auditSince(server, seq).some((r) => r.patient_id === bob.id)).toBe(false);
    });

    it('never gives a patient another patient’s resource through _revinclude', async () => {
      const asAlice = await aliceApi.get(`/Patient?_revinclude=Appointment:patient&_revinclude=Observation:subject`);
      expect(keys(asAlice.body, 'match')).toEqual([`Patient/${alice.id}`]);
      // The joint appointment lives in Bob's compartment: Alice does not get it.
      expect(keys(asAlice.body, 'include')).toEqual([`Observation/${aliceObs.id}`]);
      const asStaff = await agentApi.get(`/Patient?_id=${alice.id}&_revinclude=Appointment:patient&_revinclude=Observation:subject`);
      expect(keys(asStaff.body, 'include')).toEqual([`Appointment/${shared.id}`, `Observation/${aliceObs.id}`].sort());
    });

    it('follows medication, requester, practitioner, location and actor references', async () => {
      const meds = await agentApi.get(`/MedicationRequest?patient=${alice.id}&_include=MedicationRequest:medication&_include=MedicationRequest:requester`);
      expect(keys(meds.body, 'include')).toEqual([`Medication/${drug.id}`, `Practitioner/${doctor.id}`].sort());
      expect(keys(meds.body, 'match')).toEqual([`MedicationRequest/${prescription.id}`]);
      const visits = await agentApi.get(`/Encounter?patient=${alice.id}&_include=Encounter:practitioner&_include=Encounter:location`);
      expect(keys(visits.body, 'include')).toEqual([`Location/${clinic.id}`, `Practitioner/${doctor.id}`].sort());
      const appointments = await agentApi.get(`/Appointment?_id=${shared.id}&_include=Appointment:actor:Practitioner`);
      expect(keys(appointments.body, 'include')).toEqual([`Practitioner/${doctor.id}`]);
      const revByDoctor = await agentApi.get(`/Practitioner?_id=${doctor.id}&_revinclude=Encounter:practitioner&_revinclude=MedicationRequest:requester`);
      expect(keys(revByDoctor.body, 'include')).toEqual([`Encounter/${visit.id}`, `MedicationRequest/${prescription.id}`].sort());
    });

    it('needs read access to every type it may add: staff without a reason or a PHI role get 403', async () => {
      const noReason = await FhirCaller.as(server, agent, null);
      expect((await noReason.get(`/Practitioner?_id=${doctor.id}`)).status).toBe(200);
      const res = await noReason.get(`/Practitioner?_id=${doctor.id}&_revinclude=Encounter:practitioner`);
      expect(res.status).toBe(403);
      expect(res.body.issue[0].details.coding[0].code).toBe('reason_required');
      const bot = await FhirCaller.as(server, botAuthor);
      expect((await bot.get(`/Practitioner?_revinclude=Encounter:practitioner`)).status).toBe(403);
    });

    it('refuses what it does not do, naming the parameter', async () => {
      for (const query of [
        '_include=Observation:nope',
        '_include=Patient:general-practitioner',
        '_include=Observation:*',
        '_include:iterate=Observation:patient',
        '_revinclude=Encounter:location',
        '_include=Observation:patient:Practitioner',
      ]) {
        const res = await agentApi.get(`/Observation?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.issue[0].details.coding[0].code).toBe('invalid_search');
      }
    });
  });

  describe('_summary and _elements', () => {
    it('_summary=true keeps the summary elements of every entry and marks them SUBSETTED', async () => {
      const res = await agentApi.get(`/Patient?_id=${alice.id}&_summary=true&_revinclude=Observation:subject`);
      const patient = entriesOf(res.body).find((e) => e.resource.resourceType === 'Patient')!.resource as Patient;
      expect(patient.name).toEqual(alice.name);
      expect(patient.gender).toBe('female');
      expect(patient.maritalStatus).toBeUndefined();
      expect(patient.contact).toBeUndefined();
      expect(patient.meta?.tag).toContainEqual({ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' });
      expect(patient.meta?.versionId).toBe('1');
      const obs = entriesOf(res.body).find((e) => e.resource.resourceType === 'Observation')!.resource as Observation;
      expect(obs.valueQuantity).toEqual({ value: 72, unit: '/min' });
      expect(obs.interpretation).toBeUndefined();
    });

    it('_summary=count returns the total only; other values are refused', async () => {
      const res = await agentApi.get('/Observation?_summary=count');
      expect(res.body.total).toBe(2);
      expect(res.body.entry).toBeUndefined();
      expect((await agentApi.get('/Observation?_summary=text')).status).toBe(400);
      const unchanged = await agentApi.get(`/Patient?_id=${alice.id}&_summary=false`);
      expect(unchanged.body.entry[0].resource).toEqual(alice);
    });

    it('_elements keeps the named, mandatory and id/meta elements of the matches', async () => {
      const res = await agentApi.get(`/Observation?_id=${aliceObs.id}&_elements=subject,value&_include=Observation:patient`);
      const obs = entriesOf(res.body)[0]!.resource as Observation;
      expect(Object.keys(obs).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'subject', 'valueQuantity']);
      expect(obs.meta?.tag?.[0]?.code).toBe('SUBSETTED');
      // The included Patient is whole: _elements names the matches' elements.
      expect(entriesOf(res.body)[1]!.resource).toEqual(alice);
      expect((await agentApi.get('/Observation?_elements=colour')).status).toBe(400);
      expect((await agentApi.get('/Observation?_elements=status&_summary=true')).status).toBe(400);
    });
  });

  describe('the Patient compartment', () => {
    it('Patient/{id}/{type} searches that patient’s record, with the compartment in its links', async () => {
      const res = await agentApi.get(`/Patient/${alice.id}/Observation?code=http://loinc.org|8867-4`);
      expect(res.status).toBe(200);
      expect(keys(res.body)).toEqual([`Observation/${aliceObs.id}`]);
      expect(res.body.link[0].url).toBe(`${agentApi.base}/Patient/${alice.id}/Observation?code=http%3A%2F%2Floinc.org%7C8867-4&_count=20`);
      expect(keys((await agentApi.get(`/Patient/${bob.id}/Appointment`)).body)).toEqual([`Appointment/${shared.id}`]);
      expect(keys((await agentApi.get(`/Patient/${alice.id}/Patient`)).body)).toEqual([`Patient/${alice.id}`]);
    });

    it('gives a patient their own compartment and nothing of another’s', async () => {
      expect(keys((await aliceApi.get(`/Patient/${alice.id}/Observation`)).body)).toEqual([`Observation/${aliceObs.id}`]);
      const seq = lastAuditSeq(server);
      const other = await aliceApi.get(`/Patient/${bob.id}/Observation`);
      expect(other.status).toBe(200);
      expect(other.body.total).toBe(0);
      expect(auditSince(server, seq)).toEqual([expect.objectContaining({ action: 'phi.search', patient_id: null })]);
    });

    it('is 404 for types outside the compartment', async () => {
      const res = await agentApi.get(`/Patient/${alice.id}/Practitioner`);
      expect(res.status).toBe(404);
      expect(res.body.issue[0].diagnostics).toContain('not in the Patient compartment');
    });
  });

  describe('formats', () => {
    it('answers XML (Accept or _format) with 406 and a JSON OperationOutcome', async () => {
      for (const [path, headers] of [
        ['/metadata', { accept: 'application/fhir+xml' }],
        ['/Patient', { accept: 'application/fhir+xml' }],
        ['/Patient?_format=xml', {}],
        ['/metadata?_format=application/fhir%2Bxml', {}],
        [`/Patient/${alice.id}`, { accept: 'application/xml' }],
      ] as const) {
        const res = await adminApi.get(path, headers);
        expect(res.status, path).toBe(406);
        expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
        expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-supported' }] });
      }
      expect((await adminApi.get('/Patient?_format=json')).status).toBe(200);
      expect((await adminApi.get('/Patient?_format=application/fhir%2Bjson')).status).toBe(200);
      expect((await adminApi.get('/Patient', { accept: '*/*' })).status).toBe(200);
      expect((await adminApi.get('/Patient', { accept: 'application/fhir+xml;q=1, application/fhir+json;q=0.5' })).status).toBe(200);
    });
  });

  describe('the CapabilityStatement matches what the server does', () => {
    let cs: CapabilityStatement;
    beforeAll(async () => {
      cs = (await adminApi.get('/metadata')).body as CapabilityStatement;
    });

    it('every searchInclude and searchRevInclude it lists is accepted, and nothing else is', async () => {
      let checked = 0;
      // Ten values per request (the most a search takes), so a failure names its group.
      const groups = <T,>(list: T[]) => Array.from({ length: Math.ceil(list.length / 10) }, (_, i) => list.slice(i * 10, i * 10 + 10));
      for (const resource of cs.rest![0]!.resource!) {
        for (const [name, values] of [['_include', resource.searchInclude ?? []], ['_revinclude', resource.searchRevInclude ?? []]] as const) {
          for (const group of groups([...values])) {
            const res = await adminApi.get(`/${resource.type}?_count=1&${group.map((v) => `${name}=${v}`).join('&')}`);
            expect(res.status, `${resource.type} ${name}=${group.join(',')}`).toBe(200);
            checked += group.length;
          }
        }
        // A reference parameter of another type is not an include of this one.
        const other = resource.type === 'Observation' ? 'Encounter:location' : 'Observation:encounter';
        if (!(resource.searchInclude ?? []).includes(other)) {
          expect((await adminApi.get(`/${resource.type}?_include=${other}`)).status, `${resource.type} _include=${other}`).toBe(400);
        }
      }
      expect(checked).toBeGreaterThan(100);
      const observation = cs.rest![0]!.resource!.find((r) => r.type === 'Observation')!;
      expect(observation.searchInclude).toEqual(expect.arrayContaining(['Observation:patient', 'Observation:subject', 'Observation:performer']));
      expect(cs.rest![0]!.resource!.find((r) => r.type === 'Medication')!.searchRevInclude).toEqual(
        expect.arrayContaining(['MedicationRequest:medication', 'MedicationAdministration:medication']),
      );
    });

    it('lists _summary, _elements, the Patient compartment, $everything and JSON as the only format', async () => {
      const rest = cs.rest![0]!;
      const params = new Map(rest.searchParam!.map((p) => [p.name, p.documentation]));
      expect(params.get('_summary')).toMatch(/true.*count.*false/);
      for (const value of ['true', 'count', 'false']) expect((await adminApi.get(`/Patient?_summary=${value}`)).status, value).toBe(200);
      expect(params.has('_elements')).toBe(true);
      expect(rest.compartment).toEqual(['http://hl7.org/fhir/CompartmentDefinition/patient']);
      for (const type of SUPPORTED_RESOURCE_TYPES) {
        const res = await adminApi.get(`/Patient/${alice.id}/${type}`);
        expect(res.status, type).toBe(PATIENT_COMPARTMENT_TYPES.includes(type) ? 200 : 404);
      }
      expect(rest.operation!.map((o) => o.name)).toEqual(['everything']);
      expect(rest.operation![0]!.documentation).toMatch(/_since.*_type/);
      expect((await adminApi.get(`/Patient/${alice.id}/$everything`)).status).toBe(200);
      expect((await adminApi.post(`/Patient/${alice.id}/$everything`, { resourceType: 'Parameters' })).status).toBe(200);
      expect(cs.format).toEqual(['json', 'application/fhir+json']);
      expect((await adminApi.get('/metadata', { accept: 'application/fhir+xml' })).status).toBe(406);
    });
  });

  it('keeps bob’s observation out of every view alice has', async () => {
    const views = await Promise.all([
      aliceApi.get(`/Observation?_include=Observation:performer&_revinclude=Provenance:target`),
      aliceApi.get(`/Patient?_revinclude=Observation:performer`),
      aliceApi.get(`/Patient/${alice.id}/Observation?_include=Observation:performer`),
    ]);
    for (const view of views) {
      expect(view.status).toBe(200);
      expect(JSON.stringify(view.body)).not.toContain(bobObs.id);
      expect(JSON.stringify(view.body)).not.toContain(`"id":"${bob.id}"`);
    }
  });
});
