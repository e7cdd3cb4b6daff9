/**
 * Parses a FHIR search request (`name=value` pairs from the query string or a form body) into a
 * typed query the search repository turns into SQL. Pure: no I/O. Every problem is a 400 that
 * names the parameter.
 */
import { AppError } from '../platform/errors.js';
import {
  SEARCH_PARAMETERS,
  SUPPORTED_RESOURCE_TYPES,
  dateRange,
  isSupportedResourceType,
  normalizeString,
  type SearchParamDef,
  type SupportedResourceType,
} from './search-parameters.js';
import { isElementOf, type Subset } from './subsetting.js';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;
const MAX_OFFSET = 1_000_000;
const MAX_VALUES_PER_PARAM = 100;
const MAX_VALUE_LENGTH = 500;
const MAX_INCLUDES = 10;
const MAX_ELEMENTS = 50;

export type DatePrefix = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'sa' | 'eb' | 'ap';

export interface TokenValue {
  /** undefined: any system; null: no system (`|code`). */
  system: string | null | undefined;
  /** undefined: any code in the system (`system|`). */
  code: string | undefined;
}
export interface ReferenceValue {
  type?: string;
  id: string;
}
export interface DateValue {
  prefix: DatePrefix;
  /** The instant range the searched value covers (a day covers the whole day). */
  start: string;
  end: string;
}
export interface StringValue {
  /** Normalized (lower case, no accents), as indexed. */
  normalized: string;
  /** As given, for :exact. */
  raw: string;
}

export type SearchClause =
  | { kind: 'id'; values: string[] }
  | { kind: 'lastUpdated'; values: DateValue[] }
  | { kind: 'token'; param: string; not: boolean; values: TokenValue[] }
  | { kind: 'string'; param: string; match: 'prefix' | 'exact' | 'contains'; values: StringValue[] }
  | { kind: 'reference'; param: string; values: ReferenceValue[] }
  | { kind: 'date'; param: string; values: DateValue[] }
  | { kind: 'missing'; param: string; table: 'token' | 'string' | 'reference' | 'date'; missing: boolean };

export interface SortKey {
  kind: 'id' | 'lastUpdated' | 'date' | 'string';
  param: string;
  descending: boolean;
}

/** `_include=Source:param[:Target]` or `_revinclude=Source:param[:Target]`. */
export interface IncludeSpec {
  /** The type whose reference parameter is followed (the matches' type for _include). */
  sourceType: SupportedResourceType;
  param: string;
  /** Only references to this type. */
  targetType?: SupportedResourceType;
}

export interface SearchQuery {
  resourceType: SupportedResourceType;
  clauses: SearchClause[];
  /** `_include`: resources the matches refer to. */
  includes: IncludeSpec[];
  /** `_revinclude`: resources that refer to the matches. */
  revIncludes: IncludeSpec[];
  /** `_summary=true` or `_elements`: entries cut down to some elements (includes too for _summary). */
  subset?: Subset;
  sort: SortKey[];
  count: number;
  offset: number;
  total: 'none' | 'estimate' | 'accurate';
  /** The parameters that shaped the result, in request order, for the Bundle's links (no _offset). */
  canonical: Array<[string, string]>;
  /** Unknown parameters skipped under `Prefer: handling=lenient`. */
  ignored: string[];
}

export interface ParseOptions {
  /** `Prefer: handling=lenient`: skip unknown parameters instead of failing. */
  lenient?: boolean;
}

/** Result parameters we accept and ignore (the router refuses formats other than JSON). */
const IGNORED_RESULT_PARAMS = new Set(['_format', '_pretty']);
/** Search features of the spec we do not implement: named, so the error is clear. */
const UNSUPPORTED_PARAMS = new Set([
  '_contained',
  '_containedType',
  '_has',
  '_list',
  '_text',
  '_content',
  '_query',
  '_filter',
  '_tag',
  '_profile',
  '_security',
  '_source',
  '_type',
]);
const DATE_PREFIXES = new Set<DatePrefix>(['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap']);

export const searchError = (param: string, message: string) =>
  new AppError('invalid_search', message, { issues: [{ severity: 'error', code: 'invalid', diagnostics: message, expression: [param] }] });

/** Splits on commas not escaped with a backslash, and unescapes `\,` `\|` `\$` `\\`. */
export function splitValues(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length) {
      current += `\\${raw[++i]}`;
    } else if (ch === ',') {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

const unescape = (value: string) => value.replace(/\\(.)/g, '$1');

/** Splits a token on the first unescaped `|`. */
function splitToken(value: string): [string, string] | undefined {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '|') return [value.slice(0, i), value.slice(i + 1)];
  }
  return undefined;
}

