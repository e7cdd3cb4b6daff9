import { describe, expect, it } from 'vitest';
import { normaliseServerUrl, signInFailureMessage } from './server-errors.js';

describe('normaliseServerUrl', () => {
  it.each([
    ['https://carebridge.example.org/', 'https://carebridge.example.org'],
    ['  carebridge.example.org  ', 'https://carebridge.example.org'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
    ['https://example.org/carebridge/', 'https://example.org/carebridge'],
    ['http://[::1]:4000', 'http://[::1]:4000'],
  ])('accepts %j as %s', (input, expected) => {
    expect(normaliseServerUrl(input)).toEqual({ ok: true, url: expected });
  });

  it.each([
    ['', 'Enter the server address'],
    ['not a server', 'is not a server address'],
    ['ftp://files.example.org', 'must start with https://'],
    ['javascript:alert(1)', 'is not a server address'],
    ['https://user:pw@example.org', 'must not contain a user name'],
    ['https://example.org/?next=evil', 'must not contain a user name, query or fragment'],
    ['https://exa<mple>.org', 'is not a server address'],
  ])('rejects %j with a clear message', (input, message) => {
    const result = normaliseServerUrl(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });
});

describe('signInFailureMessage', () => {
  it.each([
    [401, 'invalid_credentials', undefined, 'The email address or password is wrong.', undefined],
    [401, 'mfa_required', undefined, 'Enter the 6-digit code from your authenticator app.', true],
    [401, 'invalid_totp', undefined, 'That authenticator code is wrong or has expired. Enter the current code.', true],
    [423, 'locked', { lockedUntil: 'x' }, 'This account is locked after too many failed sign-ins. Try again later or ask an administrator to unlock it.', undefined],
    [429, 'too_many_requests', { retryAfterSeconds: 42 }, 'Too many sign-in attempts. Try again in 42 seconds.', undefined],
    [429, 'too_many_requests', undefined, 'Too many sign-in attempts. Wait a moment and try again.', undefined],
    [403, 'account_disabled', undefined, 'This account is disabled. Ask an administrator.', undefined],
    [500, 'internal', undefined, 'The server had a problem signing you in. Try again in a moment.', undefined],
  ])('HTTP %i %s', (status, code, details, message, mfaRequired) => {
    const result = signInFailureMessage(status, { error: { code, message: 'server words', details } });
    expect(result.message).toBe(message);
    expect(result.mfaRequired).toBe(mfaRequired);
  });
});
