/**
 * The system facade's search (live resources by FHIR search parameters, in `_sort` order, limited)
 * and its optimistic write (`ifMatch`: a stale version is a 412 and writes nothing), against a real
 * SQLite store.
 */
import type { Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../platform/errors.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const slot = (start: string, status: Slot['status']): Slot => ({ resourceType: 'Slot', schedule: { reference: 'Schedule/none' }, status, start, end: start.replace(':00:00Z', ':30:00Z') });

describe('SystemFhir', () => {
  it('searches live resources by parameters, sorted and limited', () => {
    const { system, store } = server.context.fhir;
    const ids = ['2031-03-01T17:00:00Z', '2031-03-01T15:00:00Z', '2031-03-01T16:00:00Z'].map((start) => store.create(slot(start, 'free')).id!);
    store.create(slot('2031-03-01T18:00:00Z', 'busy'));
    store.delete('Slot', ids[2]!);
    const found = system.search<Slot>('Slot', [['status', 'free'], ['start', 'ge2031-03-01'], ['_sort', 'start']], { limit: 10 });
    expect(found.map((s) => s.start)).toEqual(['2031-03-01T15:00:00Z', '2031-03-01T17:00:00Z']);
    expect(system.search('Slot', [['status', 'free'], ['start', 'ge2031-03-01'], ['_sort', 'start']], { limit: 1 })).toHaveLength(1);
    expect(() => system.search('Slot', [['colour', 'red']], { limit: 10 })).toThrow(/colour/);
    expect(() => system.search('Slot', [], { limit: 0 })).toThrow(RangeError);
  });

  it('writes with ifMatch only when the version is current', () => {
    const { system } = server.context.fhir;
    const created = system.write({ ...slot('2031-04-01T15:00:00Z', 'free'), id: 'slot-if-match' }, { audit: null });
    expect(created.meta?.versionId).toBe('1');
    const busy = system.write({ ...created, status: 'busy' }, { audit: null, ifMatch: 1 });
    expect(busy.meta?.versionId).toBe('2');
    let failure: unknown;
    try {
      system.write({ ...created, status: 'busy-tentative' }, { audit: null, ifMatch: 1 });
    } catch (err) {
      failure = err;
    }
    expect(isAppError(failure) && failure.status).toBe(412);
    expect(system.read<Slot>('Slot', 'slot-if-match')).toMatchObject({ status: 'busy', meta: { versionId: '2' } });
  });
});
