/**
 * Sign-in, refresh and sign-out calls. They use fetch directly (not RTK Query) because the base
 * query itself depends on them, and because sign-in must tell "server down" from "wrong password".
 */
import type { SessionResponse } from '@carebridge/server/contracts';
import { notCarebridgeMessage, signInFailureMessage, unreachableMessage, type ServerErrorBody } from './server-errors.js';

export type AuthOutcome =
  | { ok: true; session: SessionResponse }
  | { ok: false; message: string; mfaRequired?: boolean; unreachable?: boolean };

const TIMEOUT_MS = 10_000;

async function postJson(serverUrl: string, path: string, body: unknown): Promise<{ status: number; json: unknown } | { failed: true; timedOut: boolean }> {
  try {
    const res = await fetch(`${serverUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      credentials: 'omit',
    });
    const type = res.headers.get('content-type') ?? '';
    const json: unknown = type.includes('json') ? await res.json().catch(() => undefined) : undefined;
    return { status: res.status, json };
  } catch (err) {
    return { failed: true, timedOut: err instanceof DOMException && err.name === 'TimeoutError' };
  }
}

function looksLikeSession(json: unknown): json is SessionResponse {
  const s = json as Partial<SessionResponse> | undefined;
  return typeof s?.accessToken === 'string' && typeof s.refreshToken === 'string' && typeof s.user?.role === 'string';
}

function looksLikeCarebridgeError(json: unknown): json is ServerErrorBody {
  return typeof (json as ServerErrorBody | undefined)?.error?.code === 'string';
}

export async function requestSignIn(serverUrl: string, credentials: { email: string; password: string; totp?: string }): Promise<AuthOutcome> {
  const reply = await postJson(serverUrl, '/api/auth/login', credentials);
  if ('failed' in reply) return { ok: false, message: unreachableMessage(serverUrl, reply.timedOut), unreachable: true };
  if (reply.status === 200 && looksLikeSession(reply.json)) return { ok: true, session: reply.json };
  if (!looksLikeCarebridgeError(reply.json)) return { ok: false, message: notCarebridgeMessage(serverUrl) };
  return { ok: false, ...signInFailureMessage(reply.status, reply.json) };
}

export async function requestRefresh(serverUrl: string, refreshToken: string): Promise<AuthOutcome> {
  const reply = await postJson(serverUrl, '/api/auth/refresh', { refreshToken });
  if ('failed' in reply) return { ok: false, message: unreachableMessage(serverUrl, reply.timedOut), unreachable: true };
  if (reply.status === 200 && looksLikeSession(reply.json)) return { ok: true, session: reply.json };
  return { ok: false, message: 'Your session has ended. Sign in again.' };
}

export async function requestSignOut(serverUrl: string, refreshToken: string): Promise<void> {
  await postJson(serverUrl, '/api/auth/logout', { refreshToken });
}
