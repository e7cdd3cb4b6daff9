/** What the sign-in form says when signing in fails, and whether it should ask for the MFA code. */
import type { SerializedError } from '@reduxjs/toolkit';
import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';
import { problemMessage, serverProblem, type ProblemWording } from '../../api/server-errors.js';

/** The portal's own refusal: the account is not a patient's (staff use the desk). */
export const NOT_PATIENT = 'not_patient';

const NEEDS_CODE = new Set(['mfa_required', 'invalid_totp']);

const WORDING: ProblemWording = {
  unreachable: 'Cannot reach the server. Check your connection and try again.',
  byCode: {
    mfa_required: 'Enter the 6-digit code from your authenticator app.',
    invalid_totp: 'That authenticator code is wrong or has expired. Try the current code.',
    invalid_credentials: 'The email address or password is wrong.',
    [NOT_PATIENT]: 'This portal is for patients. Staff sign in to the Carebridge desk.',
  },
  otherwise: (status, serverMessage) => serverMessage ?? `Sign-in failed (${status}).`,
};

export function signInProblem(error: FetchBaseQueryError | SerializedError | undefined): { message: string; needsCode: boolean } {
  const problem = serverProblem(error);
  return { message: problemMessage(error, WORDING), needsCode: problem.kind === 'answered' && NEEDS_CODE.has(problem.code ?? '') };
}
