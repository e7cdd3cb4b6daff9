/** One token refresh at a time, shared by every caller that hit a 401 meanwhile. */
import type { Dispatch } from '@reduxjs/toolkit';
import { getBridge } from '../common/bridge.js';
import { signedOut, tokensRefreshed, type SessionState } from '../app/session/session-slice.js';
import { requestRefresh } from './auth.js';

let inFlight: Promise<boolean> | null = null;

export function refreshSession(dispatch: Dispatch, getState: () => { session: SessionState }): Promise<boolean> {
  inFlight ??= (async () => {
    const { serverUrl, refreshToken, user } = getState().session;
    if (!refreshToken || !user) return false;
    const outcome = await requestRefresh(serverUrl, refreshToken);
    if (outcome.ok) {
      dispatch(tokensRefreshed({ accessToken: outcome.session.accessToken, refreshToken: outcome.session.refreshToken }));
      await getBridge().session.save({ serverUrl, email: user.email, refreshToken: outcome.session.refreshToken });
      return true;
    }
    // A server that is down keeps the session (the connection indicator says so); a refused
    // refresh token ends it.
    if (!outcome.unreachable) {
      await getBridge().session.clear();
      dispatch(signedOut({ notice: outcome.message }));
    }
    return false;
  })().finally(() => {
    inFlight = null;
  });
  return inFlight;
}
