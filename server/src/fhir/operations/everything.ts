/**
 * Patient/$everything: the patient, every resource in their compartment, and the practitioners,
 * organizations and locations those refer to, in pages. Parameters (query string, or a Parameters
 * resource in a POST body): `_count` (resources of the compartment per page, default and maximum
 * 1000), `_since` (only resources changed at or after this instant), `_type` (only these types).
 *
 * Pages are stable: the order is the Patient, then (type, id), and a `next` link carries the key
 * of the last resource sent (`_cursor`), not an offset, so resources added or removed while a
 * client pages neither repeat nor shift the rest. Each page carries the directory resources its
 * own members refer to (search.mode include).
 */
import type SQLite from 'better-sqlite3';
import { searchError } from '../search-query.js';
import { isCalendarDate } from '../search-query.js';
import { dateRange, isSupportedResourceType, type SupportedResourceType } from '../search-parameters.js';
import { paddedChunks, placeholders } from '../search.js';

export const EVERYTHING_DEFAULT_COUNT = 1000;
export const EVERYTHING_MAX_COUNT = 1000;
/** Directory types $everything adds when the page's resources refer to them. */
export const EVERYTHING_REFERENCED_TYPES = ['Practitioner', 'Organization', 'Location'] as const;

export interface EverythingParams {
  count: number;
  /** Normalized ISO instant: resources with last_updated at or after it. */
  since?: string;
  /** Sorted, without duplicates. */
  types?: SupportedResourceType[];
  /** The key after which this page starts. */
  cursor?: { type: string; id: string };
}

export interface EverythingRow {
  resource_type: string;
  id: string;
  content: string;
}

export interface EverythingPage {
  members: EverythingRow[];
  referenced: EverythingRow[];
  /** Resources of the compartment that match the filters, over all pages. */
  total: number;
  /** The cursor of the next page, when there is one. */
  next?: string;
}

const QUERY_PARAMS = new Set(['_count', '_since', '_type', '_cursor', '_format', '_pretty']);

/** The operation's parameters from the query string and an optional Parameters body (POST). */
export function parseEverythingParams(pairs: Array<[string, string]>, body: unknown): EverythingParams {
  const raw: Array<[string, string]> = [];
  for (const [key, value] of pairs) {
    if (!QUERY_PARAMS.has(key)) throw searchError(key, `$everything takes _count, _since and _type, not "${key.slice(0, 40)}".`);
    raw.push([key, value]);
  }
  if (body !== undefined) raw.push(...parametersOf(body));

  const params: EverythingParams = { count: EVERYTHING_DEFAULT_COUNT };
  const types = new Set<SupportedResourceType>();
  let typed = false;
  for (const [key, value] of raw) {
    switch (key) {
      case '_count':
        if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw searchError(key, `_count must be a whole number from 1 to ${EVERYTHING_MAX_COUNT}.`);
        params.count = Math.min(Number(value), EVERYTHING_MAX_COUNT);
        break;
      case '_since': {
        const range = isCalendarDate(value) ? dateRange(value) : undefined;
        if (!range) throw searchError(key, `_since must be an instant like 2024-01-31T12:00:00Z, not "${value.slice(0, 40)}".`);
        params.since = range.start;
        break;
      }
      case '_type':
        typed = true;
        for (const type of value.split(',').map((t) => t.trim())) {
          if (!isSupportedResourceType(type)) throw searchError(key, `_type: "${type.slice(0, 40)}" is not a supported resource type.`);
          types.add(type);
        }
        break;
      case '_cursor':
        params.cursor = parseCursor(value);
        break;
    }
  }
  if (typed) params.types = [...types].sort();
  return params;
}

/** `[name, value]` pairs of a Parameters resource (valueInteger, valueInstant, valueString, …). */
function parametersOf(body: unknown): Array<[string, string]> {
  const resource = body as { resourceType?: unknown; parameter?: unknown };
  if (typeof body !== 'object' || body === null || resource.resourceType !== 'Parameters') {
    throw searchError('body', 'POST $everything takes a Parameters resource (or no body).');
  }
  if (resource.parameter === undefined) return [];
  if (!Array.isArray(resource.parameter) || resource.parameter.length > 50) throw searchError('Parameters.parameter', 'Parameters.parameter must be a list (at most 50).');
  return resource.parameter.map((p: unknown, i: number): [string, string] => {
    const param = p as Record<string, unknown>;
    const name = param?.name;
    if (name !== '_count' && name !== '_since' && name !== '_type') {
      throw searchError(`Parameters.parameter[${i}]`, `$everything takes _count, _since and _type, not "${String(name).slice(0, 40)}".`);
    }
    const valueKey = Object.keys(param).find((k) => k.startsWith('value'));
    const value = valueKey === undefined ? undefined : param[valueKey];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw searchError(`Parameters.parameter[${i}]`, `${name} needs a value (valueInteger, valueInstant, valueString or valueCode).`);
    }
    return [name, String(value)];
  });
}

export function cursorOf(row: { resource_type: string; id: string }): string {
  return Buffer.from(`${row.resource_type}/${row.id}`).toString('base64url');
}

function parseCursor(value: string): { type: string; id: string } {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(value) ? Buffer.from(value, 'base64url').toString() : '';
  const match = /^([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})$/.exec(decoded);
  if (!match) throw searchError('_cursor', '_cursor is not one this server handed out: follow the next link as given.');
  return { type: match[1]!, id: match[2]! };
}