/** Parses a date search value (`ge2020-01`, `2020-03-04T10:00:00Z`) into its prefix and range. */
export function parseDateValue(param: string, raw: string): DateValue {
  const match = /^([a-z]{2})?(\d.*)$/.exec(raw);
  const prefix = (match?.[1] ?? 'eq') as DatePrefix;
  const value = match?.[2] ?? '';
  if (!match || !DATE_PREFIXES.has(prefix)) throw searchError(param, `Invalid date prefix in ${param}=${raw}: use eq, ne, lt, gt, le, ge, sa, eb or ap.`);
  const range = isCalendarDate(value) ? dateRange(value) : undefined;
  if (!range) throw searchError(param, `Invalid date in ${param}=${raw}: use YYYY, YYYY-MM, YYYY-MM-DD or an ISO date-time.`);
  return { prefix, ...range };
}

/** False for calendar nonsense that Date.UTC would silently roll over (month 13, 30 February, hour 25). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?)?)?/.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return false;
  if (d !== undefined) {
    const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
    if (Number(d) < 1 || Number(d) > days) return false;
  }
  if (h !== undefined && Number(h) > 23) return false;
  if (mi !== undefined && Number(mi) > 59) return false;
  if (s !== undefined && Number(s) > 59) return false;
  return true;
}

function parseInteger(param: string, raw: string, max: number): number {
  if (!/^\d{1,9}$/.test(raw)) throw searchError(param, `${param} must be a whole number from 0 to ${max}, not "${raw.slice(0, 40)}".`);
  return Number(raw);
}

function parseTokenValue(value: string): TokenValue {
  const parts = splitToken(value);
  if (!parts) return { system: undefined, code: unescape(value) };
  const [system, code] = parts;
  return {
    system: system === '' ? null : unescape(system),
    code: code === '' ? undefined : unescape(code),
  };
}

function parseReferenceValue(param: string, def: SearchParamDef, value: string, typeModifier: string | undefined): ReferenceValue {
  // An id, Type/id, or an absolute URL ending in Type/id (optionally /_history/version).
  const segments = unescape(value).replace(/\/_history\/[^/]+$/, '').split('/');
  const id = segments.at(-1)!;
  const typed = segments.length > 1 ? segments.at(-2)! : undefined;
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id) || (typed !== undefined && !/^[A-Z][A-Za-z]+$/.test(typed))) {
    throw searchError(param, `Invalid reference in ${param}=${value.slice(0, 100)}: use an id or Type/id.`);
  }
  const type = typed ?? typeModifier;
  if (type && def.targets && !def.targets.includes(type)) {
    throw searchError(param, `${param} refers to ${def.targets.join(' or ')}, not ${type}.`);
  }
  return type ? { type, id } : { id };
}

/** Parses every pair; repeated parameters AND together, comma-separated values OR together. */
export function parseSearch(type: SupportedResourceType, pairs: Array<[string, string]>, options: ParseOptions = {}): SearchQuery {
  const query: SearchQuery = {
    resourceType: type,
    clauses: [],
    includes: [],
    revIncludes: [],
    sort: [],
    count: DEFAULT_COUNT,
    offset: 0,
    total: 'accurate',
    canonical: [],
    ignored: [],
  };
  const defs = SEARCH_PARAMETERS[type];
  for (const [key, raw] of pairs) {
    if (raw.length > MAX_VALUE_LENGTH * 4) throw searchError(key, `The value of ${key} is too long.`);
    const colon = key.indexOf(':');
    const name = colon === -1 ? key : key.slice(0, colon);
    const modifier = colon === -1 ? undefined : key.slice(colon + 1);
    const keep = () => query.canonical.push([key, raw]);

    if (IGNORED_RESULT_PARAMS.has(name)) continue;
    if (name === '_count') {
      query.count = Math.min(parseInteger(key, raw, MAX_COUNT), MAX_COUNT);
      continue;
    }
    if (name === '_offset') {
      query.offset = parseInteger(key, raw, MAX_OFFSET);
      if (query.offset > MAX_OFFSET) throw searchError(key, `_offset must be at most ${MAX_OFFSET}.`);
      continue;
    }
    if (name === '_total') {
      if (raw !== 'none' && raw !== 'estimate' && raw !== 'accurate') throw searchError(key, '_total must be none, estimate or accurate.');
      query.total = raw;
      keep();
      continue;
    }
    if (name === '_sort') {
      query.sort = parseSort(type, raw);
      keep();
      continue;
    }
    if (name === '_include' || name === '_revinclude') {
      if (modifier !== undefined) throw searchError(key, `${name}:${modifier} is not supported (no :iterate): follow one level of references.`);
      const list = name === '_include' ? query.includes : query.revIncludes;
      for (const value of raw.split(',')) list.push(name === '_include' ? parseInclude(type, value) : parseRevInclude(type, value));
      if (list.length > MAX_INCLUDES) throw searchError(key, `At most ${MAX_INCLUDES} ${name} values.`);
      keep();
      continue;
    }
    if (name === '_summary') {
      if (modifier !== undefined) throw searchError(key, '_summary takes no modifier.');
      if (raw === 'true') query.subset = { kind: 'summary' };
      else if (raw === 'count') query.count = 0;
      else if (raw !== 'false') throw searchError(key, `_summary=${raw.slice(0, 20)} is not supported: use true, count or false.`);
      keep();
      continue;
    }
    if (name === '_elements') {
      if (modifier !== undefined) throw searchError(key, '_elements takes no modifier.');
      query.subset = { kind: 'elements', names: parseElements(type, raw) };
      keep();
      continue;
    }
    if (UNSUPPORTED_PARAMS.has(name)) {
      if (options.lenient) {
        query.ignored.push(key);
        continue;
      }
      throw searchError(key, `The search parameter ${name} is not supported by this server.`);
    }

    const values = splitValues(raw);
    if (values.length > MAX_VALUES_PER_PARAM) throw searchError(key, `${key} has more than ${MAX_VALUES_PER_PARAM} values.`);
    if (values.some((v) => v === '')) throw searchError(key, `${key} has an empty value.`);

    if (name === '_id') {
      if (modifier) throw searchError(key, `_id takes no modifier.`);
      const ids = values.map(unescape);
      for (const id of ids) if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw searchError(key, `Invalid id in _id: "${id.slice(0, 80)}".`);
      query.clauses.push({ kind: 'id', values: ids });
      keep();
      continue;
    }
    if (name === '_lastUpdated') {
      if (modifier) throw searchError(key, `_lastUpdated takes no modifier.`);
      query.clauses.push({ kind: 'lastUpdated', values: values.map((v) => parseDateValue(key, v)) });
      keep();
      continue;
    }

    const def = defs.find((d) => d.name === name);
    if (!def) {
      if (options.lenient) {
        query.ignored.push(key);
        continue;
      }
      throw searchError(
        key,
        `Unknown search parameter "${name}" for ${type}. Known: _id, _lastUpdated, ${defs.map((d) => d.name).join(', ')}.`,
      );
    }
    if (modifier === 'missing') {
      if (raw !== 'true' && raw !== 'false') throw searchError(key, `${key} must be true or false.`);
      query.clauses.push({ kind: 'missing', param: name, table: def.kind, missing: raw === 'true' });
      keep();
      continue;
    }
    query.clauses.push(parseClause(key, def, modifier, values));
    keep();
  }
  if (pairs.some(([k]) => k === '_elements') && pairs.some(([k, v]) => k === '_summary' && v === 'true')) {
    throw searchError('_elements', '_summary=true and _elements cannot be combined.');
  }
  // _summary=count: the total and nothing else.
  if (pairs.some(([k, v]) => k === '_summary' && v === 'count')) query.count = 0;
  return query;
}

