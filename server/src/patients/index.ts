/**
 * The patients domain's public door: finding a patient (caller ID and search, fuzzy on names,
 * audited through the FHIR service) and who the patient in a conversation is (portal sign-in or an
 * agent's check of two details). The patient 360 asks `identities.verifiedPatientOf` before it
 * shows PHI in a conversation.
 */
import type { Patient } from '@medplum/fhirtypes';
import type SQLite from 'better-sqlite3';
import type { FhirService } from '../fhir/index.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { DomainModule } from '../platform/module.js';
import { ConversationIdentities, type ConversationLookup } from './identity.js';
import { registerPatientRoutes } from './routes.js';
import { PatientFinder } from './search.js';
import { PatientSummary, type SummaryDeps } from './summary.js';

export { ConversationIdentities, MAX_VERIFY_ATTEMPTS } from './identity.js';
export { PatientFinder, nameSimilarity } from './search.js';

export interface PatientsModuleDeps {
  sqlite: SQLite.Database;
  audit: AuditLog;
  openapi: OpenApiRegistry;
  fhir: Pick<FhirService, 'searchType' | 'read'>;
  previousConversations: SummaryDeps['previousConversations'];
  dispositionLabel(code: string): string | undefined;
  readPatient(id: string): Patient | undefined;
  conversations: ConversationLookup;
  displayNameOf(userId: string): string | undefined;
}

export type PatientsModule = DomainModule & { api: { finder: PatientFinder; identities: ConversationIdentities; summary: PatientSummary } };

export function createPatientsModule(deps: PatientsModuleDeps): PatientsModule {
  const finder = new PatientFinder(deps.fhir);
  const identities = new ConversationIdentities(deps);
  const summary = new PatientSummary({ fhir: deps.fhir, audit: deps.audit, previousConversations: deps.previousConversations, displayNameOf: deps.displayNameOf, dispositionLabel: deps.dispositionLabel });
  return {
    name: 'patients',
    api: { finder, identities, summary },
    routes: (api) => registerPatientRoutes(api, { openapi: deps.openapi, finder, identities, summary }),
  };
}