const WHOLE_COMPARTMENT_REFERENCED = `SELECT t.resource_type, t.id, t.content
  FROM (SELECT DISTINCT x.target_type, x.target_id FROM resources c
        JOIN search_reference x ON x.resource_type = c.resource_type AND x.resource_id = c.id
        WHERE c.patient_id = ? AND c.deleted = 0
          AND x.target_type IN (${placeholders(EVERYTHING_REFERENCED_TYPES.length)})) ref
  JOIN resources t ON t.resource_type = ref.target_type AND t.id = ref.target_id
  WHERE t.deleted = 0
  ORDER BY t.resource_type, t.id`;

/** The SQL of $everything, prepared once per shape (filters present, number of types). */
export class EverythingRepository {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(private readonly sqlite: SQLite.Database) {}

  private statement(text: string): SQLite.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      if (this.statements.size >= 200) this.statements.clear();
      stmt = this.sqlite.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  /**
   * One page of the compartment. `patient` is the Patient's own row (the caller read it to check
   * access); it leads the first page when the filters keep it.
   */
  page(patient: EverythingRow & { last_updated: string }, params: EverythingParams): EverythingPage {
    const patientId = patient.id;
    const filters: string[] = ['patient_id = ?', 'deleted = 0', "resource_type <> 'Patient'"];
    const values: unknown[] = [patientId];
    if (params.types) {
      filters.push(`resource_type IN (${placeholders(Math.max(params.types.length, 1))})`);
      values.push(...(params.types.length > 0 ? params.types : ['']));
    }
    if (params.since !== undefined) {
      filters.push('last_updated >= ?');
      values.push(params.since);
    }
    const keepPatient =
      (params.types === undefined || params.types.includes('Patient')) && (params.since === undefined || patient.last_updated >= params.since);
    const atStart = params.cursor === undefined || (params.cursor.type === 'Patient' && params.cursor.id === patientId);
    const members: EverythingRow[] = [];
    if (atStart && keepPatient) members.push({ resource_type: 'Patient', id: patientId, content: patient.content });

    const pageFilters = [...filters];
    const pageValues = [...values];
    if (!atStart) {
      pageFilters.push('(resource_type > ? OR (resource_type = ? AND id > ?))');
      pageValues.push(params.cursor!.type, params.cursor!.type, params.cursor!.id);
    }
    const room = params.count - members.length;
    const rows = this.statement(`SELECT resource_type, id, content FROM resources WHERE ${pageFilters.join(' AND ')} ORDER BY resource_type, id LIMIT ?`).all(
      ...pageValues,
      room + 1,
    ) as EverythingRow[];
    const hasMore = rows.length > room;
    members.push(...rows.slice(0, room));

    const single = atStart && !hasMore;
    const total = single
      ? members.length
      : (this.statement(`SELECT COUNT(*) AS n FROM resources WHERE ${filters.join(' AND ')}`).get(...values) as { n: number }).n + (keepPatient ? 1 : 0);
    const referencedTypes = EVERYTHING_REFERENCED_TYPES.filter((t) => params.types === undefined || params.types.includes(t));
    // The whole compartment in one page (the usual case): one query for what it refers to.
    const referenced =
      single && params.types === undefined && params.since === undefined
        ? (this.statement(WHOLE_COMPARTMENT_REFERENCED).all(patientId, ...EVERYTHING_REFERENCED_TYPES) as EverythingRow[])
        : this.referenced(members, referencedTypes);
    const page: EverythingPage = { members, referenced, total };
    if (hasMore) page.next = cursorOf(members.at(-1)!);
    return page;
  }

  /** The live directory resources (of `types`) that these resources refer to, by type and id. */
  private referenced(members: EverythingRow[], types: readonly string[]): EverythingRow[] {
    if (types.length === 0 || members.length === 0) return [];
    const byType = new Map<string, string[]>();
    for (const m of members) byType.set(m.resource_type, [...(byType.get(m.resource_type) ?? []), m.id]);
    const targets = new Map<string, Set<string>>();
    for (const [type, ids] of byType) {
      for (const chunk of paddedChunks(ids)) {
        const rows = this.statement(
          `SELECT DISTINCT target_type, target_id FROM search_reference WHERE resource_type = ? AND resource_id IN (${placeholders(chunk.length)}) AND target_type IN (${placeholders(types.length)})`,
        ).all(type, ...chunk, ...types) as Array<{ target_type: string; target_id: string }>;
        for (const r of rows) {
          const set = targets.get(r.target_type) ?? new Set<string>();
          set.add(r.target_id);
          targets.set(r.target_type, set);
        }
      }
    }
    const out: EverythingRow[] = [];
    for (const type of [...targets.keys()].sort()) {
      const ids = [...targets.get(type)!].sort();
      const found = new Map<string, EverythingRow>();
      for (const chunk of paddedChunks(ids)) {
        const rows = this.statement(`SELECT resource_type, id, content FROM resources WHERE resource_type = ? AND id IN (${placeholders(chunk.length)}) AND deleted = 0`).all(
          type,
          ...chunk,
        ) as EverythingRow[];
        for (const r of rows) found.set(r.id, r);
      }
      for (const id of ids) if (found.has(id)) out.push(found.get(id)!);
    }
    return out;
  }
}
