/**
 * Transaction and batch Bundles (POST /fhir/R4). A transaction is all or nothing:
 *
 * 1. every entry is checked first (envelope, method and URL, resource structure, permission,
 *    If-None-Exist / If-Match syntax) and all problems are reported together;
 * 2. then, in ONE database transaction: If-None-Exist searches, new ids for POSTs, every
 *    `urn:uuid:` (and other fullUrl) reference rewritten to the assigned `Type/id`, conditional
 *    references (`Organization?identifier=…`, as Synthea writes them) resolved, every reference
 *    checked to exist, the writes (DELETE, then POST, then PUT, as the spec orders them), and one
 *    `phi.import` audit row per patient touched. Any failure rolls all of it back.
 *
 * A batch runs each entry on its own (same checks, its own transaction) and reports each outcome.
 */
import { z } from 'zod';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type SQLite from 'better-sqlite3';
import type { AuditLog } from '../platform/audit/audit.js';
import { inTransaction } from '../platform/db/index.js';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import { parseInput } from '../platform/http/validation.js';
import { badReference, outcomeFor, preconditionFailed, unsupportedType } from './outcome.js';
import { authorizeDelete, authorizeImport, authorizeWrite, isDirectoryType } from './policy.js';
import { compartmentPatientId, isSupportedResourceType, type SupportedResourceType } from './search-parameters.js';
import { parseSearch, queryPairs, type SearchQuery } from './search-query.js';
import { ResourceStore, VersionConflictError } from './store.js';
import { versionMismatch, type Actor, type FhirService } from './service.js';
import { asResource, classifyReference, findReferences, validateStructure } from './validation.js';

export const MAX_BUNDLE_ENTRIES = 50_000;

const requestSchema = z.strictObject({
  id: z.string().optional(),
  extension: z.array(z.unknown()).optional(),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']),
  url: z.string().min(1).max(2048),
  ifNoneMatch: z.string().max(200).optional(),
  ifModifiedSince: z.string().max(100).optional(),
  ifMatch: z.string().max(200).optional(),
  ifNoneExist: z.string().max(2048).optional(),
});

const entrySchema = z.strictObject({
  id: z.string().optional(),
  extension: z.array(z.unknown()).optional(),
  modifierExtension: z.array(z.unknown()).optional(),
  link: z.array(z.unknown()).optional(),
  fullUrl: z.string().min(1).max(2048).optional(),
  resource: z.unknown().optional(),
  search: z.unknown().optional(),
  request: requestSchema,
  response: z.unknown().optional(),
});

/** The Bundle envelope; the resources inside are validated one by one against the R4 definitions. */
export const transactionBundleSchema = z.strictObject({
  resourceType: z.literal('Bundle'),
  id: z.string().optional(),
  meta: z.unknown().optional(),
  implicitRules: z.string().optional(),
  language: z.string().optional(),
  identifier: z.unknown().optional(),
  type: z.enum(['transaction', 'batch'], { message: 'POST to the base URL takes a Bundle of type transaction or batch' }),
  timestamp: z.string().optional(),
  total: z.number().optional(),
  link: z.array(z.unknown()).optional(),
  entry: z.array(entrySchema).max(MAX_BUNDLE_ENTRIES).default([]),
  signature: z.unknown().optional(),
});

type EntryInput = z.infer<typeof entrySchema>;

interface PreparedEntry {
  index: number;
  method: 'POST' | 'PUT' | 'DELETE';
  type: SupportedResourceType;
  /** The URL's id (PUT, DELETE) or the assigned one (POST). */
  id: string | undefined;
  fullUrl: string | undefined;
  resource: (Resource & { id?: string }) | undefined;
  ifNoneExist: SearchQuery | undefined;
  ifMatch: number | undefined;
  clinical: boolean;
}

interface EntryResult {
  status: string;
  location?: string;
  etag?: string;
  lastModified?: string;
  patientId: string | null;
  clinical: boolean;
  /** False for a conditional create that matched an existing resource. */
  changed: boolean;
}

const TYPE_URL = /^\/?([A-Z][A-Za-z]+)\/?$/;
const INSTANCE_URL = /^\/?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/** Parses an ETag-style version (`W/"3"`, `"3"` or `3`) as sent in If-Match. */
export function parseVersionTag(value: string): number | undefined {
  const match = /^(?:W\/)?"?([1-9]\d{0,8})"?$/.exec(value.trim());
  return match ? Number(match[1]) : undefined;
}

