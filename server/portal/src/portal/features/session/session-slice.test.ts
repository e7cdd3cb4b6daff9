import { describe, expect, it } from 'vitest';
import { credentialsRefreshed } from '../../api/credentials.js';
import { emptySessionState, sessionSlice, signedIn, signedOut } from './session-slice.js';

const user = { id: 'u1', email: 'ada@example.test', role: 'patient' as const, displayName: 'Ada Lovelace', mfaEnabled: false };
const first = { accessToken: 'a1', refreshToken: 'r1', expiresAt: 1000 };
const next = { accessToken: 'a2', refreshToken: 'r2', expiresAt: 2000 };
const reduce = sessionSlice.reducer;

describe('session slice', () => {
  it('keeps who signed in and their tokens; signing out forgets both', () => {
    const state = reduce(emptySessionState(), signedIn({ user, credentials: first }));
    expect(state).toEqual({ user, credentials: first, notice: null });
    expect(reduce(state, signedOut())).toEqual(emptySessionState());
  });

  it('keeps why the server ended the session until the next sign-in', () => {
    const state = reduce(emptySessionState(), signedIn({ user, credentials: first }));
    const ended = reduce(state, signedOut({ notice: 'Your account has been disabled. Ask an administrator.' }));
    expect(ended).toEqual({ ...emptySessionState(), notice: 'Your account has been disabled. Ask an administrator.' });
    expect(reduce(ended, signedIn({ user, credentials: next })).notice).toBeNull();
  });

  it('takes refreshed tokens only for the session that asked for them', () => {
    const state = reduce(emptySessionState(), signedIn({ user, credentials: first }));
    expect(reduce(state, credentialsRefreshed({ replaces: 'r1', credentials: next })).credentials).toEqual(next);
    expect(reduce(state, credentialsRefreshed({ replaces: 'r0', credentials: next })).credentials).toEqual(first);
    expect(reduce(emptySessionState(), credentialsRefreshed({ replaces: 'r1', credentials: next })).credentials).toBeNull();
  });
});
