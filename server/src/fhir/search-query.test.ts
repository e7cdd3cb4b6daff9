import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { parseDateValue, parseSearch, queryPairs, splitValues, type SearchClause } from './search-query.js';

const parse = (type: Parameters<typeof parseSearch>[0], query: string, lenient = false) => parseSearch(type, queryPairs(query), { lenient });

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('splitValues', () => {
  it.each([
    ['a,b', ['a', 'b']],
    ['a\\,b', ['a\\,b']],
    ['a\\\\,b', ['a\\\\', 'b']],
    ['single', ['single']],
  ])('%s', (raw, expected) => {
    expect(splitValues(raw)).toEqual(expected);
  });
});

describe('token values', () => {
  it.each<[string, { system: string | null | undefined; code: string | undefined }]>([
    ['code=8302-2', { system: undefined, code: '8302-2' }],
    ['code=http://loinc.org|8302-2', { system: 'http://loinc.org', code: '8302-2' }],
    ['code=|8302-2', { system: null, code: '8302-2' }],
    ['code=http://loinc.org|', { system: 'http://loinc.org', code: undefined }],
    ['code=urn:x\\|y|z', { system: 'urn:x|y', code: 'z' }],
  ])('%s', (query, expected) => {
    const clause = parse('Observation', query).clauses[0] as Extract<SearchClause, { kind: 'token' }>;
    expect(clause.values).toEqual([expected]);
  });

  it('ORs comma-separated values and ANDs repeated parameters', () => {
    const q = parse('Observation', 'code=a,b&code=c&status=final');
    expect(q.clauses.map((c) => c.kind === 'token' && c.values.map((v) => v.code))).toEqual([['a', 'b'], ['c'], ['final']]);
  });
});

describe('string values', () => {
  it('normalizes case and accents and keeps the raw value for :exact', () => {
    const clause = parse('Patient', 'family:exact=Müller').clauses[0] as Extract<SearchClause, { kind: 'string' }>;
    expect(clause).toMatchObject({ match: 'exact', values: [{ normalized: 'muller', raw: 'Müller' }] });
    expect(parse('Patient', 'name=Jo').clauses[0]).toMatchObject({ match: 'prefix' });
    expect(parse('Patient', 'name:contains=oh').clauses[0]).toMatchObject({ match: 'contains' });
  });
});

describe('reference values', () => {
  it.each([
    ['patient=123', { id: '123' }],
    ['subject=Patient/123', { type: 'Patient', id: '123' }],
    ['subject=http://example.org/fhir/Patient/123', { type: 'Patient', id: '123' }],
    ['subject:Patient=123', { type: 'Patient', id: '123' }],
  ])('%s', (query, expected) => {
    const clause = parse('Observation', query).clauses[0] as Extract<SearchClause, { kind: 'reference' }>;
    expect(clause.values).toEqual([expected]);
  });

  it('refuses a reference to a type the parameter cannot point at', () => {
    expect(failure(() => parse('Observation', 'patient=Practitioner/1')).message).toContain('patient refers to Patient');
  });
});

describe('date values', () => {
  it.each([
    ['2020', 'eq', '2020-01-01T00:00:00.000Z', '2020-12-31T23:59:59.999Z'],
    ['ge2020-02', 'ge', '2020-02-01T00:00:00.000Z', '2020-02-29T23:59:59.999Z'],
    ['lt2020-03-04', 'lt', '2020-03-04T00:00:00.000Z', '2020-03-04T23:59:59.999Z'],
    ['sa2020-03-04T10:00:00+02:00', 'sa', '2020-03-04T08:00:00.000Z', '2020-03-04T08:00:00.000Z'],
  ])('%s', (raw, prefix, start, end) => {
    expect(parseDateValue('date', raw)).toEqual({ prefix, start, end });
  });

  it.each(['2020-13', '2021-02-29', 'xx2020', 'yesterday', '2020-01-01T25:00:00Z', ''])('rejects %s', (raw) => {
    expect(failure(() => parseDateValue('date', raw)).status).toBe(400);
  });
});

describe('result parameters', () => {
  it('defaults _count to 20, caps it at 1000 and reads _offset', () => {
    expect(parse('Patient', '').count).toBe(20);
    expect(parse('Patient', '_count=5000').count).toBe(1000);
    expect(parse('Patient', '_count=0&_offset=40')).toMatchObject({ count: 0, offset: 40 });
  });

  it.each(['_count=abc', '_count=-1', '_count=1.5', '_offset=x', '_total=maybe'])('rejects %s', (query) => {
    const err = failure(() => parse('Patient', query));
    expect(err.status).toBe(400);
    expect(err.message).toContain(query.split('=')[0]);
  });

  it('sorts by _lastUpdated, _id, dates and strings, descending with -', () => {
    expect(parse('Observation', '_sort=-date,_id').sort).toEqual([
      { kind: 'date', param: 'date', descending: true },
      { kind: 'id', param: '_id', descending: false },
    ]);
    expect(parse('Patient', '_sort=family').sort[0]).toMatchObject({ kind: 'string' });
  });

  it.each(['_sort=code', '_sort=nope', '_sort=-patient'])('refuses %s', (query) => {
    expect(failure(() => parse('Observation', query)).status).toBe(400);
  });
});

describe('unknown parameters', () => {
  it('are a 400 naming the parameter', () => {
    const err = failure(() => parse('Patient', 'name=x&colour=blue'));
    expect(err.status).toBe(400);
    expect(err.message).toContain('"colour"');
  });

  it('are skipped under Prefer: handling=lenient', () => {
    const q = parse('Patient', 'name=x&colour=blue&_contained=true', true);
    expect(q.ignored).toEqual(['colour', '_contained']);
    expect(q.canonical).toEqual([['name', 'x']]);
  });

  it('name unsupported modifiers', () => {
    expect(failure(() => parse('Patient', 'name:below=x')).message).toContain(':below');
    expect(failure(() => parse('Observation', 'date:exact=2020')).message).toContain(':exact');
  });

  it('accept _format and :missing', () => {
    expect(parse('Patient', '_format=json&birthdate:missing=true').clauses).toEqual([{ kind: 'missing', param: 'birthdate', table: 'date', missing: true }]);
    expect(failure(() => parse('Patient', 'birthdate:missing=maybe')).status).toBe(400);
  });
});
