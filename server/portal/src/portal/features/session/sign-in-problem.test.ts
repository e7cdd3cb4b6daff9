import { describe, expect, it } from 'vitest';
import { NOT_PATIENT, signInProblem } from './sign-in-problem.js';

const refused = (status: number, code?: string, message?: string) => ({ status, data: { error: { code, message } } });

describe('signInProblem', () => {
  it.each<[string, Parameters<typeof signInProblem>[0], string, boolean]>([
    ['wrong password', refused(401, 'invalid_credentials', 'Invalid email or password'), 'The email address or password is wrong.', false],
    ['MFA needed', refused(401, 'mfa_required'), 'Enter the 6-digit code from your authenticator app.', true],
    ['wrong code', refused(401, 'invalid_totp'), 'That authenticator code is wrong or has expired. Try the current code.', true],
    ['a staff account', { status: 'CUSTOM_ERROR', error: NOT_PATIENT }, 'This portal is for patients. Staff sign in to the Carebridge desk.', false],
    ['no answer', { status: 'FETCH_ERROR', error: 'TypeError' }, 'Cannot reach the server. Check your connection and try again.', false],
    ['another refusal, in the server’s words', refused(429, 'too_many_requests', 'Too many sign-in attempts'), 'Too many sign-in attempts', false],
    ['a refusal without words', { status: 'PARSING_ERROR', originalStatus: 502, data: '', error: '' }, 'Sign-in failed (502).', false],
  ])('%s', (_case, error, message, needsCode) => {
    expect(signInProblem(error)).toEqual({ message, needsCode });
  });
});
