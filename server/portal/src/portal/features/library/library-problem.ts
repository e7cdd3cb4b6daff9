/** What the article page says when an article cannot be shown. */
import type { SerializedError } from '@reduxjs/toolkit';
import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';
import { problemMessage, serverProblem, type ProblemWording } from '../../api/server-errors.js';

const WORDING: ProblemWording = {
  unreachable: 'Cannot reach the server. Check your connection and try again.',
  otherwise: (status) => `The article could not be loaded (${status}). Try again later.`,
};

/** Not found (unknown, unpublished or not for patients) is its own page; anything else a sentence. */
export function libraryProblem(error: FetchBaseQueryError | SerializedError | undefined): { kind: 'not-found' } | { kind: 'problem'; message: string } {
  const problem = serverProblem(error);
  if (problem.kind === 'answered' && problem.status === 404) return { kind: 'not-found' };
  return { kind: 'problem', message: problemMessage(error, WORDING) };
}
