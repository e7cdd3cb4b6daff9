/**
 * The FHIR interactions: read, vread, history, search, Patient/$everything, create, update and
 * delete, each with its access decision (policy.ts) and its audit rows. Reads hand back stored
 * JSON text so the routes can send it without re-parsing; read audits are group-committed
 * (the server's AuditBatch) and always durable before the data is returned. Writes record their audit row
 * in the same transaction as the data.
 */
import type { Resource } from '@medplum/fhirtypes';
import type SQLite from 'better-sqlite3';
import type { Principal } from '../platform/auth/principal.js';
import type { AuditEntry, AuditLog } from '../platform/audit/audit.js';
import type { AuditBatch } from '../platform/audit/batch.js';
import { inTransaction } from '../platform/db/index.js';
import { badRequest, forbidden, gone, notFound } from '../platform/errors.js';
import { EverythingRepository, type EverythingPage, type EverythingParams } from './operations/everything.js';
import { badReference, preconditionFailed, unsupportedType } from './outcome.js';
import {
  authorizeDelete,
  authorizeTypeRead,
  authorizeWrite,
  canSee,
  type ReadAccess,
  type WriteAccess,
} from './policy.js';
import { MAX_INCLUDED, SearchRepository, type MatchRow, type SearchResult } from './search.js';
import { compartmentPatientId, isSupportedResourceType, type SupportedResourceType } from './search-parameters.js';
import { parseSearch, queryPairs, type SearchQuery } from './search-query.js';
import { ResourceStore, VersionConflictError, type CurrentRow, type StoredRow } from './store.js';
import { asResource, assertValidId, classifyReference, findReferences, validateStructure } from './validation.js';

/** Who is asking, and the request facts every audit row carries. */
export interface Actor {
  principal: Principal;
  /** The X-Access-Reason header when it was valid. */
  reason: string | undefined;
  requestId: string;
  ip: string | null;
}

export interface WrittenResource {
  resource: Resource & { id: string };
  versionId: number;
  lastUpdated: string;
  /** 201 for a new resource, 200 for an update or a conditional create that matched. */
  status: 200 | 201;
}

export interface SearchOutcome extends SearchResult {
  /** Added by _include/_revinclude (search.mode include), after the matches. */
  included: MatchRow[];
  /** True when MAX_INCLUDED cut the included resources short. */
  includesTruncated: boolean;
}

/**
 * Internal reads and writes for system code (surveys storing answers, accounts checking a
 * practitioner): no per-user access policy — the calling domain decided — but every write is
 * validated like an API write and audited (the caller names who it acts for).
 */
export interface SystemFhir {
  exists(type: string, id: string): boolean;
  read<T extends Resource = Resource>(type: string, id: string): (T & { id: string }) | undefined;
  /** Ids of live resources of `type` with identifier `system|code`, by code (the first id per code). */
  idsByIdentifier(type: string, system: string, codes: readonly string[]): Map<string, string>;
  /**
   * Live resources of `type` matching FHIR search parameters (`[['status', 'free']]`), at most `limit`
   * (1–1000), in the order `_sort` asks for (id order by default). No policy and no audit: the
   * calling domain decides who may see the results and records the read.
   */
  search<T extends Resource = Resource>(type: SupportedResourceType, params: ReadonlyArray<readonly [string, string]>, options: { limit: number }): Array<T & { id: string }>;
  /**
   * Stores a version of the resource (its id given), validated, with its audit entry, in the current
   * transaction if any. `ifMatch`: the version it must be at now, else a 412 (`precondition_failed`)
   * and nothing is written — an optimistic check for read-modify-write.
   */
  write<T extends Resource & { id: string }>(resource: T, options: { now?: string; audit: AuditEntry | null; ifMatch?: number }): T;
}

export class FhirService {
  readonly search: SearchRepository;
  readonly system: SystemFhir;
  private readonly everythingPages: EverythingRepository;