export class TransactionService {
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly fhir: FhirService,
    private readonly audit: AuditLog,
  ) {}

  process(actor: Actor, body: unknown): Bundle {
    authorizeImport(actor.principal);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a transaction or batch Bundle.');
    if ((body as { resourceType?: unknown }).resourceType !== 'Bundle') {
      throw badRequest('POST to the FHIR base URL takes a Bundle (transaction or batch); to create a resource, POST to /fhir/R4/[type].');
    }
    const bundle = parseInput(transactionBundleSchema, body, 'Bundle');
    return bundle.type === 'transaction' ? this.transaction(actor, bundle.entry) : this.batch(actor, bundle.entry);
  }

  private transaction(actor: Actor, entries: EntryInput[]): Bundle {
    const prepared: PreparedEntry[] = [];
    const failures: AppError[] = [];
    entries.forEach((entry, index) => {
      try {
        prepared.push(this.prepare(actor, entry, index));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failures.push(err);
      }
    });
    if (failures.length > 0) throw combine(failures);

    const results = inTransaction(this.sqlite, () => {
      const out = this.execute(prepared);
      this.recordImport(actor, out, 'transaction');
      return out;
    });
    return {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: results.map((r) => ({ response: responseOf(r) })),
    };
  }

  private batch(actor: Actor, entries: EntryInput[]): Bundle {
    const responses: BundleEntry[] = entries.map((entry, index) => {
      try {
        const prepared = this.prepare(actor, entry, index);
        const [result] = inTransaction(this.sqlite, () => {
          const out = this.execute([prepared]);
          this.recordImport(actor, out, 'batch');
          return out;
        });
        return { response: responseOf(result!) };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return { response: { status: `${err.status} ${statusText(err.status)}`, outcome: outcomeFor(err) } };
      }
    });
    return { resourceType: 'Bundle', type: 'batch-response', entry: responses };
  }

  /** Phase 1: everything that can be checked without touching the database. */
  private prepare(actor: Actor, entry: EntryInput, index: number): PreparedEntry {
    const where = `Bundle.entry[${index}]`;
    try {
      const { method, url } = entry.request;
      if (method !== 'POST' && method !== 'PUT' && method !== 'DELETE') {
        throw badRequest(`request.method ${method} is not supported in a Bundle here; use POST, PUT or DELETE.`);
      }
      const [path, search] = splitUrl(url);
      if (search !== undefined && method !== 'POST') {
        throw badRequest(`Conditional ${method} (${url.slice(0, 100)}) is not supported; use ${method} [type]/[id].`);
      }
      const match = method === 'POST' ? TYPE_URL.exec(path) : INSTANCE_URL.exec(path);
      if (!match) throw badRequest(`request.url "${url.slice(0, 100)}" must be ${method === 'POST' ? '[type]' : '[type]/[id]'} for ${method}.`);
      const type = match[1]!;
      if (!isSupportedResourceType(type)) throw unsupportedType(type, 400);
      const id = match[2];
      const ifMatch = entry.request.ifMatch === undefined ? undefined : parseVersionTag(entry.request.ifMatch);
      if (entry.request.ifMatch !== undefined && ifMatch === undefined) throw badRequest(`request.ifMatch must be a version like W/"3".`);

      if (method === 'DELETE') {
        authorizeDelete(actor.principal, type, actor.reason);
        return { index, method, type, id, fullUrl: entry.fullUrl, resource: undefined, ifNoneExist: undefined, ifMatch, clinical: !isDirectoryType(type) };
      }
      if (entry.resource === undefined) throw badRequest(`${method} needs a resource.`);
      const resource = asResource(entry.resource, `${where}.resource`);
      if (resource.resourceType !== type) throw badRequest(`The resource is a ${resource.resourceType} but request.url is for ${type}.`);
      if (method === 'PUT') {
        if (resource.id === undefined) resource.id = id;
        else if (resource.id !== id) throw badRequest(`The resource id "${String(resource.id).slice(0, 64)}" does not match request.url (${id}).`);
      }
      validateStructure(resource, `${where}.resource`);
      // Staff permissions do not depend on the compartment; patients cannot import at all.
      authorizeWrite(actor.principal, { type, patientAfter: null }, actor.reason);
      const conditional = entry.request.ifNoneExist ?? (search === undefined ? undefined : search);
      const ifNoneExist = method === 'POST' && conditional !== undefined ? parseSearch(type, queryPairs(conditional)) : undefined;
      return { index, method, type, id, fullUrl: entry.fullUrl, resource, ifNoneExist, ifMatch, clinical: !isDirectoryType(type) };
    } catch (err) {
      throw err instanceof AppError ? locate(err, where) : err;
    }
  }

  /** Phase 2, inside the caller's database transaction. Results are in entry order. */
  private execute(entries: PreparedEntry[]): EntryResult[] {
    const results = new Map<number, EntryResult>();
    const fullUrls = new Map<string, string>();
    const written = new Set<string>();
    const skip = new Set<number>();

    // Conditional creates and id assignment, so every fullUrl has its Type/id before any rewrite.
    for (const e of entries) {
      if (e.method === 'POST') {
        if (e.ifNoneExist) {
          const ids = this.fhir.search.matchingIds(e.ifNoneExist, 2);
          if (ids.length > 1) throw locate(preconditionFailed(`ifNoneExist matched more than one ${e.type}.`), `Bundle.entry[${e.index}]`);
          if (ids.length === 1) {
            e.id = ids[0]!;
            skip.add(e.index);
            const row = this.fhir.store.readRow(e.type, e.id)!;
            results.set(e.index, {
              status: '200 OK',
              location: `${e.type}/${e.id}/_history/${row.version_id}`,
              etag: `W/"${row.version_id}"`,
              lastModified: row.last_updated,
              patientId: row.patient_id,
              clinical: e.clinical,
              changed: false,
            });
          }
        }
        e.id ??= ResourceStore.newId();
      }
      if (e.fullUrl !== undefined && e.method !== 'DELETE') {
        if (fullUrls.has(e.fullUrl)) throw locate(badRequest(`fullUrl ${e.fullUrl.slice(0, 100)} appears twice.`), `Bundle.entry[${e.index}]`);
        fullUrls.set(e.fullUrl, `${e.type}/${e.id}`);
      }
      if (e.method !== 'DELETE' && !skip.has(e.index)) written.add(`${e.type}/${e.id}`);
    }

    // References: fullUrls (urn:uuid and absolute) to Type/id, conditional references by search.
    const conditionalCache = new Map<string, string>();
    for (const e of entries) {
      if (!e.resource || skip.has(e.index)) continue;
      e.resource.id = e.id;
      const where = `Bundle.entry[${e.index}].resource`;
      for (const ref of findReferences(e.resource)) {
        const expression = where + ref.expression.slice(e.type.length);
        const mapped = fullUrls.get(ref.reference);
        if (mapped) {
          ref.set(mapped);
          continue;
        }
        const target = classifyReference(ref.reference);
        if (target.kind === 'urn') {
          throw badReference(`Bad reference at ${expression}: ${ref.reference.slice(0, 100)} is not the fullUrl of any entry in this Bundle.`, expression);
        }
        if (target.kind === 'conditional') {
          ref.set(this.resolveConditional(ref.reference, target.type, target.query, expression, conditionalCache));
        }
      }
      replaceUrnStrings(e.resource, fullUrls);
      this.fhir.checkReferences(e.resource, written, where);
    }

    // Writes, in the order the spec gives: DELETE, POST, PUT; one timestamp for the whole Bundle.
    const now = new Date().toISOString();
    for (const method of ['DELETE', 'POST', 'PUT'] as const) {
      for (const e of entries) {
        if (e.method !== method || skip.has(e.index)) continue;
        try {
          results.set(e.index, this.write(e, now));
        } catch (err) {
          if (err instanceof VersionConflictError) throw locate(versionMismatch(err), `Bundle.entry[${e.index}]`);
          throw err instanceof AppError ? locate(err, `Bundle.entry[${e.index}]`) : err;
        }
      }
    }
    return entries.map((e) => results.get(e.index)!);
  }

  private write(e: PreparedEntry, now: string): EntryResult {
    const options = e.ifMatch === undefined ? { now } : { ifMatchVersion: e.ifMatch, now };
    if (e.method === 'DELETE') {
      const current = this.fhir.store.readRow(e.type, e.id!);
      if (!current) throw notFound(e.type, e.id);
      const deleted = this.fhir.store.deleteVersion(e.type, e.id!, options);
      return {
        status: '204 No Content',
        ...(deleted ? { etag: `W/"${deleted.versionId}"` } : {}),
        patientId: current.patient_id,
        clinical: e.clinical,
        changed: deleted !== undefined,
      };
    }
    const existed = e.method === 'PUT' && this.fhir.store.exists(e.type, e.id!);
    const stored = this.fhir.store.writeVersion(e.resource as Resource & { id: string }, options);
    const versionId = stored.meta?.versionId ?? '1';
    return {
      status: existed ? '200 OK' : '201 Created',
      location: `${e.type}/${stored.id}/_history/${versionId}`,
      etag: `W/"${versionId}"`,
      lastModified: stored.meta?.lastUpdated ?? '',
      patientId: compartmentPatientId(stored),
      clinical: e.clinical,
      changed: true,
    };
  }

  private resolveConditional(reference: string, type: string, query: string, expression: string, cache: Map<string, string>): string {
    const cached = cache.get(reference);
    if (cached) return cached;
    if (!isSupportedResourceType(type)) throw badReference(`Bad reference at ${expression}: ${type} is not a supported resource type.`, expression);
    let parsed: SearchQuery;
    try {
      parsed = parseSearch(type, queryPairs(query));
    } catch (err) {
      throw err instanceof AppError ? badReference(`Bad reference at ${expression}: ${err.message}`, expression) : err;
    }
    const ids = this.fhir.search.matchingIds(parsed, 2);
    if (ids.length !== 1) {
      throw badReference(
        `Bad reference at ${expression}: ${reference.slice(0, 150)} matched ${ids.length === 0 ? 'no' : 'more than one'} ${type}; it must match exactly one.`,
        expression,
      );
    }
    const resolved = `${type}/${ids[0]}`;
    cache.set(reference, resolved);
    return resolved;
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

/** Every string equal to a `urn:uuid:` fullUrl of the Bundle, wherever it sits, becomes the Type/id. */
function replaceUrnStrings(node: unknown, fullUrls: Map<string, string>): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      if (typeof item === 'string' && item.startsWith('urn:uuid:') && fullUrls.has(item)) node[i] = fullUrls.get(item);
      else replaceUrnStrings(item, fullUrls);
    });
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value === 'string') {
      if (value.startsWith('urn:uuid:') && fullUrls.has(value)) obj[key] = fullUrls.get(value);
    } else if (typeof value === 'object' && value !== null) {
      replaceUrnStrings(value, fullUrls);
    }
  }
}

