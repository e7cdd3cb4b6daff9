import { describe, expect, it } from 'vitest';
import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';
import { problemMessage, serverProblem, type ProblemWording } from './server-errors.js';

const answered = (status: number, error?: unknown): FetchBaseQueryError => ({ status, data: error === undefined ? null : { error } });

describe('serverProblem', () => {
  it.each<[string, Parameters<typeof serverProblem>[0], ReturnType<typeof serverProblem>]>([
    ['no answer', { status: 'FETCH_ERROR', error: 'TypeError: Failed to fetch' }, { kind: 'unreachable' }],
    ['a timeout', { status: 'TIMEOUT_ERROR', error: 'AbortError' }, { kind: 'unreachable' }],
    ['an error body', answered(401, { code: 'invalid_credentials', message: 'Wrong email or password' }), { kind: 'answered', status: 401, code: 'invalid_credentials', message: 'Wrong email or password' }],
    ['no body', answered(500), { kind: 'answered', status: 500 }],
    ['a body of another shape', answered(400, { code: 7, message: ['x'] }), { kind: 'answered', status: 400 }],
    ['not JSON', { status: 'PARSING_ERROR', originalStatus: 502, data: '<html>', error: 'SyntaxError' }, { kind: 'answered', status: 502 }],
    ['the portal refused', { status: 'CUSTOM_ERROR', error: 'not_patient' }, { kind: 'portal', code: 'not_patient' }],
    ['something threw', { name: 'TypeError', message: 'x is undefined' }, { kind: 'portal', code: 'unexpected' }],
  ])('%s', (_case, error, expected) => {
    expect(serverProblem(error)).toEqual(expected);
  });
});

describe('problemMessage', () => {
  const wording: ProblemWording = {
    unreachable: 'offline',
    byCode: { locked: 'locked out', mine: 'the portal said no' },
    byStatus: { 404: 'not found', 401: 'by status' },
    otherwise: (status, message) => `other ${status} ${message ?? '-'}`,
  };
  it.each<[Parameters<typeof serverProblem>[0], string]>([
    [{ status: 'FETCH_ERROR', error: '' }, 'offline'],
    [answered(401, { code: 'locked', message: 'Locked' }), 'locked out'],
    [answered(401, { code: 'other' }), 'by status'],
    [answered(404), 'not found'],
    [answered(500, { message: 'Boom' }), 'other 500 Boom'],
    [{ status: 'CUSTOM_ERROR', error: 'mine' }, 'the portal said no'],
    [{ status: 'CUSTOM_ERROR', error: 'unknown' }, 'other 0 -'],
  ])('%j → %s', (error, message) => {
    expect(problemMessage(error, wording)).toBe(message);
  });
});
