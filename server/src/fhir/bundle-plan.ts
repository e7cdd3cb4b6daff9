/**
 * Preparing a transaction or batch Bundle: everything but the writes. Parses the JSON, checks the
 * envelope and every entry (method and URL, resource structure, permission, If-None-Exist /
 * If-Match syntax), assigns ids, rewrites `urn:uuid:` (and other fullUrl) references, resolves
 * conditional references and conditional creates, checks that referenced resources exist, and
 * serializes each resource with its search index rows. The result is plain data (a `BundlePlan`)
 * that `TransactionService` writes in one short database transaction.
 *
 * It only reads the database, through `BundleLookups`, so it runs either in the request's thread
 * (small Bundles) or in the import worker on its own read connection (`bundle-worker.ts`). What it
 * read is listed in each entry's `assumes`, which the writer checks again inside its transaction:
 * a plan made from data that changed meanwhile is never written.
 *
 * Fullurl rewriting follows R4's transaction rules (http.html#trules): Reference.reference and
 * elements of type uri, url, uuid and oid, and `href`/`src` in the narrative; never canonicals or
 * plain strings (an Identifier.value that happens to be a fullUrl stays as it is).
 */
import { z } from 'zod';
import type { Resource } from '@medplum/fhirtypes';
import type { Principal } from '../platform/auth/principal.js';
import { AppError, badRequest } from '../platform/errors.js';
import { MAX_JSON_DEPTH, jsonTextTooDeep } from '../platform/http/json-depth.js';
import { parseInput } from '../platform/http/validation.js';
import { badReference, outcomeFor, preconditionFailed, unsupportedType } from './outcome.js';
import { authorizeDelete, authorizeWrite, isDirectoryType } from './policy.js';
import { compartmentPatientId, extractIndexRows, isSupportedResourceType, type IndexRows, type SupportedResourceType } from './search-parameters.js';
import { parseSearch, queryPairs, type SearchQuery } from './search-query.js';
import { ResourceStore } from './store.js';
import { walkTyped } from './typed-walk.js';
import { asResource, assertValidId, classifyReference, findReferences, validateStructure } from './validation.js';

export const MAX_BUNDLE_ENTRIES = 50_000;

/** How many problems of a rejected transaction its message names. */
const NAMED_PROBLEMS = 3;
/** How many issues a rejected transaction's OperationOutcome lists. */
const LISTED_ISSUES = 20;

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

/** The database reads preparation needs. */
export interface BundleLookups {
  matchingIds(query: SearchQuery, limit: number): string[];
  /** True when the resource exists and is not deleted. */
  exists(type: string, id: string): boolean;
}

export interface PlanInput {
  /** The request body: JSON text (bytes or string) or an already parsed value. */
  body: unknown;
  principal: Principal;
  reason: string | undefined;
}

/** What an entry's plan rests on; the writer checks it again before writing. */
export interface Assumptions {
  /** Searches (conditional references, If-None-Exist) and the one id each matched (null: none). */
  searches: Array<{ type: SupportedResourceType; query: string; matched: string | null }>;
  /** `Type/id` of resources outside the Bundle that references point at. */
  existing: string[];
}

/** A resource ready to store: its JSON without meta, its meta, its compartment and its index rows. */
export interface PlannedWrite {
  json: string;
  meta: Resource['meta'] | undefined;
  patientId: string | null;
  rows: IndexRows;
}

/** An error as plain data (plans cross a thread boundary). */
export interface PlanError {
  code: AppError['code'];
  message: string;
  details: unknown;
  status: number;
}

interface EntryBase {
  index: number;
}
export type PlannedEntry = EntryBase &
  (
    | { kind: 'failed'; error: PlanError }
    /** A batch entry to plan when its turn comes: its references did not resolve before the batch ran. */
    | { kind: 'deferred'; source: unknown }
    | {
        kind: 'create';
        type: SupportedResourceType;
        id: string;
        /** An If-None-Exist that matched `id`: nothing is written. */
        matched: boolean;
        write: PlannedWrite | undefined;
        clinical: boolean;
        assumes: Assumptions;
      }
    | { kind: 'update'; type: SupportedResourceType; id: string; ifMatch: number | undefined; write: PlannedWrite; clinical: boolean; assumes: Assumptions }
    | { kind: 'delete'; type: SupportedResourceType; id: string; ifMatch: number | undefined; clinical: boolean }
    | { kind: 'read'; type: string; id: string; versionId: string | undefined }
    | { kind: 'search'; type: string; query: string }
  );

