/**
 * Who is signed in, with which tokens: in memory only, so a reload signs out (the chat itself
 * resumes from sessionStorage once the patient signs in again).
 */
import { createSlice, type PayloadAction, type WithSlice } from '@reduxjs/toolkit';
import type { AccountUser } from '../../../../../src/contracts/auth.js';
import { credentialsRefreshed, type Credentials, type CredentialsState } from '../../api/credentials.js';
import { rootReducer } from '../../app/store.js';

export interface SessionState extends CredentialsState {
  user: AccountUser | null;
  /** Why the patient is signed out, when the server ended the session (shown at the sign-in form). */
  notice: string | null;
}

export const emptySessionState = (): SessionState => ({ user: null, credentials: null, notice: null });

export const sessionSlice = createSlice({
  name: 'session',
  initialState: emptySessionState,
  reducers: {
    signedIn(state, action: PayloadAction<{ user: AccountUser; credentials: Credentials }>) {
      state.user = action.payload.user;
      state.credentials = action.payload.credentials;
      state.notice = null;
    },
    signedOut: (_state, action: PayloadAction<{ notice: string } | undefined>) => ({ ...emptySessionState(), notice: action?.payload?.notice ?? null }),
  },
  extraReducers: (builder) => {
    builder.addCase(credentialsRefreshed, (state, { payload }) => {
      // A refresh that finishes after signing out (or in again) belongs to a session that is gone.
      if (state.credentials?.refreshToken === payload.replaces) state.credentials = payload.credentials;
    });
  },
  selectors: {
    selectUser: (state) => state.user,
    selectCredentials: (state) => state.credentials,
    selectSessionNotice: (state) => state.notice,
  },
});

declare module '../../app/store.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging
  export interface LazyLoadedSlices extends WithSlice<typeof sessionSlice> {}
}

const injected = sessionSlice.injectInto(rootReducer);

export const { signedIn, signedOut } = sessionSlice.actions;
export const { selectUser, selectCredentials, selectSessionNotice } = injected.selectors;