function splitUrl(url: string): [string, string | undefined] {
  const q = url.indexOf('?');
  return q === -1 ? [url, undefined] : [url.slice(0, q), url.slice(q + 1)];
}

function responseOf(r: EntryResult): NonNullable<BundleEntry['response']> {
  return {
    status: r.status,
    ...(r.location ? { location: r.location } : {}),
    ...(r.etag ? { etag: r.etag } : {}),
    ...(r.lastModified ? { lastModified: r.lastModified } : {}),
  };
}

/** Prefixes an entry's location to an error's message (keeping status, code and issues). */
function locate(err: AppError, where: string): AppError {
  if (err.message.includes('Bundle.entry[')) return err;
  return new AppError(err.code, `${where}: ${err.message}`, err.details, err.status);
}

/** All of a transaction's entry problems in one error, with the first one's status. */
function combine(failures: AppError[]): AppError {
  const first = failures[0]!;
  if (failures.length === 1) return first;
  const issues = failures.flatMap((f) => {
    const own = (f.details as { issues?: unknown[] } | undefined)?.issues;
    return own && own.length > 0 ? own : [outcomeFor(f).issue[0]!];
  });
  return new AppError(first.code, `${first.message} (and ${failures.length - 1} more invalid entries)`, { issues }, first.status);
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    412: 'Precondition Failed',
    422: 'Unprocessable Entity',
  };
  return texts[status] ?? 'Error';
}
