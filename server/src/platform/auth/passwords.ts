/**
 * Password hashing (argon2id) and the password policy for new accounts.
 *
 * Parameters: OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane). One verification takes about
 * 25 ms on the 2-core build machines, so a sign-in stays well under 100 ms while an offline attacker
 * still pays 19 MiB of memory per guess.
 */
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../contracts/auth.js';

export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/** True when `password` matches; false for a wrong password or a malformed stored hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** True when a stored hash was made with weaker (or different) parameters than today's. */
export function needsRehash(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, ARGON2_OPTIONS);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * A hash of a random password, verified when the e-mail is unknown so that "no such user" takes as
 * long as "wrong password" and response times do not reveal which accounts exist.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummy;
}

/** Passwords seen in every breach list, plus the public demo password. */
const FORBIDDEN = new Set([
  'carebridge-demo',
  'password1234',
  'password12345',
  'password123456',
  '123456789012',
  '1234567890123',
  'qwertyuiop12',
  'qwertyuiopasdf',
  'letmein12345',
  'iloveyou1234',
  'administrator',
  'changeme1234',
  'welcome12345',
]);

/** Problems with a proposed password; an empty list means it is acceptable. */
export function passwordPolicyProblems(password: string, email: string): string[] {
  const problems: string[] = [];
  const lower = password.toLowerCase();
  const normalizedEmail = email.trim().toLowerCase();
  const localPart = normalizedEmail.split('@')[0] ?? '';
  if ([...password].length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (password.length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  if (normalizedEmail && (lower.includes(normalizedEmail) || (localPart.length >= 4 && lower === localPart))) {
    problems.push('must not be the e-mail address');
  }
  if (FORBIDDEN.has(lower)) problems.push('is too common');
  if (password.length > 0 && new Set(password).size === 1) problems.push('must not repeat one character');
  return problems;
}
