/** What the survey page says when the survey cannot be read or the answers cannot be sent. */
import type { SerializedError } from '@reduxjs/toolkit';
import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';
import { problemMessage, serverProblem, type ProblemWording } from '../../api/server-errors.js';

const LOAD_WORDING: ProblemWording = {
  unreachable: 'Cannot reach the server. Try again later.',
  byStatus: {
    404: 'This survey link is not valid. Check that you copied the whole link.',
    410: 'This survey has expired. Thank you all the same.',
  },
  otherwise: (status) => `The survey could not be loaded (${status}).`,
};

export const surveyLoadProblem = (error: FetchBaseQueryError | SerializedError | undefined) => problemMessage(error, LOAD_WORDING);

export type SendOutcome = { kind: 'done' } | { kind: 'retry' } | { kind: 'problem'; message: string };

/** After sending the answers: done (409: they were already in), try again (no answer), or a problem. */
export function sendOutcome(error: FetchBaseQueryError | SerializedError | undefined): SendOutcome {
  if (!error) return { kind: 'done' };
  const problem = serverProblem(error);
  if (problem.kind === 'unreachable') return { kind: 'retry' };
  if (problem.kind === 'answered' && problem.status === 409) return { kind: 'done' };
  const detail = problem.kind === 'answered' ? (problem.message ?? problem.status) : problem.code;
  return { kind: 'problem', message: `Your answers could not be sent: ${detail}` };
}
