/**
 * Demo accounts for demo mode, all with the password `carebridge-demo`: staff of every role and
 * twenty patients linked to the synthetic Patients CB0000001..CB0000020. Idempotent: only missing
 * accounts are created (one argon2 hash, reused), and practitioner1 is linked to the Practitioner
 * PR0001 as soon as it exists. Does nothing unless demo mode is on.
 */
import type { HumanName, Patient } from '@medplum/fhirtypes';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logging.js';
import type { SystemFhir } from '../fhir/index.js';
import type { AgentProfiles } from './routing-profiles.js';
import type { StaffRole } from '../platform/auth/principal.js';
import type { AgentRoutingProfile } from '../contracts/routing.js';
import { hashPassword } from '../platform/auth/passwords.js';
import type { AccountService, NewAccount } from './service.js';

export const DEMO_PASSWORD = 'carebridge-demo';
export const DEMO_EMAIL_DOMAIN = 'demo.carebridge.local';
export const DEMO_PATIENT_COUNT = 20;
export const MRN_SYSTEM = 'urn:carebridge:mrn';
export const PRACTITIONER_NUMBER_SYSTEM = 'urn:carebridge:practitioner-number';

interface DemoStaff {
  local: string;
  role: StaffRole;
  displayName: string;
}

const DEMO_STAFF: DemoStaff[] = [
  { local: 'admin', role: 'admin', displayName: 'Demo Admin' },
  { local: 'supervisor', role: 'supervisor', displayName: 'Demo Supervisor' },
  ...[1, 2, 3, 4, 5].map((n): DemoStaff => ({ local: `agent${n}`, role: 'agent', displayName: `Demo Agent ${n}` })),
  { local: 'practitioner1', role: 'practitioner', displayName: 'Demo Practitioner 1' },
  { local: 'outreach', role: 'outreach', displayName: 'Demo Outreach Manager' },
  { local: 'author', role: 'bot-author', displayName: 'Demo Bot Author' },
];

/**
 * Routing profiles of the demo agents, so the demo shows skills-based routing: agent1 and agent2 take
 * everything (the defaults), agent3 speaks Spanish, agent4 is the nurse line and pharmacy, agent5
 * does billing with a smaller capacity. Stored only where none exists, so an admin's edits stay.
 */
export const DEMO_ROUTING_PROFILES: Readonly<Record<string, AgentRoutingProfile>> = {
  agent3: { skills: ['spanish', 'general', 'scheduling'], capacity: 4 },
  agent4: { skills: ['nurse-line', 'pharmacy', 'general'], capacity: 4 },
  agent5: { skills: ['billing', 'general'], capacity: 2 },
};

export const demoEmail = (local: string) => `${local}@${DEMO_EMAIL_DOMAIN}`;
export const demoMrn = (n: number) => `CB${String(n).padStart(7, '0')}`;

function nameOf(names: HumanName[] | undefined): string | undefined {
  const name = names?.find((n) => n.use === 'official') ?? names?.[0];
  if (!name) return undefined;
  const text = name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' ');
  return text.trim() || undefined;
}

export interface DemoAccountDeps {
  config: Pick<Config, 'demoMode'>;
  accounts: AccountService;
  agentProfiles: AgentProfiles;
  fhir: Pick<SystemFhir, 'idsByIdentifier' | 'read'>;
  logger: Logger;
}

export async function ensureDemoAccounts(ctx: DemoAccountDeps): Promise<void> {
  if (!ctx.config.demoMode) return;
  const { accounts } = ctx;
  const repo = accounts.repository;

  const practitionerId = ctx.fhir.idsByIdentifier('Practitioner', PRACTITIONER_NUMBER_SYSTEM, ['PR0001']).get('PR0001') ?? null;
  const mrns = Array.from({ length: DEMO_PATIENT_COUNT }, (_, i) => demoMrn(i + 1));
  const patientIds = ctx.fhir.idsByIdentifier('Patient', MRN_SYSTEM, mrns);

  const wanted: NewAccount[] = DEMO_STAFF.map((s) => ({
    email: demoEmail(s.local),
    role: s.role,
    displayName: s.displayName,
    practitionerId: s.role === 'practitioner' ? practitionerId : null,
  }));
  mrns.forEach((mrn, i) => {
    const patientId = patientIds.get(mrn);
    if (!patientId) return;
    const patient = ctx.fhir.read<Patient>('Patient', patientId);
    wanted.push({
      email: demoEmail(`patient${i + 1}`),
      role: 'patient',
      displayName: nameOf(patient?.name) ?? `Demo Patient ${i + 1}`,
      patientId,
    });
  });

  const missing = wanted.filter((a) => !repo.findByEmail(a.email));
  if (missing.length > 0) {
    // One argon2 hash for every demo account: hashing thirty would slow the first start.
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    for (const account of missing) await accounts.createAccount({ ...account, passwordHash });
    ctx.logger.info({ created: missing.length }, 'demo accounts created');
  }

  for (const [local, profile] of Object.entries(DEMO_ROUTING_PROFILES)) {
    const agent = repo.findByEmail(demoEmail(local));
    if (agent) ctx.agentProfiles.setIfMissing(agent.id, profile);
  }

  // practitioner1 may predate the synthetic Practitioner; link it once that exists.
  if (practitionerId) {
    const practitioner = repo.findByEmail(demoEmail('practitioner1'));
    if (practitioner && !practitioner.practitioner_id) {
      repo.update(practitioner.id, { practitioner_id: practitionerId }, new Date().toISOString());
    }
  }
}