export interface BundlePlan {
  type: 'transaction' | 'batch';
  entries: PlannedEntry[];
}

export const toPlanError = (err: AppError): PlanError => ({ code: err.code, message: err.message, details: err.details, status: err.status });
export const fromPlanError = (e: PlanError): AppError => new AppError(e.code, e.message, e.details, e.status);

/** Parses an ETag-style version (`W/"3"`, `"3"` or `3`) as sent in If-Match. */
export function parseVersionTag(value: string): number | undefined {
  const match = /^(?:W\/)?"?([1-9]\d{0,8})"?$/.exec(value.trim());
  return match ? Number(match[1]) : undefined;
}

const TYPE_URL = /^\/?([A-Z][A-Za-z]+)\/?$/;
const INSTANCE_URL = /^\/?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
const VERSION_URL = /^\/?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})\/_history\/([A-Za-z0-9\-.]{1,64})$/;

/** Entry checks that need no database: what phase 2 works from. */
interface CheckedEntry {
  index: number;
  method: 'POST' | 'PUT' | 'DELETE' | 'GET';
  type: string;
  id: string | undefined;
  versionId?: string;
  fullUrl: string | undefined;
  resource: (Resource & { id?: string }) | undefined;
  ifNoneExist: { query: SearchQuery; text: string } | undefined;
  searchText?: string;
  ifMatch: number | undefined;
}

