/**
 * What the scheduling tests share: a real server over a real SQLite file seeded with the synthetic
 * clinic (schedules and free slots for 60 days) and 20 full patients, a clock the tests can move
 * (hold expiry), signed-in staff and patients, and readers of the audit log.
 */
import { randomUUID } from 'node:crypto';
import type { Appointment, Slot } from '@medplum/fhirtypes';
import type { AvailabilityResponse, SchedulingOptions } from '../contracts/scheduling.js';
import type { Principal } from '../platform/auth/principal.js';
import { seedSyntheticData } from '../synthetic/index.js';
import { call, type Reply } from '../testing/accounts.js';
import { staffPrincipal, type StaffRole } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

export const REASON = { 'X-Access-Reason': 'booking an appointment in a chat' };

export interface SchedulingHarness {
  server: TestServer;
  /** Moves the scheduling clock forward (hold expiry). */
  advance(ms: number): void;
  /** Patient ids in generation order (patient 1 first). */
  patients: string[];
  options: SchedulingOptions;
  staffToken(role?: StaffRole, id?: string): Promise<string>;
  patientToken(patientId: string): Promise<string>;
  api<T = any>(method: string, path: string, token: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<Reply<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary shapes
  availability(token: string, query: string): Promise<Reply<AvailabilityResponse>>;
  slot(id: string): (Slot & { id: string }) | undefined;
  appointment(id: string): (Appointment & { id: string }) | undefined;
  audit(action: string, patientId?: string): Array<{ actor_id: string; actor_role: string; action: string; outcome: string; resource_id: string | null; patient_id: string | null; reason: string | null; details: Record<string, unknown> | null }>;
  close(): Promise<void>;
}

export async function startSchedulingServer(env: Record<string, string> = {}): Promise<SchedulingHarness> {
  let offset = 0;
  const server = await startTestServer(env, { scheduling: { now: () => Date.now() + offset } });
  await seedSyntheticData(server.context.database, { patients: 20, seed: 42 });
  const patients = (server.context.database.sqlite.prepare("SELECT id FROM resources WHERE resource_type = 'Patient' ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id);
  const api: SchedulingHarness['api'] = (method, path, token, options = {}) => call(server, method, path, { token, ...options });
  const adminish = await server.tokenFor(staffPrincipal(`agent-${randomUUID()}`));
  const options = (await api<SchedulingOptions>('GET', '/api/scheduling/options', adminish)).body;
  return {
    server,
    advance: (ms) => {
      offset += ms;
    },
    patients,
    options,
    staffToken: (role = 'agent', id = `${role}-${randomUUID()}`) => server.tokenFor(staffPrincipal(id, role)),
    patientToken: (patientId) => {
      const userId = `patient-${randomUUID()}`;
      const principal: Principal = { kind: 'patient', userId, email: `${userId}@example.test`, role: 'patient', patientId };
      return server.tokenFor(principal);
    },
    api,
    availability: (token, query) => api<AvailabilityResponse>('GET', `/api/scheduling/availability?${query}`, token),
    slot: (id) => server.context.fhir.system.read<Slot>('Slot', id),
    appointment: (id) => server.context.fhir.system.read<Appointment>('Appointment', id),
    audit: (action, patientId) => {
      const rows = server.context.database.sqlite
        .prepare(`SELECT actor_id, actor_role, action, outcome, resource_id, patient_id, reason, details FROM audit_log WHERE action = ?${patientId ? ' AND patient_id = ?' : ''} ORDER BY seq`)
        .all(...(patientId ? [action, patientId] : [action])) as Array<{ details: string | null } & Record<string, unknown>>;
      return rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null })) as ReturnType<SchedulingHarness['audit']>;
    },
    close: () => server.close(),
  };
}

/** The specialty code of the options whose display is this. */
export function specialtyCode(options: SchedulingOptions, display: string): string {
  const found = options.specialties.find((s) => s.display === display);
  if (!found) throw new Error(`no specialty ${display}`);
  return found.code;
}
