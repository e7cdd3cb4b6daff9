/**
 * Sign-in errors, built on the platform's AppError so they reach clients in the usual
 * `{ error: { code, message, details? } }` shape. Clients branch on `code`.
 */
import { AppError, tooManyRequests } from '../errors.js';

/** Unknown e-mail and wrong password look the same, so nobody can probe which accounts exist. */
export const invalidCredentials = () => new AppError('invalid_credentials', 'The e-mail address or password is wrong.');
export const mfaRequired = () =>
  new AppError('mfa_required', 'This account uses two-step sign-in: send the 6-digit code from your authenticator app as "totp".');
export const invalidTotp = (status: 400 | 401 = 401) =>
  new AppError('invalid_totp', 'The authenticator code is wrong, expired or already used.', undefined, status);
export const accountDisabled = () => new AppError('account_disabled', 'This account is disabled. Ask an administrator.');
export const invalidRefreshToken = () =>
  new AppError('invalid_refresh_token', 'The refresh token is invalid, expired or revoked: sign in again.');
export const accountGone = () => new AppError('unauthorized', 'This account no longer exists: sign in again.');
export const mfaUnavailable = () =>
  new AppError('mfa_unavailable', 'The MFA secret of this account cannot be read (the server key changed). Ask an administrator to reset MFA.');
/** Sign-in backoff: the same answer for every account, existing or not, so it reveals none. */
export const signInThrottled = (retryAfterSeconds: number) =>
  tooManyRequests(
    `Too many failed sign-ins for this account or from this network. Wait ${retryAfterSeconds} seconds before trying again.`,
    retryAfterSeconds,
  );
/** Step-up (sensitive changes while signed in): 403, not 401, so clients do not take it for an expired session. */
export const invalidCurrentPassword = () =>
  new AppError('invalid_current_password', 'The current password is wrong. Enter the password you sign in with.');
export const stepUpTotpRequired = () =>
  new AppError('mfa_required', 'This account uses two-step sign-in: send the current 6-digit code from your authenticator app as "totpCode".', undefined, 403);
export const stepUpTotpInvalid = () =>
  new AppError('invalid_totp', 'The authenticator code is wrong, expired or already used.', undefined, 403);
export const rateLimited = (retryAfterSeconds: number) =>
  tooManyRequests(`Too many attempts. Try again in ${retryAfterSeconds} seconds.`, retryAfterSeconds);

/** The Retry-After seconds carried by a 429 from `rateLimited`, if `err` is one. */
export function retryAfterOf(err: unknown): number | undefined {
  if (!(err instanceof AppError) || err.code !== 'too_many_requests') return undefined;
  const details = err.details as { retryAfterSeconds?: unknown } | undefined;
  return typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
}
