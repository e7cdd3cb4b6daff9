/**
 * Transaction and batch Bundles (POST /fhir/R4). A transaction is all or nothing:
 *
 * 1. it is prepared (`bundle-plan.ts`, in the import worker when it is large): every entry
 *    checked, all problems reported together; ids assigned, `urn:uuid:` and conditional
 *    references resolved, every reference checked to exist, resources serialized and indexed;
 * 2. then, in ONE short database transaction (a savepoint of the server's group commit, whose WAL
 *    fsync runs off the event loop; the response waits for it): what the preparation read is checked again (a plan
 *    made from data that changed meanwhile is prepared again), the writes (DELETE, then POST,
 *    then PUT, as the spec orders them), the GET entries (reads and searches, which see the
 *    writes), and one `phi.import` audit row per patient touched. Any failure rolls all of it back.
 *
 * A batch runs each entry on its own (same checks, its own transaction) and reports each
 * outcome; it gives other requests a turn between entries.
 */
import type SQLite from 'better-sqlite3';
import type { AuditEntry, AuditLog } from '../platform/audit/audit.js';
import { inTransaction, type GroupCommit } from '../platform/db/index.js';
import { AppError, conflict, forbidden, gone, notFound } from '../platform/errors.js';
import { fromPlanError, locate, planBatchEntry, type Assumptions, type BundleLookups, type BundlePlan, type PlannedEntry } from './bundle-plan.js';
import { BundlePreparer } from './bundle-preparer.js';
import { outcomeFor } from './outcome.js';
import { authorizeImport, canSee } from './policy.js';
import { etagFor, searchsetJson } from './present.js';
import { parseSearch, queryPairs } from './search-query.js';
import { VersionConflictError } from './store.js';
import { versionMismatch, type Actor, type FhirService } from './service.js';
import { assertValidId } from './validation.js';

export { MAX_BUNDLE_ENTRIES, parseVersionTag, transactionBundleSchema } from './bundle-plan.js';

/** How often a transaction is prepared again when the data it rests on changed meanwhile. */
const MAX_PREPARATIONS = 3;
/** A batch gives other requests a turn after this much work. */
const BATCH_SLICE_MS = 10;

export interface TransactionOptions {
  /** The database file (the import worker reads it); `:memory:` prepares everything in-thread. */
  databasePath: string;
  /** Bodies from this size on are prepared in the import worker. */
  workerMinBytes?: number;
  /**
   * The server's group commit: a transaction Bundle is written as one savepoint of it, so its WAL
   * fsync runs in the thread pool instead of on the event loop (the response waits for it).
   */
  commits: Pick<GroupCommit, 'run'>;
}

interface EntryResult {
  /** The entry's `response` as JSON, and its `resource` (JSON text) for GET entries. */
  response: Record<string, unknown>;
  resource?: string;
  patientId: string | null;
  clinical: boolean;
  /** False for a conditional create that matched, and for reads. */
  changed: boolean;
}

/** The data a plan rests on changed between preparing and writing it. */
class StalePlan extends Error {}

