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
}

export const emptySessionState = (): SessionState => ({ user: null, credentials: null });

export const sessionSlice = createSlice({
  name: 'session',
  initialState: emptySessionState,
  reducers: {
    signedIn(state, action: PayloadAction<{ user: AccountUser; credentials: Credentials }>) {
      state.user = action.payload.user;
      state.credentials = action.payload.credentials;
    },
    signedOut: () => emptySessionState(),
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
  },
});

declare module '../../app/store.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging
  export interface LazyLoadedSlices extends WithSlice<typeof sessionSlice> {}
}

const injected = sessionSlice.injectInto(rootReducer);

export const { signedIn, signedOut } = sessionSlice.actions;
export const { selectUser, selectCredentials } = injected.selectors;
