/**
 * The search repository: turns a parsed SearchQuery into SQL over `resources` and the `search_*`
 * index tables. Every value is a bound parameter; only the shape of the query (which params, how
 * many OR values, which sort) reaches the SQL text, so statements are prepared once per shape and
 * cached. The SQL is portable (no SQLite-only functions); prefix matching uses a range on the
 * normalized value so the (resource_type, param, value) index serves it.
 */
import type SQLite from 'better-sqlite3';
import type { Resource } from '@medplum/fhirtypes';
import { SEARCH_PARAMETERS, stringsOf, valuesAt } from './search-parameters.js';
import type { DateValue, SearchClause, SearchQuery } from './search-query.js';

/** A matching resource as stored: its JSON text is passed through, never re-parsed. */
export interface MatchRow {
  resource_type: string;
  id: string;
  content: string;
  patient_id: string | null;
}

export interface SearchResult {
  rows: MatchRow[];
  /** Undefined when `_total=none` and it was not free to know. */
  total: number | undefined;
  /** True when rows exist after this page. */
  hasMore: boolean;
}

export interface SearchScope {
  /** Only resources in this patient's compartment (a patient principal's search). */
  compartmentPatientId?: string;
}

interface Sql {
  text: string;
  params: unknown[];
}

/** Above every valid UTF-8 string that starts with the prefix (the upper bound of a prefix range). */
const PREFIX_END = '\u{10FFFF}';
const STATEMENT_CACHE_LIMIT = 500;
/** Up to this many matches, a search lists matching ids first (see `search`). */
const ID_LIST_LIMIT = 2000;
/** At most this many resources are added to one page by _include and _revinclude together. */
export const MAX_INCLUDED = 2000;
const INDEX_TABLES = { token: 'search_token', string: 'search_string', reference: 'search_reference', date: 'search_date' } as const;

export class SearchRepository {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(private readonly sqlite: SQLite.Database) {}

  /** Ids of live resources of `type` with identifier `system|code`, by code (the first id per code). */
  idsByIdentifier(type: string, system: string, codes: readonly string[]): Map<string, string> {
    const found = new Map<string, string>();
    if (codes.length === 0) return found;
    const rows = this.sqlite
      .prepare(
        `SELECT t.code AS code, t.resource_id AS id FROM search_token t
         JOIN resources r ON r.resource_type = t.resource_type AND r.id = t.resource_id AND r.deleted = 0
         WHERE t.resource_type = ? AND t.param = 'identifier' AND t.system = ? AND t.code IN (${codes.map(() => '?').join(', ')})
         ORDER BY t.resource_id`,
      )
      .all(type, system, ...codes) as Array<{ code: string; id: string }>;
    for (const row of rows) if (!found.has(row.code)) found.set(row.code, row.id);
    return found;
  }

  /** The prepared statement for this SQL text (one per query shape); `pluck` returns first columns. */
  private statement(text: string, pluck = false): SQLite.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      stmt = this.sqlite.prepare(text);
      if (pluck) stmt.pluck(true);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  search(query: SearchQuery, scope: SearchScope = {}): SearchResult {
    const where = whereClause(query, scope);
    const exactClauses = query.clauses.filter((c): c is Extract<SearchClause, { kind: 'string' }> => c.kind === 'string' && c.match === 'exact');
    if (exactClauses.length > 0) return this.searchRefined(query, where, exactClauses);

    if (query.count === 0) return { rows: [], total: query.total === 'none' ? undefined : this.count(where), hasMore: false };

    // Selective searches in id order: list the matching ids (from the indexes alone when every
    // clause is an index clause), which is also the total, then read only the page's rows.
    // Cheaper than a page query plus a COUNT.
    const pinned = scope.compartmentPatientId !== undefined || query.clauses.some((c) => c.kind === 'id' || needsIndexRow(c));
    if (pinned && query.sort.every((k) => k.kind === 'id')) {
      const list = indexOnlyIds(query, scope) ?? { text: `SELECT r.id FROM resources r WHERE ${where.text}`, params: where.params };
      const found = this.statement(`${list.text} LIMIT ?`, true).all(...list.params, ID_LIST_LIMIT + 1) as string[];
      if (found.length <= ID_LIST_LIMIT) {
        // Ids are ASCII, so this order is SQL's binary order too (the other paths sort in SQL).
        const ids = [...new Set(found)].sort();
        if (query.sort[0]?.descending) ids.reverse();
        const rows = this.rowsByIds(query.resourceType, ids.slice(query.offset, query.offset + query.count));
        return { rows, total: ids.length, hasMore: query.offset + query.count < ids.length };
      }
    }

    const select = selectClause(query, where);
    // One extra row says whether there is a next page without counting.
    const rows = this.statement(`${select.text} LIMIT ? OFFSET ?`).all(...select.params, query.count + 1, query.offset) as MatchRow[];
    const hasMore = rows.length > query.count;
    if (hasMore) rows.pop();
    let total: number | undefined;
    if (!hasMore && (query.offset === 0 || rows.length > 0)) total = query.offset + rows.length;
    else if (query.total !== 'none') total = this.count(where);
    return { rows, total, hasMore };
  }

