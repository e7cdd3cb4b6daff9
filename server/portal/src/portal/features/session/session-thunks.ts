/** Session actions that read the state first: a current access token, and signing out. */
import { useCallback } from 'react';
import type { ThunkAction, UnknownAction } from '@reduxjs/toolkit';
import { baseApi } from '../../api/base-api.js';
import { useAppDispatch } from '../../app/hooks.js';
import type { RootState } from '../../app/store.js';
import { sessionApi } from './session-api.js';
import { selectCredentials, signedOut } from './session-slice.js';

type SessionThunk<R> = ThunkAction<R, RootState, unknown, UnknownAction>;

/** Access tokens are renewed this long before they expire, so a socket never presents a stale one. */
export const REFRESH_MARGIN_MS = 60_000;

export const SESSION_ENDED = 'Your session has ended: sign in again.';

/** A current access token: the one in the session, or a fresh one when it is about to expire. */
export function currentAccessToken(): SessionThunk<Promise<string>> {
  return async (dispatch, getState) => {
    const credentials = selectCredentials(getState());
    if (!credentials) throw new Error(SESSION_ENDED);
    if (Date.now() < credentials.expiresAt - REFRESH_MARGIN_MS) return credentials.accessToken;
    const refreshed = await dispatch(baseApi.endpoints.refreshSession.initiate(undefined, { track: false })).unwrap();
    const next = selectCredentials(getState());
    if (!refreshed || !next) throw new Error(SESSION_ENDED);
    return next.accessToken;
  };
}

/** Signs out at once; the server is told in the background (a failure there changes nothing here). */
export function signOut(): SessionThunk<void> {
  return (dispatch, getState) => {
    const refreshToken = selectCredentials(getState())?.refreshToken;
    dispatch(signedOut());
    // Nothing the patient saw stays cached for whoever uses this tab next.
    dispatch(baseApi.util.resetApiState());
    if (refreshToken) void dispatch(sessionApi.endpoints.signOut.initiate({ refreshToken }, { track: false }));
  };
}

/**
 * The server ended every session of the account (signed out elsewhere, disabled, password changed):
 * its tokens are already revoked, so sign out here and tell the patient why.
 */
export function sessionEnded(message: string): SessionThunk<void> {
  return (dispatch) => {
    dispatch(signedOut({ notice: message }));
    dispatch(baseApi.util.resetApiState());
  };
}

/** `onSessionEnded` for the chat widget. */
export function useSessionEnded(): (message: string) => void {
  const dispatch = useAppDispatch();
  return useCallback((message: string) => dispatch(sessionEnded(message)), [dispatch]);
}

/** `getToken` for the chat widget: resolves to a current access token. */
export function useAccessToken(): () => Promise<string> {
  const dispatch = useAppDispatch();
  return useCallback(() => dispatch(currentAccessToken()), [dispatch]);
}
