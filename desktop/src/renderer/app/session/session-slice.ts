/**
 * Who is signed in, to which server, with which tokens. Tokens live only here (memory); Electron
 * additionally keeps the refresh token through the bridge (safeStorage).
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { AccountUser } from '@carebridge/server/contracts';

export type SessionStatus = 'starting' | 'signedOut' | 'signingIn' | 'signedIn';

export interface SessionState {
  status: SessionStatus;
  serverUrl: string;
  user: AccountUser | null;
  accessToken: string | null;
  refreshToken: string | null;
  /** The sign-in form's error, in words for the user. */
  error: string | null;
  /** The server asked for the authenticator code. */
  mfaRequired: boolean;
  /** Why the user is back at the sign-in screen (inactivity, expired session). */
  notice: string | null;
}

export const emptySessionState = (): SessionState => ({
  status: 'starting',
  serverUrl: '',
  user: null,
  accessToken: null,
  refreshToken: null,
  error: null,
  mfaRequired: false,
  notice: null,
});

export interface SignedIn {
  serverUrl: string;
  user: AccountUser;
  accessToken: string;
  refreshToken: string;
}

export const sessionSlice = createSlice({
  name: 'session',
  initialState: emptySessionState,
  reducers: {
    started(state, action: PayloadAction<{ serverUrl: string }>) {
      state.status = 'signedOut';
      state.serverUrl = action.payload.serverUrl;
    },
    signInStarted(state, action: PayloadAction<{ serverUrl: string }>) {
      state.status = 'signingIn';
      state.serverUrl = action.payload.serverUrl;
      state.error = null;
      state.notice = null;
    },
    signInFailed(state, action: PayloadAction<{ message: string; mfaRequired?: boolean }>) {
      state.status = 'signedOut';
      state.error = action.payload.message;
      if (action.payload.mfaRequired !== undefined) state.mfaRequired = action.payload.mfaRequired;
    },
    signedIn(state, action: PayloadAction<SignedIn>) {
      Object.assign(state, action.payload);
      state.status = 'signedIn';
      state.error = null;
      state.notice = null;
      state.mfaRequired = false;
    },
    tokensRefreshed(state, action: PayloadAction<{ accessToken: string; refreshToken: string }>) {
      state.accessToken = action.payload.accessToken;
      state.refreshToken = action.payload.refreshToken;
    },
    signedOut(state, action: PayloadAction<{ notice?: string } | undefined>) {
      state.status = 'signedOut';
      state.user = null;
      state.accessToken = null;
      state.refreshToken = null;
      state.mfaRequired = false;
      state.error = null;
      state.notice = action?.payload?.notice ?? null;
    },
  },
});

export const { started, signInStarted, signInFailed, signedIn, tokensRefreshed, signedOut } = sessionSlice.actions;

export const selectSession = (state: { session: SessionState }) => state.session;
export const selectUser = (state: { session: SessionState }) => state.session.user;