export class TransactionService {
  private readonly preparer: BundlePreparer;
  private readonly lookups: BundleLookups;
  private readonly commits: Pick<GroupCommit, 'run'>;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly fhir: FhirService,
    private readonly audit: AuditLog,
    options: TransactionOptions,
  ) {
    this.commits = options.commits;
    this.lookups = {
      matchingIds: fhir.search.matchingIds.bind(fhir.search),
      exists: (type: string, id: string) => fhir.store.exists(type, id),
    };
    this.preparer = new BundlePreparer(this.lookups, {
      databasePath: options.databasePath,
      ...(options.workerMinBytes === undefined ? {} : { workerMinBytes: options.workerMinBytes }),
    });
  }

  /** Runs a transaction or batch Bundle (`body`: JSON bytes or a parsed value); returns the response Bundle as JSON text. */
  async process(actor: Actor, body: unknown, options: { baseUrl: string }): Promise<string> {
    authorizeImport(actor.principal);
    for (let attempt = 1; ; attempt++) {
      const plan = await this.preparer.prepare({ body, principal: actor.principal, reason: actor.reason });
      try {
        return plan.type === 'transaction' ? await this.transaction(actor, plan, options.baseUrl) : await this.batch(actor, plan, options.baseUrl);
      } catch (err) {
        if (!(err instanceof StalePlan)) throw err;
        if (attempt >= MAX_PREPARATIONS) {
          throw conflict('The data this transaction refers to kept changing while it was being prepared; send it again.');
        }
      }
    }
  }

  close(): Promise<void> {
    return this.preparer.close();
  }

  private async transaction(actor: Actor, plan: BundlePlan, baseUrl: string): Promise<string> {
    // All or nothing: the whole Bundle is one savepoint of the next group commit.
    const results = await this.commits.run(() => {
      if (!this.holds(mergeAssumptions(plan.entries))) throw new StalePlan();
      const out = new Map<number, EntryResult>();
      const now = new Date().toISOString();
      const runAll = (kinds: readonly string[]) => {
        for (const e of plan.entries) if (kinds.includes(e.kind)) out.set(e.index, this.run(actor, e, now, baseUrl));
      };
      runAll(['delete']);
      this.writeAll(plan.entries.filter((e) => e.kind === 'create'), now, out);
      this.writeAll(plan.entries.filter((e) => e.kind === 'update'), now, out);
      runAll(['read', 'search']);
      const ordered = plan.entries.map((e) => out.get(e.index)!);
      this.recordImport(actor, ordered, 'transaction');
      return ordered;
    });
    return bundleJson('transaction-response', results);
  }

  /** POST and PUT entries in one batched write (conditional creates that matched just report the match). */
  private writeAll(entries: PlannedEntry[], now: string, out: Map<number, EntryResult>): void {
    const writes = entries.filter((e): e is Extract<PlannedEntry, { kind: 'create' | 'update' }> => (e.kind === 'create' && !e.matched) || e.kind === 'update');
    for (const e of entries) if (e.kind === 'create' && e.matched) out.set(e.index, this.run(undefined, e, now, ''));
    let stored;
    try {
      stored = this.fhir.store.writePlannedMany(
        writes.map((e) => ({
          type: e.type,
          id: e.id,
          planned: e.write!,
          ...(e.kind === 'create' ? { isNew: true } : e.ifMatch !== undefined ? { ifMatchVersion: e.ifMatch } : {}),
        })),
        now,
      );
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      const at = writes.find((e) => e.type === err.resourceType && e.id === err.id);
      throw locate(versionMismatch(err), `Bundle.entry[${at?.index ?? '?'}]`);
    }
    writes.forEach((e, i) => {
      const s = stored[i]!;
      out.set(e.index, {
        response: {
          status: e.kind === 'update' && s.existed ? '200 OK' : '201 Created',
          location: `${e.type}/${e.id}/_history/${s.versionId}`,
          etag: etagFor(s.versionId),
          lastModified: s.lastUpdated,
        },
        patientId: e.write!.patientId,
        clinical: e.clinical,
        changed: true,
      });
    });
  }

  private async batch(actor: Actor, plan: BundlePlan, baseUrl: string): Promise<string> {
    const results: EntryResult[] = [];
    let sliceStart = performance.now();
    for (let e of plan.entries) {
      if (performance.now() - sliceStart > BATCH_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      if (e.kind === 'deferred') e = planBatchEntry(e.source, e.index, { principal: actor.principal, reason: actor.reason }, this.lookups);
      try {
        results.push(
          inTransaction(this.sqlite, () => {
            if ('assumes' in e && !this.holds(e.assumes)) {
              throw conflict(`Bundle.entry[${e.index}]: the data this entry refers to changed while it was being prepared; send it again.`);
            }
            const result = this.run(actor, e, new Date().toISOString(), baseUrl);
            this.recordImport(actor, [result], 'batch');
            return result;
          }),
        );
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ response: { status: `${err.status} ${statusText(err.status)}`, outcome: outcomeFor(err) }, patientId: null, clinical: false, changed: false });
      }
    }
    return bundleJson('batch-response', results);
  }

  /** True when every search still matches what it matched, and every referenced resource still exists. */
  private holds(assumes: Assumptions): boolean {
    for (const s of assumes.searches) {
      const ids = this.fhir.search.matchingIds(parseSearch(s.type, queryPairs(s.query)), 2);
      if (s.matched === null ? ids.length !== 0 : ids.length !== 1 || ids[0] !== s.matched) return false;
    }
    for (const ref of assumes.existing) {
      const slash = ref.indexOf('/');
      if (!this.fhir.store.exists(ref.slice(0, slash), ref.slice(slash + 1))) return false;
    }
    return true;
  }

  /** One entry, inside the caller's database transaction. */
  private run(actor: Actor | undefined, e: PlannedEntry, now: string, baseUrl: string): EntryResult {
    const where = `Bundle.entry[${e.index}]`;
    try {
      switch (e.kind) {
        case 'failed':
          throw fromPlanError(e.error);
        case 'deferred':
          throw new Error('A deferred batch entry must be planned before it runs.');
        case 'read':
          return this.read(actor!, e.type, e.id, e.versionId);
        case 'search':
          return this.search(actor!, e.type, e.query, baseUrl);
        case 'delete': {
          const current = this.fhir.store.readRow(e.type, e.id);
          if (!current) throw notFound(e.type, e.id);
          const deleted = this.fhir.store.deleteVersion(e.type, e.id, e.ifMatch === undefined ? { now } : { ifMatchVersion: e.ifMatch, now });
          return {
            response: { status: '204 No Content', ...(deleted ? { etag: etagFor(deleted.versionId) } : {}) },
            patientId: current.patient_id,
            clinical: e.clinical,
            changed: deleted !== undefined,
          };
        }
        case 'create':
        case 'update': {
          if (e.kind === 'create' && e.matched) {
            const row = this.fhir.store.readRow(e.type, e.id)!;
            return {
              response: { status: '200 OK', location: `${e.type}/${e.id}/_history/${row.version_id}`, etag: etagFor(row.version_id), lastModified: row.last_updated },
              patientId: row.patient_id,
              clinical: e.clinical,
              changed: false,
            };
          }
          const ifMatch = e.kind === 'update' ? e.ifMatch : undefined;
          const stored = this.fhir.store.writePlanned(e.type, e.id, e.write!, ifMatch === undefined ? { now } : { ifMatchVersion: ifMatch, now });
          return {
            response: {
              status: e.kind === 'update' && stored.existed ? '200 OK' : '201 Created',
              location: `${e.type}/${e.id}/_history/${stored.versionId}`,
              etag: etagFor(stored.versionId),
              lastModified: stored.lastUpdated,
            },
            patientId: e.write!.patientId,
            clinical: e.clinical,
            changed: true,
          };
        }
      }
    } catch (err) {
      if (err instanceof VersionConflictError) throw locate(versionMismatch(err), where);
      throw err instanceof AppError ? locate(err, where) : err;
    }
  }

  /** A GET [type]/[id] (or its _history/[vid]) entry: the same access rules and audit row as the API's read. */
  private read(actor: Actor, type: string, id: string, versionId: string | undefined): EntryResult {
    const access = this.fhir.readAccess(actor, type, 404);
    assertValidId(id);
    const current = this.fhir.store.readRow(type, id);
    if (!current) throw notFound(type, id);
    if (!canSee(access, current.patient_id)) throw forbidden(`You can only see your own records; ${type}/${id} is not in your record.`);
    let row: { version_id: number; last_updated: string; deleted: number; content: string } | undefined = current;
    if (versionId !== undefined) {
      row = /^[1-9]\d{0,8}$/.test(versionId) ? this.fhir.store.vreadRow(type, id, Number(versionId)) : undefined;
      if (!row) throw notFound(`${type}/${id} version`, versionId.slice(0, 20));
    }
    if (row.deleted) throw gone(type, id);
    if (access.kind === 'phi') {
      this.audit.record(this.fhir.entry(actor, access, 'phi.read', type, id, current.patient_id, versionId === undefined ? { bundle: true } : { bundle: true, versionId: row.version_id }));
    }
    return {
      response: { status: '200 OK', etag: etagFor(row.version_id), lastModified: row.last_updated },
      resource: row.content,
      patientId: current.patient_id,
      clinical: access.kind === 'phi',
      changed: false,
    };
  }

  /** A GET [type]?[parameters] entry: a searchset, audited like the API's search. */
  private search(actor: Actor, type: string, queryText: string, baseUrl: string): EntryResult {
    const access = this.fhir.readAccess(actor, type, 404);
    const query = parseSearch(access.type, queryPairs(queryText));
    const scoped = access.kind === 'phi' && access.compartmentPatientId !== undefined;
    const result = this.fhir.search.search(query, scoped ? { compartmentPatientId: access.compartmentPatientId! } : {});
    if (access.kind === 'phi') {
      const perPatient = new Map<string | null, number>();
      for (const row of result.rows) perPatient.set(row.patient_id, (perPatient.get(row.patient_id) ?? 0) + 1);
      if (perPatient.size === 0) perPatient.set(null, 0);
      const canonical = new URLSearchParams(query.canonical).toString();
      const entries: AuditEntry[] = [...perPatient].map(([patientId, matches]) =>
        this.fhir.entry(actor, access, 'phi.search', type, null, patientId, { query: canonical, matches, bundle: true }),
      );
      this.audit.recordMany(entries);
    }
    return { response: { status: '200 OK' }, resource: searchsetJson(baseUrl, query, result), patientId: null, clinical: false, changed: false };
  }

  /** One `phi.import` row per patient whose compartment the Bundle changed. */
  private recordImport(actor: Actor, results: EntryResult[], kind: 'transaction' | 'batch'): void {
    const perPatient = new Map<string, number>();
    for (const r of results) {
      if (!r.clinical || !r.changed || r.patientId === null) continue;
      perPatient.set(r.patientId, (perPatient.get(r.patientId) ?? 0) + 1);
    }
    for (const [patientId, count] of perPatient) {
      this.audit.record(this.fhir.entry(actor, { kind: 'phi', reason: actor.reason ?? null }, 'phi.import', 'Bundle', null, patientId, { bundle: kind, entries: count }));
    }
  }
}

/** Every entry's assumptions once: a Synthea patient's 1,400 entries rest on a dozen searches. */
function mergeAssumptions(entries: PlannedEntry[]): Assumptions {
  const searches = new Map<string, Assumptions['searches'][number]>();
  const existing = new Set<string>();
  for (const e of entries) {
    if (!('assumes' in e)) continue;
    for (const s of e.assumes.searches) searches.set(`${s.type}?${s.query}=>${s.matched}`, s);
    for (const ref of e.assumes.existing) existing.add(ref);
  }
  return { searches: [...searches.values()], existing: [...existing] };
}

/** The response Bundle, with GET entries' resources spliced in as stored. */
function bundleJson(type: 'transaction-response' | 'batch-response', results: EntryResult[]): string {
  const entries = results.map((r) => `{${r.resource === undefined ? '' : `"resource":${r.resource},`}"response":${JSON.stringify(r.response)}}`);
  return `{"resourceType":"Bundle","type":"${type}","entry":[${entries.join(',')}]}`;
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    410: 'Gone',
    412: 'Precondition Failed',
    422: 'Unprocessable Entity',
  };
  return texts[status] ?? 'Error';
}