/** The reference parameters of a type: what _include and _revinclude can follow. */
export function referenceParams(type: SupportedResourceType): SearchParamDef[] {
  return SEARCH_PARAMETERS[type].filter((d) => d.kind === 'reference');
}

/** True when the reference parameter may point at `target` (it names no targets, or lists it). */
export function canTarget(def: SearchParamDef, target: string): boolean {
  return def.targets === undefined || def.targets.includes(target);
}

/** `Source:param[:Target]` → its parts, the types checked. */
function splitInclude(key: string, value: string): { source: SupportedResourceType; param: string; target?: SupportedResourceType } {
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw searchError(key, `${key}=${value.slice(0, 80)}: use ResourceType:parameter or ResourceType:parameter:TargetType (no wildcards).`);
  }
  const [source, param, target] = parts as [string, string, string | undefined];
  if (!isSupportedResourceType(source)) throw searchError(key, `${key}: "${source.slice(0, 40)}" is not a supported resource type.`);
  if (target !== undefined && !isSupportedResourceType(target)) throw searchError(key, `${key}: "${target.slice(0, 40)}" is not a supported resource type.`);
  return target === undefined ? { source, param } : { source, param, target };
}

function referenceParam(key: string, source: SupportedResourceType, param: string): SearchParamDef {
  const def = referenceParams(source).find((d) => d.name === param);
  if (!def) {
    const known = referenceParams(source).map((d) => d.name);
    throw searchError(key, `${source} has no reference parameter "${param.slice(0, 40)}"${known.length ? ` (it has ${known.join(', ')})` : ''}.`);
  }
  return def;
}

