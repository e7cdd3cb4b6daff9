/**
 * The clinic connection refuses what a scenario should not be able to do: patient actions for a
 * visitor, bodies that fail their schema, unknown or crafted paths, and it turns the scheduling
 * service's refusals into answers the scenario can branch on (never a thrown error).
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { ClinicConnection, type ClinicConnectionDeps } from './clinic-connection.js';
import type { ConnectionRequest } from './engine.js';

function connection(overrides: Partial<ClinicConnectionDeps> = {}) {
  const written: unknown[] = [];
  const booked: unknown[] = [];
  const deps: ClinicConnectionDeps = {
    knowledge: { search: () => Promise.resolve({ results: [], total: 0 } as never) },
    scheduling: {
      options: () => ({ timeZone: 'America/Denver', holdMinutes: 5, maxRangeDays: 60, specialties: [{ code: 'cardio', display: 'Cardiology' }], practitioners: [], locations: [], languages: [], modes: [] }),
      availability: () => ({ from: '', to: '', timeZone: 'America/Denver', slots: [], nextCursor: null }),
      list: () => Promise.resolve({ upcoming: [] }),
      book: (_actor, input) => {
        booked.push(input);
        if (input.slotId === 'taken') throw new AppError('slot_taken', 'Someone just took that time.');
        return Promise.resolve({ id: 'a1', start: '2026-12-08T16:00:00Z', status: 'booked', practitioner: { name: 'Dr Lee' }, specialty: null, location: null, mode: 'in-person' });
      },
      cancel: () => Promise.reject(new Error('not used')),
      reschedule: () => Promise.reject(new Error('not used')),
    },
    fhir: {
      write: (resource) => {
        written.push(resource);
        return resource;
      },
    },
    forgetUser: () => Promise.resolve(),
    timeZone: 'America/Denver',
    logger: { warn: () => undefined },
    ...overrides,
  };
  return { clinic: new ClinicConnection(deps), written, booked };
}

const request = (method: ConnectionRequest['method'], path: string, body: unknown = null, who: Partial<ConnectionRequest> = {}): ConnectionRequest => ({
  method,
  path,
  query: {},
  body,
  conversationId: 'c1',
  patientId: 'p1',
  userId: 'u1',
  userKey: 'patient:p1',
  locale: 'en-US',
  ...who,
});

describe('the clinic connection', () => {
  it('asks a visitor to sign in before any patient action, and writes nothing', async () => {
    const { clinic, written, booked } = connection();
    for (const [method, path, body] of [
      ['GET', '/appointments', null],
      ['POST', '/appointments', { slotId: 's1' }],
      ['POST', '/appointments/a1/cancel', {}],
      ['POST', '/refill-requests', { medication: 'metformin' }],
    ] as const) {
      const reply = await clinic.handle(request(method, path, body, { patientId: null, userId: 'visitor-1' }));
      expect(reply.status, path).toBe(401);
      expect(reply.body).toEqual({ error: expect.stringContaining('Sign in') });
    }
    expect(written).toEqual([]);
    expect(booked).toEqual([]);
  });

  it('refuses bodies that fail their schema, naming the field', async () => {
    const { clinic, written } = connection();
    expect(await clinic.handle(request('POST', '/refill-requests', { medication: 'x' }))).toMatchObject({ status: 400, body: { error: expect.stringContaining('medication') } });
    expect(await clinic.handle(request('POST', '/refill-requests', { medication: 'metformin', admin: true }))).toMatchObject({ status: 400 });
    expect(await clinic.handle(request('POST', '/appointments', { slotId: '../../Patient/p2' }))).toMatchObject({ status: 400, body: { error: expect.stringContaining('slotId') } });
    expect(await clinic.handle(request('POST', '/feedback', { rating: 9 }))).toMatchObject({ status: 400, body: { error: expect.stringContaining('rating') } });
    expect(await clinic.handle(request('POST', '/feedback', 'five stars'))).toMatchObject({ status: 400 });
    expect(written).toEqual([]);
  });

  it('answers 404 for unknown and crafted paths', async () => {
    const { clinic } = connection();
    for (const path of ['/', '/admin', '/appointments/../refill-requests', '/appointments/a1/delete', '/appointments/a%2F1/cancel', '/knowledge/../../etc']) {
      expect((await clinic.handle(request('POST', path, {}))).status, path).toBe(404);
    }
    expect((await clinic.handle(request('DELETE', '/appointments', null))).status).toBe(404);
  });

  it('turns a slot someone just took into a 409 the scenario can branch on', async () => {
    const { clinic } = connection();
    expect(await clinic.handle(request('POST', '/appointments', { slotId: 'taken' }))).toEqual({ status: 409, body: { error: 'Someone just took that time.', code: 'slot_taken' } });
    expect(await clinic.handle(request('POST', '/appointments', { slotId: 's1' }))).toMatchObject({ status: 201, body: { appointment: { id: 'a1', practitioner: 'Dr Lee' } } });
  });

  it('lists the specialties it has when asked for one it does not', async () => {
    const { clinic } = connection();
    expect(await clinic.handle({ ...request('GET', '/doctors'), query: { specialty: 'astrology' } })).toEqual({ status: 200, body: { doctors: [], specialties: ['Cardiology'] } });
    expect(await clinic.handle({ ...request('GET', '/knowledge'), query: { q: '   ' } })).toMatchObject({ status: 400 });
  });
});
