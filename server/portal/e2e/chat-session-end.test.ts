/**
 * The chat widget's session (the code the portal mounts for a signed-in patient), in Node against a
 * real server: when the socket's access token expires the server closes it (`session:expired`) and
 * the widget connects again with a current token; when the account's sessions end (`session:ended`,
 * here: an administrator disables it) the widget stops and tells the portal, which signs out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { call, createPatient, createUser, login, signedInUser } from '../../src/testing/accounts.js';
import { SESSION_ENDED_MESSAGES } from '../../src/contracts/realtime.js';
import { ChatSession } from '../src/widget/session.js';
import type { ChatStore, SavedChat } from '../src/widget/storage.js';
import { STRINGS } from '../src/widget/strings.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: '3' });
});
afterAll(async () => {
  await server.close();
});

function memoryStore(): ChatStore {
  let saved: SavedChat | null = null;
  return { load: () => saved, save: (chat) => void (saved = chat), clear: () => void (saved = null) };
}

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A signed-in patient's chat, with a getToken that refreshes like the portal's (and counts). */
async function patientChat(mrn: string) {
  const patient = createPatient(server, mrn);
  const user = await createUser(server, { role: 'patient', patientId: patient.id! });
  let session = (await login(server, user.email)).body;
  let refreshes = 0;
  const ended: string[] = [];
  const chat = new ChatSession({
    serverOrigin: server.url,
    channel: 'portal',
    store: memoryStore(),
    strings: STRINGS.en,
    identity: {
      kind: 'patient',
      userId: user.id,
      getToken: async () => {
        const { exp } = JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as { exp: number };
        if (Date.now() < exp * 1000 - 500) return session.accessToken;
        const refreshed = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
        if (refreshed.status !== 200) throw new Error('signed out');
        session = refreshed.body;
        refreshes++;
        return session.accessToken;
      },
      onSessionEnded: (message) => ended.push(message),
    },
  });
  await chat.start();
  expect(chat.state.phase).toBe('chat');
  return { chat, user, ended, refreshes: () => refreshes };
}

describe('the chat widget and the server ending its session', () => {
  it('connects again with a fresh token when the socket’s token expires', async () => {
    const { chat, refreshes } = await patientChat('T-SESSION-END-1');
    try {
      await until(() => refreshes() === 1 && chat.state.connection === 'online', 6000);
      expect(chat.state.phase).toBe('chat');
      expect(chat.state.notice).toBeNull();
    } finally {
      chat.dispose();
    }
  });

  it('stops and tells the portal why when the account is disabled', async () => {
    const { chat, user, ended } = await patientChat('T-SESSION-END-2');
    try {
      const admin = await signedInUser(server, 'admin');
      expect((await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: admin.token, body: { disabled: true } })).status).toBe(200);
      await until(() => ended.length > 0, 1000);
      expect(ended).toEqual([SESSION_ENDED_MESSAGES.disabled]);
      expect(chat.state.notice).toBe(SESSION_ENDED_MESSAGES.disabled);
      expect(chat.state.connection).toBe('idle');
    } finally {
      chat.dispose();
    }
  });
});
