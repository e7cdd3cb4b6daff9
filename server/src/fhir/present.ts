/**
 * Presenters: turn stored rows into FHIR HTTP responses. Stored resources are JSON text already
 * (with id and meta set at write time), so Bundles are assembled by splicing that text rather than
 * parsing and re-serializing every resource.
 */
import type { Request, Response } from 'express';
import type { Config } from '../platform/config.js';
import { FHIR_JSON } from './outcome.js';
import { MAX_INCLUDED, type MatchRow } from './search.js';
import type { SearchQuery } from './search-query.js';
import type { StoredRow } from './store.js';
import { subsetJson, type Subset } from './subsetting.js';
import { cursorOf, type EverythingPage, type EverythingParams } from './operations/everything.js';

export const FHIR_BASE_PATH = '/fhir/R4';

/** The absolute base URL for fullUrls and links: PUBLIC_URL when configured, else this request's host. */
export function baseUrlFor(req: Request, config: Pick<Config, 'PUBLIC_URL'>): string {
  if (config.PUBLIC_URL) return `${config.PUBLIC_URL.replace(/\/+$/, '')}${FHIR_BASE_PATH}`;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${FHIR_BASE_PATH}`;
}

export interface SendOptions {
  etag?: string;
  lastModified?: string;
  location?: string;
}

/** Sends JSON text as application/fhir+json (no re-serialization, no body hashing). */
export function sendFhir(res: Response, status: number, body: string, options: SendOptions = {}): void {
  res.status(status);
  res.setHeader('Content-Type', FHIR_JSON);
  if (options.etag) res.setHeader('ETag', options.etag);
  if (options.lastModified) res.setHeader('Last-Modified', new Date(options.lastModified).toUTCString());
  if (options.location) res.setHeader('Location', options.location);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export const etagFor = (versionId: number | string) => `W/"${versionId}"`;

/** An absolute link back to a search, with the parameters that shaped it and a page position. */
function searchLink(base: string, path: string, query: SearchQuery, offset: number): string {
  const params = new URLSearchParams(query.canonical);
  params.set('_count', String(query.count));
  if (offset > 0) params.set('_offset', String(offset));
  return `${base}/${path}?${params.toString()}`;
}

type EntryRow = { resource_type: string; id: string; content: string };

function entryJson(base: string, row: EntryRow, mode: 'match' | 'include', subset?: Subset): string {
  const resource = subset ? subsetJson(row.content, subset) : row.content;
  return `{"fullUrl":${JSON.stringify(`${base}/${row.resource_type}/${row.id}`)},"resource":${resource},"search":{"mode":"${mode}"}}`;
}

export interface SearchsetOptions {
  /** The search's path under the base: `Observation`, or `Patient/{id}/Observation` for a compartment. */
  path?: string;
  /** Resources added by _include/_revinclude. */
  included?: EntryRow[];
  /** Set when the included resources were cut short (an OperationOutcome entry says so). */
  includesTruncated?: boolean;
}

export function searchsetJson(
  base: string,
  query: SearchQuery,
  result: { rows: MatchRow[]; total: number | undefined; hasMore: boolean },
  options: SearchsetOptions = {},
): string {
  const path = options.path ?? query.resourceType;
  const links = [{ relation: 'self', url: searchLink(base, path, query, query.offset) }];
  if (result.hasMore) links.push({ relation: 'next', url: searchLink(base, path, query, query.offset + query.count) });
  if (query.offset > 0 && query.count > 0) {
    links.push({ relation: 'previous', url: searchLink(base, path, query, Math.max(0, query.offset - query.count)) });
  }
  const head = `{"resourceType":"Bundle","type":"searchset"${result.total === undefined ? '' : `,"total":${result.total}`},"link":${JSON.stringify(links)}`;
  const entries = result.rows.map((r) => entryJson(base, r, 'match', query.subset));
  // _elements names the matches' elements; _summary applies to every entry by its own type.
  const includeSubset = query.subset?.kind === 'summary' ? query.subset : undefined;
  for (const r of options.included ?? []) entries.push(entryJson(base, r, 'include', includeSubset));
  if (options.includesTruncated) {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'warning', code: 'too-costly', diagnostics: `_include/_revinclude added the first ${MAX_INCLUDED} resources only; narrow the search or page with a smaller _count.` }],
    };
    entries.push(`{"resource":${JSON.stringify(outcome)},"search":{"mode":"outcome"}}`);
  }
  if (entries.length === 0) return `${head}}`;
  return `${head},"entry":[${entries.join(',')}]}`;
}

/** A $everything link: the operation with its parameters, at a page. */
function everythingLink(base: string, patientId: string, params: EverythingParams, cursor: string | undefined): string {
  const query = new URLSearchParams();
  query.set('_count', String(params.count));
  if (params.since !== undefined) query.set('_since', params.since);
  if (params.types !== undefined) query.set('_type', params.types.join(','));
  if (cursor !== undefined) query.set('_cursor', cursor);
  return `${base}/Patient/${patientId}/$everything?${query.toString()}`;
}

/** One $everything page: the compartment's resources (match) and the directory resources they refer to (include). */
export function everythingJson(base: string, patientId: string, params: EverythingParams, page: EverythingPage): string {
  const self = params.cursor === undefined ? undefined : cursorOf({ resource_type: params.cursor.type, id: params.cursor.id });
  const links = [{ relation: 'self', url: everythingLink(base, patientId, params, self) }];
  if (page.next !== undefined) links.push({ relation: 'next', url: everythingLink(base, patientId, params, page.next) });
  const entries = [...page.members.map((r) => entryJson(base, r, 'match')), ...page.referenced.map((r) => entryJson(base, r, 'include'))];
  const body = entries.length === 0 ? '' : `,"entry":[${entries.join(',')}]`;
  return `{"resourceType":"Bundle","type":"searchset","total":${page.total},"link":${JSON.stringify(links)}${body}}`;
}

/** Instance history: every version, newest first, deletions as DELETE requests without a resource. */
export function historyJson(base: string, type: string, id: string, rows: StoredRow[], total: number): string {
  const self = JSON.stringify([{ relation: 'self', url: `${base}/${type}/${id}/_history` }]);
  const entries = rows.map((r) => {
    const fullUrl = JSON.stringify(`${base}/${type}/${id}`);
    const lastModified = JSON.stringify(r.last_updated);
    const etag = JSON.stringify(etagFor(r.version_id));
    if (r.deleted) {
      return `{"fullUrl":${fullUrl},"request":{"method":"DELETE","url":"${type}/${id}"},"response":{"status":"410 Gone","etag":${etag},"lastModified":${lastModified}}}`;
    }
    const method = r.version_id === 1 ? 'POST' : 'PUT';
    const url = method === 'POST' ? type : `${type}/${id}`;
    const status = method === 'POST' ? '201 Created' : '200 OK';
    return `{"fullUrl":${fullUrl},"resource":${r.content},"request":{"method":"${method}","url":"${url}"},"response":{"status":"${status}","etag":${etag},"lastModified":${lastModified}}}`;
  });
  return `{"resourceType":"Bundle","type":"history","total":${total},"link":${self},"entry":[${entries.join(',')}]}`;
}
