/**
 * What the api layer needs from the session: the tokens of the signed-in patient, kept in memory
 * only (a reload signs out). The session feature keeps them in `state.session` and takes
 * `credentialsRefreshed`; the api layer reads them through `selectCredentials` and never imports the
 * feature.
 */
import { createAction } from '@reduxjs/toolkit';
import type { SessionResponse } from '../../../../src/contracts/auth.js';

export interface Credentials {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in epoch milliseconds. */
  expiresAt: number;
}

/** The part of the session's state the api layer relies on. */
export interface CredentialsState {
  credentials: Credentials | null;
}

interface StateWithCredentials {
  session?: CredentialsState;
}

export const selectCredentials = (state: unknown): Credentials | null => (state as StateWithCredentials).session?.credentials ?? null;

export function credentialsFrom(session: Pick<SessionResponse, 'accessToken' | 'refreshToken' | 'expiresIn'>, now = Date.now()): Credentials {
  return { accessToken: session.accessToken, refreshToken: session.refreshToken, expiresAt: now + session.expiresIn * 1000 };
}

/** A refresh succeeded; `replaces` is the refresh token it used (ignored if that session is gone). */
export const credentialsRefreshed = createAction<{ replaces: string; credentials: Credentials }>('api/credentialsRefreshed');
