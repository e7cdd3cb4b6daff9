/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, what every authenticator app uses) via otplib v13.
 * Verification accepts one step of clock drift either way and returns the matched time step so the
 * caller can refuse a code whose step was already used (replay protection).
 */
import { generateSecret, generateURI, verify } from 'otplib';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_ISSUER = 'Carebridge';

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, accountLabel: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountLabel, secret, period: TOTP_PERIOD_SECONDS });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'wrong' | 'reused' };

/**
 * Checks `code` against `secret` at `nowMs`, allowing ±1 step. A code whose step is at or before
 * `lastUsedStep` is refused even if it is otherwise right.
 */
export async function checkTotp(secret: string, code: string, lastUsedStep: number | null, nowMs = Date.now()): Promise<TotpCheck> {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'wrong' };
  const result = await verify({
    secret,
    token: code,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
  });
  if (!result.valid) return { ok: false, reason: 'wrong' };
  const step = (result as { timeStep: number }).timeStep;
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, reason: 'reused' };
  return { ok: true, step };
}