  /**
   * The rows for these ids, in this order. One `IN (…)` query per chunk; the list is padded to a
   * power of two so a handful of statement shapes serve every page size.
   */
  private rowsByIds(type: string, ids: string[]): MatchRow[] {
    if (ids.length === 0) return [];
    const byId = new Map<string, MatchRow>();
    for (let start = 0; start < ids.length; start += 1024) {
      const chunk = ids.slice(start, start + 1024);
      const size = 2 ** Math.ceil(Math.log2(chunk.length));
      while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
      const stmt = this.statement(`SELECT resource_type, id, content, patient_id FROM resources WHERE resource_type = ? AND id IN (${chunk.map(() => '?').join(', ')})`);
      for (const row of stmt.all(type, ...chunk) as MatchRow[]) byId.set(row.id, row);
    }
    return ids.map((id) => byId.get(id)).filter((r): r is MatchRow => r !== undefined);
  }

  /** Live resources of `type` with these ids (for _include and _revinclude), in no particular order. */
  liveRows(type: string, ids: readonly string[]): MatchRow[] {
    const rows: MatchRow[] = [];
    for (const chunk of paddedChunks(ids)) {
      const stmt = this.statement(`SELECT resource_type, id, content, patient_id FROM resources WHERE resource_type = ? AND id IN (${placeholders(chunk.length)}) AND deleted = 0`);
      rows.push(...(stmt.all(type, ...chunk) as MatchRow[]));
    }
    return rows;
  }

  /** The targets of the `param` references of these resources (from the resource-first index). */
  referencedBy(sourceType: string, sourceIds: readonly string[], param: string, targetType?: string): Array<{ type: string; id: string }> {
    const found = new Map<string, { type: string; id: string }>();
    const typeFilter = targetType === undefined ? '' : ' AND target_type = ?';
    for (const chunk of paddedChunks(sourceIds)) {
      const stmt = this.statement(
        `SELECT target_type AS type, target_id AS id FROM search_reference WHERE resource_type = ? AND resource_id IN (${placeholders(chunk.length)}) AND param = ?${typeFilter}`,
      );
      const params = targetType === undefined ? [sourceType, ...chunk, param] : [sourceType, ...chunk, param, targetType];
      for (const row of stmt.all(...params) as Array<{ type: string; id: string }>) found.set(`${row.type}/${row.id}`, row);
    }
    return [...found.values()];
  }

  /** Ids of `sourceType` resources whose `param` refers to one of the targets (value-first index), at most `limit`. */
  referringTo(sourceType: string, param: string, targetType: string, targetIds: readonly string[], limit: number): string[] {
    const found = new Set<string>();
    for (const chunk of paddedChunks(targetIds)) {
      const stmt = this.statement(
        `SELECT resource_id FROM search_reference WHERE resource_type = ? AND param = ? AND target_id IN (${placeholders(chunk.length)}) AND target_type = ? LIMIT ?`,
        true,
      );
      for (const id of stmt.all(sourceType, param, ...chunk, targetType, limit + 1) as string[]) found.add(id);
      if (found.size > limit) break;
    }
    return [...found];
  }

  /** Ids of the resources matching `query` (conditional create and conditional references); at most `limit`. */
  matchingIds(query: SearchQuery, limit: number): string[] {
    const result = this.search({ ...query, count: limit, offset: 0, total: 'none' });
    return result.rows.map((r) => r.id);
  }

  private count(where: Sql): number {
    const row = this.statement(`SELECT COUNT(*) AS n FROM resources r WHERE ${where.text}`).get(...where.params) as { n: number };
    return row.n;
  }

