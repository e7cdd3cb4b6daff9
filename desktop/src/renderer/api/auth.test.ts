/** Sign-in outcomes against a real server (Node's fetch stands in for the browser's). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { requestSignIn } from './auth.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('requestSignIn', () => {
  it('signs in with the right password', async () => {
    const user = await createUser(server, { role: 'agent' });
    const outcome = await requestSignIn(server.url, { email: user.email, password: TEST_PASSWORD });
    expect(outcome.ok && outcome.session.user.role).toBe('agent');
  });

  it('tells a wrong password, a server that is not Carebridge and a server that is down apart', async () => {
    const user = await createUser(server, { role: 'agent' });
    expect(await requestSignIn(server.url, { email: user.email, password: 'wrong' })).toEqual({ ok: false, message: 'The email address or password is wrong.' });
    // Something answers at this address, but not Carebridge's API.
    expect(await requestSignIn(`${server.url}/desk`, { email: user.email, password: TEST_PASSWORD })).toEqual({
      ok: false,
      message: `${server.url}/desk answered, but it is not a Carebridge server. Check the server address.`,
    });
    const down = await requestSignIn('http://127.0.0.1:9', { email: user.email, password: TEST_PASSWORD });
    expect(down).toMatchObject({ ok: false, unreachable: true, message: expect.stringContaining('Cannot reach the server at http://127.0.0.1:9') });
  });
});
