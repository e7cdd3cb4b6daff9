/**
 * Stored routing profiles drive routing: an agent's capacity and skills come from their account, and
 * an admin's edit reaches an agent who is already signed in, without a reconnect.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createUser, signedInUser } from '../testing/accounts.js';
import { conversationsHarness, pause, until } from '../testing/conversations.js';

describe('routing with stored agent profiles', () => {
  let server: TestServer;
  let adminToken = '';
  const harness = conversationsHarness(() => server);
  beforeAll(async () => {
    server = await startTestServer({ ROUTING_ALWAYS_OPEN: 'true' });
    adminToken = (await signedInUser(server, 'admin')).token;
  });
  afterEach(() => harness.closeAll());
  afterAll(async () => {
    await server.close();
  });

  const setProfile = (userId: string, profile: { skills: string[]; capacity: number }) =>
    call(server, 'PUT', `/api/admin/users/${userId}/routing-profile`, { token: adminToken, body: profile });

  it('offers no more chats than the stored capacity, and more at once when an admin raises it', async () => {
    const agent = await createUser(server, { role: 'agent' });
    expect((await setProfile(agent.id, { skills: ['general', 'scheduling', 'billing', 'nurse-line', 'pharmacy', 'spanish'], capacity: 1 })).status).toBe(200);
    const desk = await harness.desk(agent.id);
    const first = await harness.visitorChat('Ana');
    const second = await harness.visitorChat('Ben');
    await harness.accept(desk, first.conversationId);
    await pause(200);
    expect(desk.offers.map((o) => o.conversationId)).toEqual([first.conversationId]);

    expect((await setProfile(agent.id, { skills: ['general', 'scheduling', 'billing', 'nurse-line', 'pharmacy', 'spanish'], capacity: 2 })).status).toBe(200);
    const offer = await until(() => desk.offers.find((o) => o.conversationId === second.conversationId));
    expect(offer.reason.chosen).toMatchObject({ agentId: agent.id, capacity: 2, load: 1 });
  });

  it('does not offer a chat to an agent without the queue skill', async () => {
    const generalist = await createUser(server, { role: 'agent' });
    expect((await setProfile(generalist.id, { skills: ['scheduling'], capacity: 4 })).status).toBe(200);
    const desk = await harness.desk(generalist.id);
    const chat = await harness.visitorChat('Cora', 'I have a question about my bill, talk to a person');
    const queue = server.context.conversations.core.get(chat.conversationId)?.queue;
    expect(queue).not.toBe('scheduling');
    await pause(300);
    expect(desk.offers.filter((o) => o.conversationId === chat.conversationId)).toEqual([]);
  });
});
