/**
 * The signed-in patient's session, in memory only (a reload signs out; the chat itself resumes from
 * sessionStorage after signing in again). The access token is refreshed shortly before it expires.
 */
import type { AccountUser, SessionResponse } from '../../../src/contracts/auth.js';

export interface PatientSession {
  user: AccountUser;
  getToken(): Promise<string>;
  signOut(): Promise<void>;
}

export type SignInResult =
  | { ok: true; session: PatientSession }
  | { ok: false; code: 'mfa_required' | 'invalid_totp' | 'not_patient' | 'failed'; message: string };

const REFRESH_MARGIN_MS = 60_000;

export async function signIn(email: string, password: string, totp?: string): Promise<SignInResult> {
  let res: Response;
  try {
    res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, ...(totp ? { totp } : {}) }),
    });
  } catch {
    return { ok: false, code: 'failed', message: 'Cannot reach the server. Check your connection and try again.' };
  }
  const body = (await res.json().catch(() => ({}))) as Partial<SessionResponse> & { error?: { code?: string; message?: string } };
  if (!res.ok) {
    const code = body.error?.code;
    if (code === 'mfa_required') return { ok: false, code, message: 'Enter the 6-digit code from your authenticator app.' };
    if (code === 'invalid_totp') return { ok: false, code, message: 'That authenticator code is wrong or has expired. Try the current code.' };
    if (code === 'invalid_credentials') return { ok: false, code: 'failed', message: 'The email address or password is wrong.' };
    return { ok: false, code: 'failed', message: body.error?.message ?? `Sign-in failed (${res.status}).` };
  }
  const session = body as SessionResponse;
  if (session.user.role !== 'patient') {
    void fetch('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: session.refreshToken }) });
    return { ok: false, code: 'not_patient', message: 'This portal is for patients. Staff sign in to the Carebridge desk.' };
  }
  return { ok: true, session: patientSession(session) };
}

function patientSession(initial: SessionResponse): PatientSession {
  let accessToken = initial.accessToken;
  let refreshToken = initial.refreshToken;
  let expiresAt = Date.now() + initial.expiresIn * 1000;
  let refreshing: Promise<string> | null = null;

  const refresh = async (): Promise<string> => {
    const res = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    if (!res.ok) throw new Error('Your session has ended: sign in again.');
    const next = (await res.json()) as SessionResponse;
    accessToken = next.accessToken;
    refreshToken = next.refreshToken;
    expiresAt = Date.now() + next.expiresIn * 1000;
    return accessToken;
  };

  return {
    user: initial.user,
    getToken() {
      if (Date.now() < expiresAt - REFRESH_MARGIN_MS) return Promise.resolve(accessToken);
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
    async signOut() {
      await fetch('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) }).catch(() => undefined);
    },
  };
}