  /**
   * `:exact` needs the original spelling, which the index does not keep (it stores normalized
   * text). The index narrows to the normalized matches; the stored JSON decides the rest.
   */
  private searchRefined(query: SearchQuery, where: Sql, exact: Array<Extract<SearchClause, { kind: 'string' }>>): SearchResult {
    const select = selectClause(query, where);
    const candidates = this.statement(select.text).all(...select.params) as MatchRow[];
    const defs = SEARCH_PARAMETERS[query.resourceType];
    const matches = candidates.filter((row) => {
      const resource = JSON.parse(row.content) as Resource;
      return exact.every((clause) => {
        const def = defs.find((d) => d.name === clause.param)!;
        const present = new Set(def.paths.flatMap((path) => valuesAt(resource, path).flatMap(stringsOf)));
        return clause.values.some((v) => present.has(v.raw));
      });
    });
    const rows = matches.slice(query.offset, query.offset + query.count);
    return { rows, total: matches.length, hasMore: query.offset + query.count < matches.length };
  }
}

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * Chunks of at most 512 ids, each padded (repeating its last id) to a power of two, so a handful of
 * prepared statement shapes serve every list length.
 */
export function paddedChunks(ids: readonly string[]): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += 512) {
    const chunk = ids.slice(start, start + 512);
    const size = 2 ** Math.ceil(Math.log2(chunk.length));
    while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
    chunks.push(chunk);
  }
  return chunks;
}

/** An index clause: which table, which param, and its value test written for a table alias. */
interface IndexMatch {
  clause: SearchClause;
  table: string;
  param: string;
  /** The value test (empty for :missing); `a` is the alias of the index table. */
  match(a: string): Sql;
  /** NOT EXISTS instead of EXISTS (:not, :missing=true). */
  negate: boolean;
  /** Lower drives better (more selective); Infinity never drives. */
  rank: number;
}

