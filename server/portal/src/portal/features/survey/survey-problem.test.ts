import { describe, expect, it } from 'vitest';
import { sendOutcome, surveyLoadProblem } from './survey-problem.js';

describe('surveyLoadProblem', () => {
  it.each<[Parameters<typeof surveyLoadProblem>[0], string]>([
    [{ status: 404, data: { error: { code: 'not_found' } } }, 'This survey link is not valid. Check that you copied the whole link.'],
    [{ status: 410, data: null }, 'This survey has expired. Thank you all the same.'],
    [{ status: 500, data: null }, 'The survey could not be loaded (500).'],
    [{ status: 'FETCH_ERROR', error: '' }, 'Cannot reach the server. Try again later.'],
  ])('%j → %s', (error, message) => {
    expect(surveyLoadProblem(error)).toBe(message);
  });
});

describe('sendOutcome', () => {
  it.each<[Parameters<typeof sendOutcome>[0], ReturnType<typeof sendOutcome>]>([
    [undefined, { kind: 'done' }],
    [{ status: 409, data: { error: { code: 'conflict' } } }, { kind: 'done' }],
    [{ status: 'FETCH_ERROR', error: '' }, { kind: 'retry' }],
    [{ status: 400, data: { error: { code: 'validation_failed', message: 'answers.q1 is required' } } }, { kind: 'problem', message: 'Your answers could not be sent: answers.q1 is required' }],
    [{ status: 'PARSING_ERROR', originalStatus: 500, data: '', error: '' }, { kind: 'problem', message: 'Your answers could not be sent: 500' }],
  ])('%j', (error, outcome) => {
    expect(sendOutcome(error)).toEqual(outcome);
  });
});