  constructor(
    private readonly sqlite: SQLite.Database,
    readonly store: ResourceStore,
    private readonly audit: AuditLog,
    private readonly auditQueue: Pick<AuditBatch, 'record'>,
  ) {
    this.search = new SearchRepository(sqlite);
    this.everythingPages = new EverythingRepository(sqlite);
    this.system = {
      exists: (type, id) => store.exists(type, id),
      read: <T extends Resource>(type: string, id: string) => {
        const row = store.read(type, id);
        return row && !row.deleted ? (row.resource as T & { id: string }) : undefined;
      },
      idsByIdentifier: (type, system, codes) => this.search.idsByIdentifier(type, system, codes),
      search: <T extends Resource>(type: SupportedResourceType, params: ReadonlyArray<readonly [string, string]>, options: { limit: number }) => {
        if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 1000) throw new RangeError('limit must be an integer from 1 to 1000');
        const query = parseSearch(type, params.map(([k, v]) => [k, v] as [string, string]));
        const result = this.search.search({ ...query, count: options.limit, offset: 0, total: 'none' });
        return result.rows.map((row) => JSON.parse(row.content) as T & { id: string });
      },
      write: (resource, options) => {
        validateStructure(resource);
        return inTransaction(sqlite, () => {
          const writeOptions = { ...(options.now === undefined ? {} : { now: options.now }), ...(options.ifMatch === undefined ? {} : { ifMatchVersion: options.ifMatch }) };
          let stored: typeof resource;
          try {
            stored = store.writeVersion(resource, writeOptions);
          } catch (err) {
            if (err instanceof VersionConflictError) throw versionMismatch(err);
            throw err;
          }
          if (options.audit) audit.record(options.audit);
          return stored as typeof resource;
        });
      },
    };
  }

  // ---- reads ---------------------------------------------------------------------------------

  async read(actor: Actor, type: string, id: string): Promise<CurrentRow> {
    const access = this.readAccess(actor, type, 404);
    assertValidId(id);
    const row = this.store.readRow(type, id);
    if (!row) throw notFound(type, id);
    await this.assertVisible(actor, access, type, id, row.patient_id);
    if (row.deleted) throw gone(type, id);
    if (access.kind === 'phi') await this.auditQueue.record([this.entry(actor, access, 'phi.read', type, id, row.patient_id)]);
    return row;
  }

  async vread(actor: Actor, type: string, id: string, versionId: string): Promise<StoredRow> {
    const access = this.readAccess(actor, type, 404);
    assertValidId(id);
    if (!/^[1-9]\d{0,8}$/.test(versionId)) throw notFound(`${type}/${id} version`, versionId.slice(0, 20));
    const current = this.store.readRow(type, id);
    if (!current) throw notFound(type, id);
    await this.assertVisible(actor, access, type, id, current.patient_id);
    const row = this.store.vreadRow(type, id, Number(versionId));
    if (!row) throw notFound(`${type}/${id} version`, versionId);
    if (row.deleted) throw gone(`${type}/${id} version`, versionId);
    if (access.kind === 'phi') {
      await this.auditQueue.record([this.entry(actor, access, 'phi.read', type, id, current.patient_id, { versionId: row.version_id })]);
    }
    return row;
  }

  async history(actor: Actor, type: string, id: string, count: number): Promise<StoredRow[]> {
    const access = this.readAccess(actor, type, 404);
    assertValidId(id);
    const current = this.store.readRow(type, id);
    if (!current) throw notFound(type, id);
    await this.assertVisible(actor, access, type, id, current.patient_id);
    const rows = this.store.historyRows(type, id, count);
    if (access.kind === 'phi') {
      await this.auditQueue.record([this.entry(actor, access, 'phi.read', type, id, current.patient_id, { interaction: 'history' })]);
    }
    return rows;
  }

  /**
   * A type search, or a compartment search (`Patient/{id}/{type}`, `compartment` set). A patient's
   * search is silently limited to their own compartment (asking for another patient's data finds
   * nothing rather than failing, so it does not reveal whether that data exists). `_include` and
   * `_revinclude` add resources under the same policy: staff need read access to every type they
   * may add, and a patient gets only what is in their own compartment (or directory data). One
   * `phi.search` audit row per patient whose data matched, one `phi.read` row per patient and type
   * of included clinical data.
   */
  async searchType(actor: Actor, query: SearchQuery, queryText: string, options: { compartment?: string } = {}): Promise<SearchOutcome> {
    const access = this.readAccess(actor, query.resourceType, 404);
    // Staff must be allowed to read every type the includes name, whatever the data.
    for (const spec of query.includes) if (spec.targetType !== undefined) this.readAccess(actor, spec.targetType, 400);
    for (const spec of query.revIncludes) this.readAccess(actor, spec.sourceType, 400);
    const own = access.kind === 'phi' ? access.compartmentPatientId : undefined;
    const compartment = options.compartment;
    const result: SearchResult =
      compartment !== undefined && own !== undefined && compartment !== own
        ? { rows: [], total: query.count === 0 && query.total === 'none' ? undefined : 0, hasMore: false }
        : this.search.search(query, compartment !== undefined ? { compartmentPatientId: compartment } : own !== undefined ? { compartmentPatientId: own } : {});
    const included = this.includedRows(actor, query, result.rows);

    const entries: AuditEntry[] = [];
    if (access.kind === 'phi') {
      const perPatient = new Map<string | null, number>();
      for (const row of result.rows) perPatient.set(row.patient_id, (perPatient.get(row.patient_id) ?? 0) + 1);
      for (const [patientId, matches] of perPatient) {
        entries.push(this.entry(actor, access, 'phi.search', query.resourceType, null, patientId, { query: queryText, matches }));
      }
      // A search that returned nothing is still a search for someone: record it once.
      if (entries.length === 0) {
        // A patient asking for another patient's compartment names nobody: it found nothing of theirs.
        const searched = compartment !== undefined && (own === undefined || own === compartment) ? compartment : null;
        entries.push(this.entry(actor, access, 'phi.search', query.resourceType, null, searched, { query: queryText, matches: 0 }));
      }
    }
    const perPatientType = new Map<string, { type: string; patientId: string | null; ids: string[]; access: ReadAccess }>();
    for (const { row, access: rowAccess } of included.rows) {
      if (rowAccess.kind !== 'phi') continue;
      const key = `${row.patient_id ?? ''}|${row.resource_type}`;
      const group = perPatientType.get(key) ?? { type: row.resource_type, patientId: row.patient_id, ids: [], access: rowAccess };
      group.ids.push(row.id);
      perPatientType.set(key, group);
    }
    for (const group of perPatientType.values()) {
      const details = { interaction: 'search-include', query: queryText, resources: group.ids.length };
      entries.push(this.entry(actor, group.access, 'phi.read', group.type, group.ids.length === 1 ? group.ids[0]! : null, group.patientId, details));
    }
    await this.auditQueue.record(entries);
    return { ...result, included: included.rows.map((r) => r.row), includesTruncated: included.truncated };
  }

  /**
   * The resources `_include` and `_revinclude` add to a page of matches, each visible to the actor
   * (others are left out silently), none twice and none that is already a match.
   */
  private includedRows(actor: Actor, query: SearchQuery, matches: MatchRow[]): { rows: Array<{ row: MatchRow; access: ReadAccess }>; truncated: boolean } {
    const out: Array<{ row: MatchRow; access: ReadAccess }> = [];
    if (matches.length === 0 || (query.includes.length === 0 && query.revIncludes.length === 0)) return { rows: out, truncated: false };
    const seen = new Set(matches.map((m) => `${m.resource_type}/${m.id}`));
    const ids = matches.map((m) => m.id);
    const wanted = new Map<string, Set<string>>();
    const want = (type: string, id: string) => {
      if (seen.has(`${type}/${id}`)) return;
      const set = wanted.get(type) ?? new Set<string>();
      set.add(id);
      wanted.set(type, set);
    };
    let truncated = false;
    for (const spec of query.includes) {
      for (const target of this.search.referencedBy(query.resourceType, ids, spec.param, spec.targetType)) want(target.type, target.id);
    }
    for (const spec of query.revIncludes) {
      const found = this.search.referringTo(spec.sourceType, spec.param, query.resourceType, ids, MAX_INCLUDED);
      if (found.length > MAX_INCLUDED) truncated = true;
      for (const id of found.slice(0, MAX_INCLUDED)) want(spec.sourceType, id);
    }
    const accessByType = new Map<string, ReadAccess | null>();
    const accessFor = (type: string): ReadAccess | null => {
      if (!accessByType.has(type)) {
        let access: ReadAccess | null;
        try {
          access = isSupportedResourceType(type) ? authorizeTypeRead(actor.principal, type, actor.reason) : null;
        } catch {
          // Staff without access to this type (an untyped reference): left out, like another patient's data.
          access = null;
        }
        accessByType.set(type, access);
      }
      return accessByType.get(type)!;
    };
    for (const [type, idSet] of wanted) {
      const access = accessFor(type);
      if (!access) continue;
      const rows = this.search.liveRows(type, [...idSet].sort());
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const row of rows) {
        if (!canSee(access, row.patient_id)) continue;
        if (out.length >= MAX_INCLUDED) {
          truncated = true;
          break;
        }
        out.push({ row, access });
      }
    }
    return { rows: out, truncated };
  }

  /** Patient/$everything, one page (operations/everything.ts); each page is audited as a read of that patient. */
  async everything(actor: Actor, patientId: string, params: EverythingParams): Promise<EverythingPage> {
    const access = this.readAccess(actor, 'Patient', 404);
    assertValidId(patientId);
    const patient = this.store.readRow('Patient', patientId);
    if (!patient) throw notFound('Patient', patientId);
    await this.assertVisible(actor, access, 'Patient', patientId, patient.patient_id);
    if (patient.deleted) throw gone('Patient', patientId);
    const page = this.everythingPages.page(patient, params);
    const details: Record<string, unknown> = { operation: '$everything', resources: page.members.length };
    if (params.cursor !== undefined) details.page = 'next';
    if (params.since !== undefined) details.since = params.since;
    if (params.types !== undefined) details.types = params.types;
    await this.auditQueue.record([this.entry(actor, access, 'phi.read', 'Patient', patientId, patientId, details)]);
    return page;
  }

  // ---- writes --------------------------------------------------------------------------------

  /** POST /[type]: a new resource with a server-assigned id; conditional with If-None-Exist. */
  create(actor: Actor, urlType: string, body: unknown, options: { ifNoneExist?: string } = {}): WrittenResource {
    const type = this.writableType(urlType);
    const input = asResource(body);
    if (input.resourceType !== type) throw resourceTypeMismatch(input.resourceType, type);
    validateStructure(input);
    // The server assigns the id; a client's id is ignored, as the spec requires.
    const { resourceType, id: _clientId, meta, ...rest } = input;
    const resource = { resourceType, id: ResourceStore.newId(), meta, ...rest } as Resource & { id: string };
    const patientAfter = compartmentPatientId(resource);
    const access = this.authorizeWriteAudited(actor, { type, patientAfter });

    if (options.ifNoneExist !== undefined) {
      const query = parseSearch(type, queryPairs(options.ifNoneExist));
      const scope = actor.principal.kind === 'patient' ? { compartmentPatientId: actor.principal.patientId } : {};
      const found = this.search.search({ ...query, count: 2, offset: 0, total: 'none' }, scope).rows;
      if (found.length > 1) throw preconditionFailed(`If-None-Exist matched ${found.length} or more ${type} resources; it must match at most one.`);
      if (found.length === 1) {
        const existing = this.store.readRow(type, found[0]!.id)!;
        return { resource: JSON.parse(existing.content) as Resource & { id: string }, versionId: existing.version_id, lastUpdated: existing.last_updated, status: 200 };
      }
    }
    this.checkReferences(resource);
    return inTransaction(this.sqlite, () => {
      const stored = this.store.writeVersion(resource);
      this.recordWrite(actor, access, 'phi.write', stored, 'create');
      return written(stored, 201);
    });
  }

  /** PUT /[type]/[id]: update, or create with the client's id. If-Match makes it conditional. */
  update(actor: Actor, urlType: string, id: string, body: unknown, options: { ifMatch?: number } = {}): WrittenResource {
    const type = this.writableType(urlType);
    assertValidId(id);
    const resource = asResource(body);
    if (resource.resourceType !== type) throw resourceTypeMismatch(resource.resourceType, type);
    if (resource.id === undefined) throw invalidBody(`The ${type} in the body needs "id": "${id}" to match the URL.`);
    if (resource.id !== id) throw invalidBody(`The id in the body ("${String(resource.id).slice(0, 64)}") does not match the URL (${id}).`);
    validateStructure(resource);
    const current = this.store.readRow(type, id);
    const patientAfter = compartmentPatientId(resource);
    const access = this.authorizeWriteAudited(actor, {
      type,
      patientAfter,
      ...(current ? { patientBefore: current.patient_id } : {}),
    });
    this.checkReferences(resource);
    return inTransaction(this.sqlite, () => {
      let stored: Resource & { id: string };
      try {
        stored = this.store.writeVersion(resource as Resource & { id: string }, options.ifMatch === undefined ? {} : { ifMatchVersion: options.ifMatch });
      } catch (err) {
        if (err instanceof VersionConflictError) throw versionMismatch(err);
        throw err;
      }
      this.recordWrite(actor, access, 'phi.write', stored, current && !current.deleted ? 'update' : 'create');
      return written(stored, current && !current.deleted ? 200 : 201);
    });
  }

  /** DELETE /[type]/[id]. Deleting an already deleted resource succeeds and changes nothing. */
  delete(actor: Actor, urlType: string, id: string, options: { ifMatch?: number } = {}): { versionId: number | undefined } {
    const type = this.writableType(urlType);
    assertValidId(id);
    const access = authorizeDelete(actor.principal, type, actor.reason);
    const current = this.store.readRow(type, id);
    if (!current) throw notFound(type, id);
    return inTransaction(this.sqlite, () => {
      let deleted;
      try {
        deleted = this.store.deleteVersion(type, id, options.ifMatch === undefined ? {} : { ifMatchVersion: options.ifMatch });
      } catch (err) {
        if (err instanceof VersionConflictError) throw versionMismatch(err);
        throw err;
      }
      if (deleted && access.kind === 'phi') {
        this.audit.record({
          ...this.entry(actor, access, 'phi.delete', type, id, deleted.patientId, { versionId: deleted.versionId }),
        });
      }
      return { versionId: deleted?.versionId };
    });
  }

  // ---- shared --------------------------------------------------------------------------------

  /**
   * Rejects references to supported types that are not in the store. `known` holds `Type/id`s
   * being written in the same transaction; `expressionPrefix` locates the resource in a Bundle. urn:uuid and conditional references only make sense
   * inside a transaction, which resolves them before calling this.
   */
  checkReferences(resource: Resource, known: ReadonlySet<string> = new Set(), expressionPrefix?: string): void {
    for (const found of findReferences(resource)) {
      const ref = expressionPrefix ? { ...found, expression: expressionPrefix + found.expression.slice(resource.resourceType.length) } : found;
      const target = classifyReference(ref.reference);
      switch (target.kind) {
        case 'contained':
        case 'external':
          break;
        case 'local':
          if (isSupportedResourceType(target.type) && !known.has(`${target.type}/${target.id}`) && !this.store.exists(target.type, target.id)) {
            throw badReference(`Bad reference at ${ref.expression}: ${target.type}/${target.id} does not exist.`, ref.expression);
          }
          break;
        case 'urn':
          throw badReference(`Bad reference at ${ref.expression}: ${ref.reference.slice(0, 100)} only resolves inside a transaction Bundle that contains it.`, ref.expression);
        case 'conditional':
          throw badReference(`Bad reference at ${ref.expression}: conditional references (Type?search) are only resolved inside a transaction Bundle.`, ref.expression);
        case 'invalid':
          throw badReference(`Bad reference at ${ref.expression}: "${ref.reference.slice(0, 100)}" is not a FHIR reference (Type/id, an absolute URL or #contained).`, ref.expression);
      }
    }
  }

  /** Read access for a type; unsupported types are 404 on reads. */
  readAccess(actor: Actor, type: string, unsupportedStatus: 400 | 404): ReadAccess & { type: SupportedResourceType } {
    if (!isSupportedResourceType(type)) throw unsupportedType(type, unsupportedStatus);
    return { ...authorizeTypeRead(actor.principal, type, actor.reason), type };
  }

  /** A patient touching another patient's data: refused, and the attempt is audited. */
  private async assertVisible(actor: Actor, access: ReadAccess, type: string, id: string, patientId: string | null): Promise<void> {
    if (canSee(access, patientId)) return;
    await this.auditQueue.record([
      {
        ...this.entry(actor, access, 'access.denied', type, id, patientId),
        outcome: 'denied',
      },
    ]);
    throw forbidden(`You can only see your own records; ${type}/${id} is not in your record.`);
  }

  private authorizeWriteAudited(actor: Actor, target: { type: string; patientAfter: string | null; patientBefore?: string | null }): WriteAccess {
    try {
      return authorizeWrite(actor.principal, target, actor.reason);
    } catch (err) {
      const { principal } = actor;
      const otherPatient =
        principal.kind === 'patient'
          ? [target.patientAfter, target.patientBefore].find((p) => p !== undefined && p !== null && p !== principal.patientId)
          : undefined;
      if (otherPatient) {
        this.audit.record({
          ...this.entry(actor, { kind: 'phi', reason: null }, 'access.denied', target.type, null, otherPatient, { interaction: 'write' }),
          outcome: 'denied',
        });
      }
      throw err;
    }
  }

  /** A type that can be written; unsupported types are 400. */
  writableType(type: string): SupportedResourceType {
    if (!isSupportedResourceType(type)) throw unsupportedType(type, 400);
    return type;
  }

  private recordWrite(actor: Actor, access: WriteAccess, action: 'phi.write', stored: Resource & { id: string }, interaction: string): void {
    if (access.kind !== 'phi') return;
    this.audit.record(
      this.entry(actor, access, action, stored.resourceType, stored.id, compartmentPatientId(stored), {
        interaction,
        versionId: Number(stored.meta?.versionId),
      }),
    );
  }

  entry(
    actor: Actor,
    access: ReadAccess | WriteAccess,
    action: string,
    resourceType: string,
    resourceId: string | null,
    patientId: string | null,
    details?: Record<string, unknown>,
  ): AuditEntry {
    return {
      actorId: actor.principal.userId,
      actorRole: actor.principal.role,
      action,
      resourceType,
      resourceId,
      patientId,
      reason: (access.kind === 'phi' ? access.reason : null) ?? actor.reason ?? null,
      ip: actor.ip,
      requestId: actor.requestId,
      details: details ?? null,
    };
  }
}

function written(stored: Resource & { id: string }, status: 200 | 201): WrittenResource {
  return { resource: stored, versionId: Number(stored.meta?.versionId), lastUpdated: stored.meta?.lastUpdated ?? '', status };
}

const resourceTypeMismatch = (bodyType: string, urlType: string) =>
  invalidBody(`The body is a ${bodyType} but the URL is for ${urlType}.`);

const invalidBody = (message: string) => badRequest(message);

export function versionMismatch(err: VersionConflictError) {
  return preconditionFailed(
    `If-Match failed: ${err.resourceType}/${err.id} is at version ${err.actual ?? 'none (it does not exist)'}, not ${err.expected}.`,
  );
}