/** Prepares a Bundle. Throws an AppError for a refused Bundle (or transaction); a batch reports entries one by one. */
export function planBundle(input: PlanInput, lookups: BundleLookups): BundlePlan {
  const body = parseBody(input.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a transaction or batch Bundle.');
  if ((body as { resourceType?: unknown }).resourceType !== 'Bundle') {
    throw badRequest('POST to the FHIR base URL takes a Bundle (transaction or batch); to create a resource, POST to /fhir/R4/[type].');
  }
  const bundle = parseInput(transactionBundleSchema, body, 'Bundle');
  const planner = new Planner(input, lookups);
  if (bundle.type === 'batch') {
    return {
      type: 'batch',
      entries: bundle.entry.map((entry, index) => {
        // Synthea's provider batches refer to organizations created by earlier entries of the same
        // batch: an entry whose reference does not resolve yet is planned again when its turn comes.
        const source = structuredClone(entry);
        const planned = planEntry(planner, entry, index);
        return planned.kind === 'failed' && planned.error.code === 'bad_reference' ? { index, kind: 'deferred', source } : planned;
      }),
    };
  }
  const checked: CheckedEntry[] = [];
  const failures: AppError[] = [];
  bundle.entry.forEach((entry, index) => {
    try {
      checked.push(planner.check(entry, index));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      failures.push(err);
    }
  });
  if (failures.length > 0) throw combine(failures, bundle.entry.length);
  return { type: 'transaction', entries: planner.resolve(checked) };
}

/** Plans a batch entry on its own, now (a deferred entry, when the entries before it are written). */
export function planBatchEntry(source: unknown, index: number, actor: Omit<PlanInput, 'body'>, lookups: BundleLookups): PlannedEntry {
  const entry = parseInput(entrySchema, source, `Bundle.entry[${index}]`);
  return planEntry(new Planner({ ...actor, body: undefined }, lookups), entry, index);
}

function planEntry(planner: Planner, entry: EntryInput, index: number): PlannedEntry {
  try {
    return planner.resolve([planner.check(entry, index)])[0]!;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { index, kind: 'failed', error: toPlanError(err) };
  }
}

function parseBody(body: unknown): unknown {
  if (!(body instanceof Uint8Array) && typeof body !== 'string') return body;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (jsonTextTooDeep(bytes)) throw badRequest(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  try {
    return JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw badRequest('Malformed JSON in the request body.');
  }
}

class Planner {
  constructor(
    private readonly input: PlanInput,
    private readonly lookups: BundleLookups,
  ) {}

  /** Phase 1: everything that can be checked without the database. */
  check(entry: EntryInput, index: number): CheckedEntry {
    const where = `Bundle.entry[${index}]`;
    const { principal, reason } = this.input;
    try {
      const { method, url } = entry.request;
      if (method !== 'POST' && method !== 'PUT' && method !== 'DELETE' && method !== 'GET') {
        throw badRequest(`request.method ${method} is not supported in a Bundle here; use GET, POST, PUT or DELETE.`);
      }
      const [path, search] = splitUrl(url);
      const base = { index, fullUrl: entry.fullUrl, resource: undefined, ifNoneExist: undefined, ifMatch: undefined };
      if (method === 'GET') {
        const version = VERSION_URL.exec(path);
        const instance = version ?? INSTANCE_URL.exec(path);
        const typeOnly = instance ? undefined : TYPE_URL.exec(path);
        if ((!instance && !typeOnly) || (instance && search !== undefined)) {
          throw badRequest(`request.url "${url.slice(0, 100)}" must be [type]/[id], [type]/[id]/_history/[vid] or [type]?[parameters] for GET.`);
        }
        const type = (instance ?? typeOnly)![1]!;
        if (!isSupportedResourceType(type)) throw unsupportedType(type, 404);
        if (instance) return { ...base, method, type, id: instance[2]!, ...(version ? { versionId: version[3]! } : {}) };
        parseSearch(type, queryPairs(search ?? '')); // a bad query fails the entry now, naming the parameter
        return { ...base, method, type, id: undefined, searchText: search ?? '' };
      }
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
        authorizeDelete(principal, type, reason);
        return { ...base, method, type, id, ifMatch };
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
      authorizeWrite(principal, { type, patientAfter: null }, reason);
      const conditional = entry.request.ifNoneExist ?? search;
      const ifNoneExist = method === 'POST' && conditional !== undefined ? { query: parseSearch(type, queryPairs(conditional)), text: conditional } : undefined;
      return { ...base, method, type, id, resource, ifNoneExist, ifMatch };
    } catch (err) {
      throw err instanceof AppError ? locate(err, where) : err;
    }
  }

  /**
   * Phase 2: conditional creates, ids, references. The entries of a transaction refer to each other
   * by fullUrl; a batch entry is resolved on its own.
   */
  resolve(entries: CheckedEntry[]): PlannedEntry[] {
    const fullUrls = new Map<string, string>();
    const written = new Set<string>();
    const matched = new Set<number>();
    const assumptions = new Map<number, Assumptions>();
    const assumesOf = (e: CheckedEntry) => {
      let a = assumptions.get(e.index);
      if (!a) assumptions.set(e.index, (a = { searches: [], existing: [] }));
      return a;
    };

    // Conditional creates and id assignment, so every fullUrl has its Type/id before any rewrite.
    for (const e of entries) {
      if (e.method === 'GET') continue;
      if (e.method === 'POST') {
        if (e.ifNoneExist) {
          const ids = this.lookups.matchingIds(e.ifNoneExist.query, 2);
          if (ids.length > 1) throw locate(preconditionFailed(`ifNoneExist matched more than one ${e.type}.`), `Bundle.entry[${e.index}]`);
          assumesOf(e).searches.push({ type: e.type as SupportedResourceType, query: e.ifNoneExist.text, matched: ids[0] ?? null });
          if (ids.length === 1) {
            e.id = ids[0]!;
            matched.add(e.index);
          }
        }
        e.id ??= ResourceStore.newId();
      }
      if (e.fullUrl !== undefined && e.method !== 'DELETE') {
        if (fullUrls.has(e.fullUrl)) throw locate(badRequest(`fullUrl ${e.fullUrl.slice(0, 100)} appears twice.`), `Bundle.entry[${e.index}]`);
        fullUrls.set(e.fullUrl, `${e.type}/${e.id}`);
      }
      if (e.method !== 'DELETE' && !matched.has(e.index)) written.add(`${e.type}/${e.id}`);
    }

    const conditionalCache = new Map<string, string>();
    const planned: PlannedEntry[] = [];
    for (const e of entries) {
      const type = e.type as SupportedResourceType;
      if (e.method === 'GET') {
        planned.push(e.id === undefined ? { index: e.index, kind: 'search', type, query: e.searchText ?? '' } : { index: e.index, kind: 'read', type, id: e.id, versionId: e.versionId });
        continue;
      }
      const clinical = !isDirectoryType(type);
      if (e.method === 'DELETE') {
        planned.push({ index: e.index, kind: 'delete', type, id: e.id!, ifMatch: e.ifMatch, clinical });
        continue;
      }
      const assumes = assumesOf(e);
      if (matched.has(e.index)) {
        planned.push({ index: e.index, kind: 'create', type, id: e.id!, matched: true, write: undefined, clinical, assumes });
        continue;
      }
      const resource = e.resource!;
      resource.id = e.id;
      this.resolveReferences(resource, `Bundle.entry[${e.index}].resource`, fullUrls, written, conditionalCache, assumes);
      rewriteFullUrlValues(resource, fullUrls);
      const write = serialize(resource);
      planned.push(
        e.method === 'POST'
          ? { index: e.index, kind: 'create', type, id: e.id!, matched: false, write, clinical, assumes }
          : { index: e.index, kind: 'update', type, id: e.id!, ifMatch: e.ifMatch, write, clinical, assumes },
      );
    }
    return planned;
  }

  /** fullUrls to Type/id, conditional references by search, and every local reference checked to exist. */
  private resolveReferences(
    resource: Resource,
    where: string,
    fullUrls: Map<string, string>,
    written: Set<string>,
    cache: Map<string, string>,
    assumes: Assumptions,
  ): void {
    const existing = new Set(assumes.existing);
    for (const ref of findReferences(resource)) {
      const expression = where + ref.expression.slice(resource.resourceType.length);
      const mapped = fullUrls.get(ref.reference);
      if (mapped) {
        ref.set(mapped);
        continue;
      }
      const target = classifyReference(ref.reference);
      switch (target.kind) {
        case 'contained':
        case 'external':
          break;
        case 'urn':
          throw badReference(`Bad reference at ${expression}: ${ref.reference.slice(0, 100)} is not the fullUrl of any entry in this Bundle.`, expression);
        case 'conditional': {
          const resolved = this.resolveConditional(ref.reference, target.type, target.query, expression, cache, assumes);
          ref.set(resolved);
          break;
        }
        case 'local': {
          const key = `${target.type}/${target.id}`;
          if (!isSupportedResourceType(target.type) || written.has(key) || existing.has(key)) break;
          if (!this.lookups.exists(target.type, target.id)) {
            throw badReference(`Bad reference at ${expression}: ${key} does not exist.`, expression);
          }
          existing.add(key);
          assumes.existing.push(key);
          break;
        }
        case 'invalid':
          throw badReference(`Bad reference at ${expression}: "${ref.reference.slice(0, 100)}" is not a FHIR reference (Type/id, an absolute URL or #contained).`, expression);
      }
    }
  }

  private resolveConditional(reference: string, type: string, query: string, expression: string, cache: Map<string, string>, assumes: Assumptions): string {
    const cached = cache.get(reference);
    if (!cached) {
      if (!isSupportedResourceType(type)) throw badReference(`Bad reference at ${expression}: ${type} is not a supported resource type.`, expression);
      let parsed: SearchQuery;
      try {
        parsed = parseSearch(type, queryPairs(query));
      } catch (err) {
        throw err instanceof AppError ? badReference(`Bad reference at ${expression}: ${err.message}`, expression) : err;
      }
      const ids = this.lookups.matchingIds(parsed, 2);
      if (ids.length !== 1) {
        throw badReference(
          `Bad reference at ${expression}: ${reference.slice(0, 150)} matched ${ids.length === 0 ? 'no' : 'more than one'} ${type}; it must match exactly one.`,
          expression,
        );
      }
      cache.set(reference, `${type}/${ids[0]}`);
    }
    const resolved = cache.get(reference)!;
    if (!assumes.searches.some((s) => s.query === query && s.type === type)) {
      assumes.searches.push({ type: type as SupportedResourceType, query, matched: resolved.slice(type.length + 1) });
    }
    return resolved;
  }
}

const FULL_URL_TYPES = new Set(['uri', 'url', 'uuid', 'oid']);

/** uri/url/uuid/oid elements equal to a fullUrl, and narrative links to one, become the Type/id. */
function rewriteFullUrlValues(resource: Resource, fullUrls: Map<string, string>): void {
  walkTyped(resource, {
    primitive: (v) => {
      if (typeof v.value !== 'string') return;
      if (FULL_URL_TYPES.has(v.type)) {
        const mapped = fullUrls.get(v.value);
        if (mapped) v.set(mapped);
      } else if (v.type === 'xhtml' && (v.value.includes('href=') || v.value.includes('src='))) {
        v.set(
          v.value.replace(/\b(href|src)=(["'])([^"']*)\2/g, (all, attr: string, quote: string, url: string) => {
            const mapped = fullUrls.get(url);
            return mapped ? `${attr}=${quote}${mapped}${quote}` : all;
          }),
        );
      }
    },
  });
}

function serialize(resource: Resource & { id?: string }): PlannedWrite {
  const { resourceType, id, meta, ...rest } = resource;
  const stored = { resourceType, id, ...rest } as Resource & { id: string };
  assertValidId(stored.id);
  return { json: JSON.stringify(stored), meta, patientId: compartmentPatientId(stored), rows: extractIndexRows(stored) };
}

function splitUrl(url: string): [string, string | undefined] {
  const q = url.indexOf('?');
  return q === -1 ? [url, undefined] : [url.slice(0, q), url.slice(q + 1)];
}

/** Prefixes an entry's location to an error's message (keeping status, code and issues). */
export function locate(err: AppError, where: string): AppError {
  if (err.message.includes('Bundle.entry[')) return err;
  return new AppError(err.code, `${where}: ${err.message}`, err.details, err.status);
}

/**
 * All of a transaction's entry problems in one error, with the first one's status. The message names
 * the first few problems and the outcome lists a bounded number of issues: a Bundle written for
 * another FHIR version fails on every entry, and a reader needs the pattern, not every instance.
 */
function combine(failures: AppError[], entryCount: number): AppError {
  const first = failures[0]!;
  if (failures.length === 1) return first;
  type Issue = { expression?: string[]; diagnostics?: string; details?: { text?: string } };
  const perEntry = failures.map((f) => {
    const own = (f.details as { issues?: unknown[] } | undefined)?.issues;
    return (own && own.length > 0 ? own : [outcomeFor(f).issue[0]!]) as Issue[];
  });
  const issues = perEntry.flat();
  // The first problem of each of the first few entries: the pattern, not one entry's details.
  const named = perEntry.slice(0, NAMED_PROBLEMS).map(([i]) => {
    const text = i?.diagnostics ?? i?.details?.text ?? 'invalid';
    const where = i?.expression?.[0];
    return where && !text.includes(where) ? `${where}: ${text}` : text;
  });
  const more = issues.length - named.length;
  const invalidShare = failures.filter((f) => f.code === 'invalid_resource').length;
  const hint =
    invalidShare >= 5 && invalidShare * 2 >= entryCount
      ? ' Most entries do not validate against FHIR R4 (4.0.1), the version this server speaks: was the Bundle written for an earlier FHIR version (DSTU2, STU3)?'
      : '';
  const message = `${failures.length} of ${entryCount} entries are invalid: ${named.join('; ')}${more > 0 ? `; and ${more} more problem${more > 1 ? 's' : ''}` : ''}.${hint}`;
  const listed = issues.slice(0, LISTED_ISSUES);
  if (issues.length > LISTED_ISSUES) {
    listed.push({ severity: 'information', code: 'informational', diagnostics: `${issues.length - LISTED_ISSUES} more issues are not listed.` } as never);
  }
  return new AppError(first.code, message, { issues: listed }, first.status);
}
