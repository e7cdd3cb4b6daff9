/**
 * Presenters: turn stored rows into FHIR HTTP responses. Stored resources are JSON text already
 * (with id and meta set at write time), so Bundles are assembled by splicing that text rather than
 * parsing and re-serializing every resource.
 */
import type { Request, Response } from 'express';
import type { Config } from '../platform/config.js';
import { FHIR_JSON } from './outcome.js';
import type { MatchRow } from './search.js';
import type { SearchQuery } from './search-query.js';
import type { StoredRow } from './store.js';

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
function searchLink(base: string, type: string, query: SearchQuery, offset: number): string {
  const params = new URLSearchParams(query.canonical);
  params.set('_count', String(query.count));
  if (offset > 0) params.set('_offset', String(offset));
  return `${base}/${type}?${params.toString()}`;
}

function entryJson(base: string, row: { resource_type: string; id: string; content: string }, mode: 'match' | 'include'): string {
  return `{"fullUrl":${JSON.stringify(`${base}/${row.resource_type}/${row.id}`)},"resource":${row.content},"search":{"mode":"${mode}"}}`;
}

export function searchsetJson(
  base: string,
  query: SearchQuery,
  result: { rows: MatchRow[]; total: number | undefined; hasMore: boolean },
): string {
  const links = [{ relation: 'self', url: searchLink(base, query.resourceType, query, query.offset) }];
  if (result.hasMore) links.push({ relation: 'next', url: searchLink(base, query.resourceType, query, query.offset + query.count) });
  if (query.offset > 0 && query.count > 0) {
    links.push({ relation: 'previous', url: searchLink(base, query.resourceType, query, Math.max(0, query.offset - query.count)) });
  }
  const head = `{"resourceType":"Bundle","type":"searchset"${result.total === undefined ? '' : `,"total":${result.total}`},"link":${JSON.stringify(links)}`;
  if (result.rows.length === 0) return `${head}}`;
  return `${head},"entry":[${result.rows.map((r) => entryJson(base, r, 'match')).join(',')}]}`;
}

/** $everything: one searchset with the compartment (match) and the directory resources it refers to (include). */
export function everythingJson(
  base: string,
  patientId: string,
  members: Array<{ resource_type: string; id: string; content: string }>,
  referenced: Array<{ resource_type: string; id: string; content: string }>,
): string {
  const self = JSON.stringify([{ relation: 'self', url: `${base}/Patient/${patientId}/$everything` }]);
  const entries = [...members.map((r) => entryJson(base, r, 'match')), ...referenced.map((r) => entryJson(base, r, 'include'))];
  return `{"resourceType":"Bundle","type":"searchset","total":${members.length},"link":${self},"entry":[${entries.join(',')}]}`;
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
