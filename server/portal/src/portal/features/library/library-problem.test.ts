import { describe, expect, it } from 'vitest';
import { libraryProblem } from './library-problem.js';

describe('libraryProblem', () => {
  it.each([
    [{ status: 404, data: { error: { code: 'not_found', message: 'Article x not found.' } } }, { kind: 'not-found' }],
    [{ status: 'FETCH_ERROR', error: 'TypeError: Failed to fetch' }, { kind: 'problem', message: 'Cannot reach the server. Check your connection and try again.' }],
    [{ status: 500, data: { error: { code: 'internal', message: 'boom' } } }, { kind: 'problem', message: 'The article could not be loaded (500). Try again later.' }],
  ] as const)('%j → %j', (error, expected) => {
    expect(libraryProblem(error as never)).toEqual(expected);
  });
});
