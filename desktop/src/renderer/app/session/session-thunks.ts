/** Starting up, signing in and out. */
import type { Dispatch } from '@reduxjs/toolkit';
import { STAFF_ROLES } from '@carebridge/server/contracts';
import { getBridge, valueOr } from '../../common/bridge.js';
import { requestRefresh, requestSignIn, requestSignOut } from '../../api/auth.js';
import { normaliseServerUrl } from '../../api/server-errors.js';
import { isLiveSocketConnected, sendLive } from '../../api/socket.js';
import { settingsLoaded } from '../settings/settings-slice.js';
import { signInFailed, signInStarted, signedIn, signedOut, started, type SessionState } from './session-slice.js';
import { defaultSettings } from '../../../shared/ipc-contract.js';

type GetState = () => { session: SessionState };

const isStaff = (role: string) => (STAFF_ROLES as readonly string[]).includes(role);

/** Loads settings and the configured server, and resumes a kept session (Electron only). */
export function startSession() {
  return async (dispatch: Dispatch) => {
    const bridge = getBridge();
    const [config, settings, kept] = await Promise.all([
      valueOr(bridge.getConfig(), null),
      valueOr(bridge.settings.get(), defaultSettings),
      valueOr(bridge.session.load(), null),
    ]);
    dispatch(settingsLoaded(settings));
    const serverUrl = kept?.serverUrl ?? config?.serverUrl ?? '';
    dispatch(started({ serverUrl }));
    if (!kept) return;
    const outcome = await requestRefresh(kept.serverUrl, kept.refreshToken);
    if (outcome.ok && isStaff(outcome.session.user.role)) {
      await bridge.session.save({ serverUrl: kept.serverUrl, email: kept.email, refreshToken: outcome.session.refreshToken });
      dispatch(signedIn({ serverUrl: kept.serverUrl, user: outcome.session.user, accessToken: outcome.session.accessToken, refreshToken: outcome.session.refreshToken }));
    } else if (!outcome.ok && !outcome.unreachable) {
      await bridge.session.clear();
    }
  };
}

export function signIn(form: { serverUrl: string; email: string; password: string; totp?: string }) {
  return async (dispatch: Dispatch) => {
    const server = normaliseServerUrl(form.serverUrl);
    if (!server.ok) {
      dispatch(signInFailed({ message: server.message }));
      return;
    }
    // The page's Content-Security-Policy lets a browser talk only to the server it came from.
    if (getBridge().platform === 'web' && new URL(server.url).origin !== window.location.origin) {
      dispatch(
        signInFailed({
          message: `In a browser, the desk signs in only to the server it was opened from (${window.location.origin}). To use ${server.url}, open ${server.url}/desk/ instead.`,
        }),
      );
      return;
    }
    dispatch(signInStarted({ serverUrl: server.url }));
    const totp = form.totp?.replace(/\s+/g, '');
    const outcome = await requestSignIn(server.url, { email: form.email.trim(), password: form.password, ...(totp ? { totp } : {}) });
    if (!outcome.ok) {
      dispatch(signInFailed(outcome.mfaRequired === undefined ? { message: outcome.message } : { message: outcome.message, mfaRequired: outcome.mfaRequired }));
      return;
    }
    const { user, accessToken, refreshToken } = outcome.session;
    if (!isStaff(user.role)) {
      await requestSignOut(server.url, refreshToken);
      dispatch(signInFailed({ message: 'This app is for Carebridge staff. Patients sign in to the patient portal.', mfaRequired: false }));
      return;
    }
    await getBridge().session.save({ serverUrl: server.url, email: user.email, refreshToken });
    dispatch(signedIn({ serverUrl: server.url, user, accessToken, refreshToken }));
  };
}

export function signOut(notice?: string) {
  return async (dispatch: Dispatch, getState: GetState) => {
    const { serverUrl, refreshToken } = getState().session;
    // Tell colleagues at once rather than after the disconnect grace period.
    if (isLiveSocketConnected()) await sendLive('presence:set', { state: 'offline' }, 1000).catch(() => undefined);
    dispatch(signedOut(notice ? { notice } : undefined));
    await getBridge().session.clear();
    if (refreshToken) await requestSignOut(serverUrl, refreshToken).catch(() => undefined);
  };
}
