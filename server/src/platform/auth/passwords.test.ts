import { describe, expect, it } from 'vitest';
import { ARGON2_OPTIONS, hashPassword, needsRehash, passwordPolicyProblems, verifyPassword } from './passwords.js';

describe('password policy', () => {
  it.each([
    ['a long passphrase for work', 'ana@example.test', []],
    ['short', 'ana@example.test', ['must be at least 12 characters long']],
    ['ana@example.test', 'ana@example.test', ['must not be the e-mail address']],
    ['my ANA@EXAMPLE.TEST password', 'ana@example.test', ['must not be the e-mail address']],
    ['carebridge-demo', 'ana@example.test', ['is too common']],
    ['Password1234', 'ana@example.test', ['is too common']],
    ['zzzzzzzzzzzzzzzz', 'ana@example.test', ['must not repeat one character']],
    ['🔒🔒🔒🔒🔒🔒', 'ana@example.test', ['must be at least 12 characters long', 'must not repeat one character']],
    ['x'.repeat(1025), 'ana@example.test', ['must be at most 1024 characters long', 'must not repeat one character']],
  ])('%s for %s → %j', (password, email, expected) => {
    expect(passwordPolicyProblems(password, email)).toEqual(expected);
  });
});

describe('argon2id hashing', () => {
  it('verifies the right password only, and quickly', async () => {
    const hash = await hashPassword('a long passphrase for work');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    const started = performance.now();
    expect(await verifyPassword(hash, 'a long passphrase for work')).toBe(true);
    // ~25 ms on the 2-core machines; the bound only catches a gross misconfiguration on a busy CI.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await verifyPassword(hash, 'a long passphrase for play')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
    expect(needsRehash(hash)).toBe(false);
    expect(ARGON2_OPTIONS.type).toBe(2); // argon2id
  });
});
