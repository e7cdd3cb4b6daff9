/**
 * The RTK Query base query against a real server, in Node: an expired or refused access token is
 * refreshed once (concurrent requests share the refresh) and the request retried; a refused refresh
 * token signs out with a notice. `window.carebridge` is a minimal in-memory bridge, as the preload
 * would provide.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, login } from '@carebridge/server/testing/accounts';
import type { CarebridgeBridge, StoredSession } from '../../shared/ipc-contract.js';
import { createStore } from './store.js';
import { presenceApi } from '../features/presence/index.js';
import { signedIn } from './session/session-slice.js';
import { closeLiveSocket } from '../api/socket.js';

let server: TestServer;
const saved: StoredSession[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const ok = <T>(value: T) => Promise.resolve({ ok: true as const, value });
  const bridge = {
    platform: 'electron',
    session: { load: () => ok(null), save: (s: StoredSession) => (saved.push(s), ok(null)), clear: () => ok(null) },
    setBadge: () => ok(null),
  } as unknown as CarebridgeBridge;
  (globalThis as { window?: unknown }).window = { carebridge: bridge };
});
afterAll(async () => {
  closeLiveSocket();
  delete (globalThis as { window?: unknown }).window;
  await server.close();
});

async function signedInStore(accessToken: (real: string) => string) {
  const user = await createUser(server, { role: 'agent' });
  const session = (await login(server, user.email)).body;
  const store = createStore();
  store.dispatch(signedIn({ serverUrl: server.url, user: session.user, accessToken: accessToken(session.accessToken), refreshToken: session.refreshToken }));
  closeLiveSocket(); // REST only here
  return { store, session, user };
}

describe('base query token refresh', () => {
  it('refreshes a refused access token once for concurrent requests and retries them', async () => {
    const { store, session, user } = await signedInStore(() => 'expired.or.forged');
    const [a, b] = await Promise.all([
      store.dispatch(presenceApi.endpoints.getPresence.initiate(undefined, { forceRefetch: true })),
      store.dispatch(presenceApi.endpoints.setMyPresence.initiate('busy')),
    ]);
    expect(a.error).toBeUndefined();
    expect('error' in b ? b.error : undefined).toBeUndefined();
    const state = store.getState().session;
    expect(state.status).toBe('signedIn');
    expect(state.accessToken).not.toBe('expired.or.forged');
    expect(state.refreshToken).not.toBe(session.refreshToken);
    expect(saved.filter((s) => s.email === user.email)).toHaveLength(1);
    expect(server.context.presence.get(user.id).state).toBe('busy');
  });

  it('signs out with a notice when the refresh token is refused too', async () => {
    const { store, session } = await signedInStore(() => 'expired.or.forged');
    // Rotate the refresh token away, as another device signing out would.
    await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: session.refreshToken }) });
    const result = await store.dispatch(presenceApi.endpoints.getPresence.initiate(undefined, { forceRefetch: true }));
    // Signing out resets the API cache, which drops the failed request.
    expect(result.isError).toBe(true);
    const state = store.getState().session;
    expect(state.status).toBe('signedOut');
    expect(state.accessToken).toBeNull();
    expect(state.notice).toBe('Your session has ended. Sign in again.');
  });
});
