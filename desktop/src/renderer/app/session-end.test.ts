/**
 * The desk's live socket and the server's session events, in Node against a real server: when the
 * access token expires the server ends the socket (`session:expired`) and the desk refreshes its
 * token and connects again by itself; when an administrator disables the account (or it signs out
 * elsewhere) the server ends its sessions (`session:ended`) and the desk signs out, saying why.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { call, createUser, login, signedInUser } from '@carebridge/server/testing/accounts';
import { SESSION_ENDED_MESSAGES } from '@carebridge/server/contracts';
import type { CarebridgeBridge } from '../../shared/ipc-contract.js';
import { createStore } from './store.js';
import { signedIn } from './session/session-slice.js';
import { closeLiveSocket } from '../api/socket.js';

let server: TestServer;
let cleared = 0;

beforeAll(async () => {
  server = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: '3' });
  const ok = <T>(value: T) => Promise.resolve({ ok: true as const, value });
  const bridge = {
    platform: 'electron',
    session: { load: () => ok(null), save: () => ok(null), clear: () => (cleared++, ok(null)) },
    setBadge: () => ok(null),
    notify: () => ok(null),
  } as unknown as CarebridgeBridge;
  (globalThis as { window?: unknown }).window = { carebridge: bridge };
});
afterEach(() => closeLiveSocket());
afterAll(async () => {
  delete (globalThis as { window?: unknown }).window;
  await server.close();
});

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function signedInDesk() {
  const user = await createUser(server, { role: 'agent' });
  const session = (await login(server, user.email)).body;
  const store = createStore();
  store.dispatch(signedIn({ serverUrl: server.url, user: session.user, accessToken: session.accessToken, refreshToken: session.refreshToken }));
  await until(() => store.getState().connection.status === 'connected', 3000);
  return { store, session, user };
}

describe('the desk and the server ending its session', () => {
  it('refreshes the token and reconnects when the socket’s access token expires', async () => {
    const { store, session, user } = await signedInDesk();
    const { exp } = JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as { exp: number };
    await until(() => store.getState().session.accessToken !== session.accessToken, exp * 1000 - Date.now() + 3000);
    await until(() => store.getState().connection.status === 'connected', 3000);
    expect(store.getState().session.status).toBe('signedIn');
    expect(server.context.presence.connectionCount(user.id)).toBe(1);
  });

  it('signs out with the reason when an administrator disables the account', async () => {
    const admin = await signedInUser(server, 'admin');
    const { store, user } = await signedInDesk();
    const before = cleared;
    const res = await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: admin.token, body: { disabled: true } });
    expect(res.status).toBe(200);
    await until(() => store.getState().session.status === 'signedOut', 1000);
    expect(store.getState().session.notice).toBe(SESSION_ENDED_MESSAGES.disabled);
    expect(store.getState().session.refreshToken).toBeNull();
    expect(cleared).toBe(before + 1);
    expect(store.getState().connection.status).toBe('idle');
  });
});
