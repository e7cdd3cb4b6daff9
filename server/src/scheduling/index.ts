/**
 * The scheduling domain's public door: free slots, holds, booking, cancelling and rescheduling
 * appointments, a patient's appointments and their calendar files, under `/api/scheduling`. Used by
 * the desk's Appointments panel now, by the portal and the bot later (through `api`).
 */
import type SQLite from 'better-sqlite3';
import type { SystemFhir } from '../fhir/index.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { AuditBatch } from '../platform/audit/batch.js';
import type { GroupCommit } from '../platform/db/index.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { DomainModule } from '../platform/module.js';
import { BookableDirectory } from './directory.js';
import type { ConversationPatients } from './policy.js';
import { HoldRepository } from './holds.js';
import { registerSchedulingRoutes } from './routes.js';
import { SchedulingService } from './service.js';
import { SlotIndex } from './slot-index.js';

export { SchedulingService, SlotTakenError, MAX_HOLDS_PER_HOLDER } from './service.js';
export type { SchedulingActor, ConversationPatients } from './policy.js';

export interface SchedulingModuleDeps {
  sqlite: SQLite.Database;
  fhir: Pick<SystemFhir, 'read' | 'search' | 'write'>;
  audit: Pick<AuditLog, 'record'>;
  auditBatch: Pick<AuditBatch, 'record'>;
  commits: Pick<GroupCommit, 'run'>;
  openapi: OpenApiRegistry;
  /** The patients module's check that a conversation's verified patient is this one (the conversation is then the reason). */
  conversations?: ConversationPatients;
  holdMinutes: number;
  timeZone: string;
  organizationName?: string;
  /** The clock (tests move it to expire holds). */
  now?: () => number;
}

export type SchedulingModule = DomainModule & { api: SchedulingService };

export function createSchedulingModule(deps: SchedulingModuleDeps): SchedulingModule {
  const index = new SlotIndex(deps.sqlite);
  const service = new SchedulingService({
    fhir: deps.fhir,
    audit: deps.audit,
    auditBatch: deps.auditBatch,
    commits: deps.commits,
    directory: new BookableDirectory(deps.fhir, index),
    ...(deps.conversations ? { conversations: deps.conversations } : {}),
    index,
    holds: new HoldRepository(deps.sqlite),
    holdMinutes: deps.holdMinutes,
    timeZone: deps.timeZone,
    organizationName: deps.organizationName ?? 'Carebridge Health Network',
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    name: 'scheduling',
    api: service,
    routes: (api) => registerSchedulingRoutes(api, { openapi: deps.openapi, service }),
  };
}
