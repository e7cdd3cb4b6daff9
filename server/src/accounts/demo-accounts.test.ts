import type { Practitioner } from '@medplum/fhirtypes';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';
import { createPatient, login } from '../testing/accounts.js';
import { DEMO_PASSWORD, demoEmail, demoMrn } from './demo-accounts.js';

const STAFF = ['admin', 'supervisor', 'agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'practitioner1', 'outreach', 'author'];

describe('demo accounts', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const users = (s: TestServer) =>
    s.context.database.sqlite.prepare('SELECT * FROM users ORDER BY email').all() as Array<{
      id: string;
      email: string;
      role: string;
      display_name: string;
      patient_id: string | null;
      practitioner_id: string | null;
      password_hash: string;
    }>;

  it('creates staff and patient accounts linked to the right records, once', async () => {
    server = await startTestServer();
    expect(server.config.demoMode).toBe(true);
    // Patients 1..3 and 5 exist (4 does not), plus a decoy with another MRN system.
    const patients = [1, 2, 3, 5].map((n) => createPatient(server!, demoMrn(n), `Given${n}`, `Family${n}`));
    server.context.store.create({ resourceType: 'Patient', identifier: [{ system: 'urn:other', value: demoMrn(4) }] });
    const practitioner = server.context.store.create<Practitioner>({
      resourceType: 'Practitioner',
      identifier: [{ system: 'urn:carebridge:practitioner-number', value: 'PR0001' }],
      name: [{ given: ['Paula'], family: 'Practitioner' }],
    });

    await server.context.accounts.ensureDemoAccounts();
    const created = users(server);
    const byEmail = new Map(created.map((u) => [u.email, u]));
    for (const local of STAFF) expect(byEmail.has(demoEmail(local)), local).toBe(true);
    expect(byEmail.get(demoEmail('admin'))).toMatchObject({ role: 'admin', display_name: 'Demo Admin' });
    expect(byEmail.get(demoEmail('agent3'))).toMatchObject({ role: 'agent', display_name: 'Demo Agent 3' });
    expect(byEmail.get(demoEmail('author'))).toMatchObject({ role: 'bot-author' });
    expect(byEmail.get(demoEmail('outreach'))).toMatchObject({ role: 'outreach' });
    expect(byEmail.get(demoEmail('practitioner1'))).toMatchObject({ role: 'practitioner', practitioner_id: practitioner.id });

    expect(byEmail.get(demoEmail('patient1'))).toMatchObject({ role: 'patient', patient_id: patients[0]!.id, display_name: 'Given1 Family1' });
    expect(byEmail.get(demoEmail('patient5'))).toMatchObject({ patient_id: patients[3]!.id, display_name: 'Given5 Family5' });
    expect(byEmail.has(demoEmail('patient4'))).toBe(false);
    expect(created).toHaveLength(STAFF.length + 4);
    // One hash reused for all of them (hashing thirty would slow the first start).
    expect(new Set(created.map((u) => u.password_hash)).size).toBe(1);

    const patientLogin = await login(server, demoEmail('patient2'), DEMO_PASSWORD);
    expect(patientLogin.status).toBe(200);
    expect(patientLogin.body.user).toMatchObject({ role: 'patient', patientId: patients[1]!.id });
    const adminLogin = await login(server, demoEmail('admin'), DEMO_PASSWORD);
    expect(adminLogin.body.user.role).toBe('admin');

    // Idempotent: a second run changes nothing; once patient 4 exists, only it is added.
    const beforeSecondRun = users(server);
    await server.context.accounts.ensureDemoAccounts();
    expect(users(server)).toEqual(beforeSecondRun);
    const fourth = createPatient(server, demoMrn(4), 'Given4', 'Family4');
    await server.context.accounts.ensureDemoAccounts();
    const after = users(server);
    expect(after).toHaveLength(created.length + 1);
    expect(after.find((u) => u.email === demoEmail('patient4'))).toMatchObject({ patient_id: fourth.id });
    expect(after.find((u) => u.email === demoEmail('admin'))!.id).toBe(byEmail.get(demoEmail('admin'))!.id);
  });

  it('links practitioner1 once the Practitioner appears', async () => {
    server = await startTestServer();
    await server.context.accounts.ensureDemoAccounts();
    expect(users(server).find((u) => u.email === demoEmail('practitioner1'))!.practitioner_id).toBeNull();
    const practitioner = server.context.store.create<Practitioner>({
      resourceType: 'Practitioner',
      identifier: [{ system: 'urn:carebridge:practitioner-number', value: 'PR0001' }],
    });
    await server.context.accounts.ensureDemoAccounts();
    expect(users(server).find((u) => u.email === demoEmail('practitioner1'))!.practitioner_id).toBe(practitioner.id);
  });

  it('creates nothing when demo mode is off', async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
    expect(server.config.demoMode).toBe(false);
    createPatient(server, demoMrn(1));
    await server.context.accounts.ensureDemoAccounts();
    expect(users(server)).toEqual([]);
    expect((await login(server, demoEmail('admin'), DEMO_PASSWORD)).status).toBe(401);
  });
});