function parseInclude(type: SupportedResourceType, value: string): IncludeSpec {
  const { source, param, target } = splitInclude('_include', value);
  if (source !== type) throw searchError('_include', `_include=${value.slice(0, 80)}: a ${type} search includes from ${type}:… (no :iterate).`);
  const def = referenceParam('_include', source, param);
  if (target !== undefined && !canTarget(def, target)) throw searchError('_include', `${source}:${param} refers to ${def.targets!.join(' or ')}, not ${target}.`);
  return target === undefined ? { sourceType: source, param } : { sourceType: source, param, targetType: target };
}

function parseRevInclude(type: SupportedResourceType, value: string): IncludeSpec {
  const { source, param, target } = splitInclude('_revinclude', value);
  const def = referenceParam('_revinclude', source, param);
  if (target !== undefined && target !== type) throw searchError('_revinclude', `_revinclude=${value.slice(0, 80)}: the target of a ${type} search is ${type}.`);
  if (!canTarget(def, type)) throw searchError('_revinclude', `${source}:${param} refers to ${def.targets!.join(' or ')}, never to ${type}.`);
  return { sourceType: source, param, targetType: type };
}

/** The revincludes a type can be searched with: every `Source:param` that may refer to it. */
export function revIncludesOf(type: SupportedResourceType): string[] {
  const out: string[] = [];
  for (const source of SUPPORTED_RESOURCE_TYPES) {
    for (const def of referenceParams(source)) if (canTarget(def, type)) out.push(`${source}:${def.name}`);
  }
  return out;
}

function parseElements(type: SupportedResourceType, raw: string): Set<string> {
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw searchError('_elements', '_elements needs at least one element name.');
  if (names.length > MAX_ELEMENTS) throw searchError('_elements', `_elements takes at most ${MAX_ELEMENTS} names.`);
  for (const name of names) {
    if (!isElementOf(type, name)) throw searchError('_elements', `${type} has no element "${name.slice(0, 40)}" (use top-level element names, e.g. value for value[x]).`);
  }
  return new Set(names);
}

function parseClause(key: string, def: SearchParamDef, modifier: string | undefined, values: string[]): SearchClause {
  const badModifier = () => searchError(key, `The modifier :${modifier} is not supported on ${def.kind} parameter ${def.name}.`);
  switch (def.kind) {
    case 'token': {
      if (modifier !== undefined && modifier !== 'not') throw badModifier();
      return { kind: 'token', param: def.name, not: modifier === 'not', values: values.map(parseTokenValue) };
    }
    case 'string': {
      if (modifier !== undefined && modifier !== 'exact' && modifier !== 'contains') throw badModifier();
      const parsed = values.map((v) => {
        const raw = unescape(v);
        return { raw, normalized: normalizeString(raw) };
      });
      if (parsed.some((v) => v.normalized === '')) throw searchError(key, `${key} needs a non-blank value.`);
      return { kind: 'string', param: def.name, match: modifier ?? 'prefix', values: parsed };
    }
    case 'reference': {
      if (modifier !== undefined && !/^[A-Z][A-Za-z]+$/.test(modifier)) throw badModifier();
      return { kind: 'reference', param: def.name, values: values.map((v) => parseReferenceValue(key, def, v, modifier)) };
    }
    case 'date': {
      if (modifier !== undefined) throw badModifier();
      return { kind: 'date', param: def.name, values: values.map((v) => parseDateValue(key, v)) };
    }
  }
}

function parseSort(type: SupportedResourceType, raw: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of raw.split(',')) {
    const descending = part.startsWith('-');
    const name = descending ? part.slice(1) : part;
    if (name === '_id') keys.push({ kind: 'id', param: name, descending });
    else if (name === '_lastUpdated') keys.push({ kind: 'lastUpdated', param: name, descending });
    else {
      const def = SEARCH_PARAMETERS[type].find((d) => d.name === name);
      if (!def) throw searchError('_sort', `Cannot sort ${type} by "${name}": it is not a search parameter of ${type}.`);
      if (def.kind !== 'date' && def.kind !== 'string') {
        throw searchError('_sort', `Cannot sort by ${name}: only _id, _lastUpdated and date or string parameters sort.`);
      }
      keys.push({ kind: def.kind, param: name, descending });
    }
  }
  if (keys.length > 5) throw searchError('_sort', '_sort takes at most 5 keys.');
  return keys;
}

/** Parses a raw query string (without `?`) into ordered pairs. */
export function queryPairs(raw: string): Array<[string, string]> {
  if (!raw) return [];
  return [...new URLSearchParams(raw)].filter(([k]) => k !== '');
}
