/**
 * The FHIR domain's public door: the FHIR service (access policy + audit for every caller, and a
 * system facade for internal reads and writes), the store for bulk loading and seeding, and the
 * `/fhir/R4` API mounted after `/api`.
 */
import type SQLite from 'better-sqlite3';
import type { AuditLog } from '../platform/audit/audit.js';
import type { AuditBatch } from '../platform/audit/batch.js';
import type { GroupCommit } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import type { TokenService } from '../platform/auth/tokens.js';
import { createFhirErrorHandler, createFhirRouter } from './routes.js';
import { FhirService } from './service.js';
import { ResourceStore } from './store.js';
import { TransactionService } from './transaction.js';

export type { SystemFhir, Actor as FhirActor } from './service.js';
export { FhirService } from './service.js';
export { ResourceStore } from './store.js';
export { validateStructure } from './validation.js';
export { BulkLoader, rebuildDroppedIndexes } from './bulk-load.js';
export { SUPPORTED_RESOURCE_TYPES, type SupportedResourceType } from './search-parameters.js';
export { parseSearch } from './search-query.js';

export interface FhirApi {
  service: FhirService;
  /** Internal reads and writes for system code. */
  system: FhirService['system'];
  /** The raw store: seeding and bulk loads only (they bypass validation on purpose, for speed). */
  store: ResourceStore;
}

export interface FhirModuleDeps {
  sqlite: SQLite.Database;
  audit: AuditLog;
  /** Read audits: recorded in the turn's group commit before any data leaves (no audit, no data). */
  auditBatch: AuditBatch;
  /** The server's group commit (transaction Bundles are written in it). */
  commits: GroupCommit;
  logger: Logger;
  openapi: OpenApiRegistry;
  config: Pick<Config, 'MAX_BODY_BYTES' | 'FHIR_PATIENT_MAX_BODY_BYTES' | 'FHIR_STAFF_MAX_BODY_BYTES' | 'PUBLIC_URL'>;
  /** The router authenticates itself: it runs ahead of the application's body parser. */
  tokens: Pick<TokenService, 'verifyAccessToken'>;
  /** Bundles from this many bytes on are prepared in the import worker (tests lower it). */
  bundleWorkerMinBytes?: number;
}

export type FhirModule = DomainModule & { api: FhirApi };


export function createFhirModule(deps: FhirModuleDeps): FhirModule {
  const store = new ResourceStore(deps.sqlite);
  const service = new FhirService(deps.sqlite, store, deps.audit, deps.auditBatch);
  const transactions = new TransactionService(deps.sqlite, service, deps.audit, {
    databasePath: deps.sqlite.memory ? ':memory:' : deps.sqlite.name,
    commits: deps.commits,
    ...(deps.bundleWorkerMinBytes === undefined ? {} : { workerMinBytes: deps.bundleWorkerMinBytes }),
  });
  const routeDeps = { ...deps, service, transactions };
  return {
    name: 'fhir',
    api: { service, system: service.system, store },
    close: () => transactions.close(),
    mounts: [
      {
        // Ahead of the application's JSON parser and token check: the router authenticates, then
        // reads a write's body only once the caller may write there, within the caller's limit.
        phase: 'pre-body',
        mount: (app) => app.use('/fhir/R4', createFhirRouter(routeDeps), createFhirErrorHandler(routeDeps)),
      },
    ],
  };
}