function indexMatch(clause: SearchClause): IndexMatch | undefined {
  switch (clause.kind) {
    case 'id':
    case 'lastUpdated':
      return undefined;
    case 'missing':
      return {
        clause,
        table: INDEX_TABLES[clause.table],
        param: clause.param,
        match: () => ({ text: '', params: [] }),
        negate: clause.missing,
        rank: clause.missing ? Infinity : 7,
      };
    case 'token':
      return {
        clause,
        table: 'search_token',
        param: clause.param,
        negate: clause.not,
        rank: clause.not ? Infinity : clause.param === 'identifier' ? 1 : 4,
        match: (a) => {
          const params: unknown[] = [];
          const ors = clause.values.map((v) => {
            if (v.code === undefined) {
              params.push(v.system ?? '');
              return `${a}.system = ?`;
            }
            params.push(v.code);
            if (v.system === undefined) return `${a}.code = ?`;
            if (v.system === null) return `(${a}.code = ? AND ${a}.system IS NULL)`;
            params.push(v.system);
            return `(${a}.code = ? AND ${a}.system = ?)`;
          });
          return { text: ors.join(' OR '), params };
        },
      };
    case 'string':
      return {
        clause,
        table: 'search_string',
        param: clause.param,
        negate: false,
        rank: clause.match === 'exact' ? 2 : clause.match === 'prefix' ? 3 : 6,
        match: (a) => {
          const params: unknown[] = [];
          const ors = clause.values.map((v) => {
            if (clause.match === 'exact') {
              params.push(v.normalized);
              return `${a}.value = ?`;
            }
            if (clause.match === 'contains') {
              params.push(`%${v.normalized.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
              return `${a}.value LIKE ? ESCAPE '\\'`;
            }
            params.push(v.normalized, v.normalized + PREFIX_END);
            return `(${a}.value >= ? AND ${a}.value < ?)`;
          });
          return { text: ors.join(' OR '), params };
        },
      };
    case 'reference':
      return {
        clause,
        table: 'search_reference',
        param: clause.param,
        negate: false,
        rank: 0,
        match: (a) => {
          const params: unknown[] = [];
          const ors = clause.values.map((v) => {
            params.push(v.id);
            if (v.type === undefined) return `${a}.target_id = ?`;
            params.push(v.type);
            return `(${a}.target_id = ? AND ${a}.target_type = ?)`;
          });
          return { text: ors.join(' OR '), params };
        },
      };
    case 'date':
      return {
        clause,
        table: 'search_date',
        param: clause.param,
        negate: false,
        rank: 5,
        match: (a) => {
          const params: unknown[] = [];
          const ors = clause.values.map((v) => {
            const c = dateCondition(`${a}.start`, `${a}."end"`, v);
            params.push(...c.params);
            return c.text;
          });
          return { text: ors.join(' OR '), params };
        },
      };
  }
}

/** `[NOT] EXISTS` index row for the resource identified by the `owner` columns. */
function existsFor(m: IndexMatch, owner: { type: string; id: string }): Sql {
  const match = m.match('i');
  const filter = match.text ? ` AND (${match.text})` : '';
  return {
    text: `${m.negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${m.table} i WHERE i.resource_type = ${owner.type} AND i.resource_id = ${owner.id} AND i.param = ?${filter})`,
    params: [m.param, ...match.params],
  };
}

/** `r.id IN (…)`: the ids with a matching index row, from the value-first index. */
function inListFor(m: IndexMatch, type: string): Sql {
  const match = m.match('i');
  const filter = match.text ? ` AND (${match.text})` : '';
  return {
    text: `r.id IN (SELECT i.resource_id FROM ${m.table} i WHERE i.resource_type = ? AND i.param = ?${filter})`,
    params: [type, m.param, ...match.params],
  };
}

function pickDriver(matches: IndexMatch[]): IndexMatch | undefined {
  let best: IndexMatch | undefined;
  for (const m of matches) if (m.rank < (best?.rank ?? Infinity)) best = m;
  return best;
}

function needsIndexRow(c: SearchClause): boolean {
  const m = indexMatch(c);
  return m !== undefined && !m.negate;
}

/**
 * The WHERE clause over `resources r`. One index clause drives the query (an IN list from the
 * value-first index); the others are checked per candidate (EXISTS on the resource-first index).
 * Letting every clause build its own IN list would materialize e.g. every Observation with a
 * common code. With a compartment or _id the resources rows are already pinned, so every index
 * clause is a check.
 */
function whereClause(query: SearchQuery, scope: SearchScope): Sql {
  // Deleting a resource removes its index rows, so a clause that needs an index row already
  // excludes deleted resources; leaving `deleted` out lets SQLite answer from indexes alone.
  const parts = query.clauses.some(needsIndexRow) ? ['r.resource_type = ?'] : ['r.resource_type = ?', 'r.deleted = 0'];
  const params: unknown[] = [query.resourceType];
  if (scope.compartmentPatientId !== undefined) {
    parts.push('r.patient_id = ?');
    params.push(scope.compartmentPatientId);
  }
  const matches = query.clauses.map(indexMatch).filter((m): m is IndexMatch => m !== undefined);
  const pinned = scope.compartmentPatientId !== undefined || query.clauses.some((c) => c.kind === 'id');
  const driver = pinned ? undefined : pickDriver(matches);
  for (const clause of query.clauses) {
    const m = matches.find((x) => x.clause === clause);
    const sql = m ? (m === driver ? inListFor(m, query.resourceType) : existsFor(m, { type: 'r.resource_type', id: 'r.id' })) : directCondition(clause);
    parts.push(sql.text);
    params.push(...sql.params);
  }
  return { text: parts.join(' AND '), params };
}

/**
 * The matching ids from the index tables alone, for searches whose every clause is an index
 * clause: the driving clause's rows, filtered by EXISTS on the others. No resources row is read
 * (index rows exist only for live resources).
 */
function indexOnlyIds(query: SearchQuery, scope: SearchScope): Sql | undefined {
  if (scope.compartmentPatientId !== undefined) return undefined;
  const matches: IndexMatch[] = [];
  for (const clause of query.clauses) {
    const m = indexMatch(clause);
    if (!m) return undefined;
    matches.push(m);
  }
  const driver = pickDriver(matches);
  if (!driver) return undefined;
  const match = driver.match('m');
  const parts = ['m.resource_type = ?', 'm.param = ?', ...(match.text ? [`(${match.text})`] : [])];
  const params: unknown[] = [query.resourceType, driver.param, ...match.params];
  for (const m of matches) {
    if (m === driver) continue;
    const sql = existsFor(m, { type: 'm.resource_type', id: 'm.resource_id' });
    parts.push(sql.text);
    params.push(...sql.params);
  }
  // No DISTINCT or ORDER BY: either would lead SQLite (without statistics) to walk the
  // resource-first index in id order instead of seeking the driving values. The caller sorts and
  // removes duplicates (a resource matching two OR values).
  return { text: `SELECT m.resource_id FROM ${driver.table} m WHERE ${parts.join(' AND ')}`, params };
}

function directCondition(clause: SearchClause): Sql {
  switch (clause.kind) {
    case 'id':
      return { text: `r.id IN (${clause.values.map(() => '?').join(', ')})`, params: clause.values };
    case 'lastUpdated': {
      const ors = clause.values.map((v) => dateCondition('r.last_updated', 'r.last_updated', v));
      return { text: `(${ors.map((o) => o.text).join(' OR ')})`, params: ors.flatMap((o) => o.params) };
    }
    default:
      throw new Error(`not a direct clause: ${clause.kind}`);
  }
}

/**
 * A date prefix applied to a stored [start, end] range against the searched [qs, qe] range, as
 * the FHIR spec defines them for ranges: eq = contained in, gt = extends after, sa = starts after…
 */
export function dateCondition(start: string, end: string, v: DateValue): Sql {
  const contained = `(${start} >= ? AND ${end} <= ?)`;
  switch (v.prefix) {
    case 'eq':
      return { text: contained, params: [v.start, v.end] };
    case 'ne':
      return { text: `NOT ${contained}`, params: [v.start, v.end] };
    case 'gt':
      return { text: `${end} > ?`, params: [v.end] };
    case 'lt':
      return { text: `${start} < ?`, params: [v.start] };
    case 'ge':
      return { text: `(${end} > ? OR ${contained})`, params: [v.end, v.start, v.end] };
    case 'le':
      return { text: `(${start} < ? OR ${contained})`, params: [v.start, v.start, v.end] };
    case 'sa':
      return { text: `${start} > ?`, params: [v.end] };
    case 'eb':
      return { text: `${end} < ?`, params: [v.start] };
    case 'ap': {
      // Approximately: overlaps the value widened by 10% of its distance from now (at least a day).
      const qs = Date.parse(v.start);
      const qe = Date.parse(v.end);
      const slack = Math.max(86_400_000, Math.abs(Date.now() - qs) * 0.1);
      const from = new Date(Math.max(qs - slack, Date.UTC(1, 0, 1))).toISOString();
      const to = new Date(Math.min(qe + slack, Date.UTC(9999, 11, 31))).toISOString();
      return { text: `(${start} <= ? AND ${end} >= ?)`, params: [to, from] };
    }
  }
}

function selectClause(query: SearchQuery, where: Sql): Sql {
  const columns = 'r.resource_type, r.id, r.content, r.patient_id';
  if (query.sort.length === 0) {
    return { text: `SELECT ${columns} FROM resources r WHERE ${where.text} ORDER BY r.id`, params: where.params };
  }
  if (query.sort.every((k) => k.kind === 'id' || k.kind === 'lastUpdated')) {
    const order = query.sort.map((k) => `${k.kind === 'id' ? 'r.id' : 'r.last_updated'}${k.descending ? ' DESC' : ''}`);
    if (!query.sort.some((k) => k.kind === 'id')) order.push('r.id');
    return { text: `SELECT ${columns} FROM resources r WHERE ${where.text} ORDER BY ${order.join(', ')}`, params: where.params };
  }
  // Sorting by an indexed value: the earliest start (ascending) or latest end (descending) of a
  // date, the smallest/largest string; resources without a value sort last either way.
  const sortParams: unknown[] = [];
  const keyColumns: string[] = [];
  const order: string[] = [];
  query.sort.forEach((k, i) => {
    const alias = `k${i}`;
    if (k.kind === 'id') order.push(`q.id${k.descending ? ' DESC' : ''}`);
    else if (k.kind === 'lastUpdated') order.push(`q.last_updated${k.descending ? ' DESC' : ''}`);
    else {
      const expr =
        k.kind === 'date'
          ? `(SELECT ${k.descending ? 'MAX(d."end")' : 'MIN(d.start)'} FROM search_date d WHERE d.resource_type = r.resource_type AND d.resource_id = r.id AND d.param = ?)`
          : `(SELECT ${k.descending ? 'MAX' : 'MIN'}(s.value) FROM search_string s WHERE s.resource_type = r.resource_type AND s.resource_id = r.id AND s.param = ?)`;
      sortParams.push(k.param);
      keyColumns.push(`${expr} AS ${alias}`);
      order.push(`CASE WHEN q.${alias} IS NULL THEN 1 ELSE 0 END`, `q.${alias}${k.descending ? ' DESC' : ''}`);
    }
  });
  if (!query.sort.some((k) => k.kind === 'id')) order.push('q.id');
  const inner = `SELECT ${columns}, r.last_updated${keyColumns.map((c) => `, ${c}`).join('')} FROM resources r WHERE ${where.text}`;
  return {
    text: `SELECT q.resource_type, q.id, q.content, q.patient_id FROM (${inner}) q ORDER BY ${order.join(', ')}`,
    params: [...sortParams, ...where.params],
  };
}
