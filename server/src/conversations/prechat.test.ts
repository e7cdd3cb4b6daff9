/**
 * The widget's pre-chat answers on `conversation:start`: validated (bad payloads are refused and
 * nothing is created), stored on the conversation, and shown to the agent first among the hand-off
 * packet's collected answers, in the offer and in the accepted conversation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PRECHAT_ANSWER_KEYS, type ConversationView, type HandoffPacket } from '../contracts/conversations.js';
import { latestDateOnEarth } from '../contracts/forms.js';
import { call, createPatient } from '../testing/accounts.js';
import { conversationsHarness, emit, say, until, type Desk } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
const h = conversationsHarness(() => server);
const desks: Desk[] = [];
const desk = async (id: string) => {
  const d = await h.desk(id);
  desks.push(d);
  return d;
};

beforeAll(async () => {
  server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1' });
});
afterEach(async () => {
  // Agents sign off for real (no presence grace), so the next test's chat is not offered to them.
  await Promise.all(desks.splice(0).map((d) => emit(d.socket, 'presence:set', { state: 'offline' })));
  h.closeAll();
  await server.context.conversations.idle();
});
afterAll(async () => {
  await server.close();
});

const conversationCount = () => (server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM conversations').get() as { n: number }).n;

async function visitorSocket(name = 'Vera') {
  const reply = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: name } });
  return h.connected('/patient', reply.body.token);
}

describe('conversation:start with pre-chat answers', () => {
  it('the agent sees the visitor’s name, reason, details and date of birth in the offer and the accepted chat', async () => {
    const agent = await desk('agent-prechat');
    const prechat = { reason: 'Billing', reasonDetail: 'A charge from March I do not recognise', dateOfBirth: '1984-02-29' };
    const chat = await h.visitorChat('Vera Prechat', 'I want to talk to a person', { channel: 'widget', prechat });
    const offer = await until(() => agent.offers.find((o) => o.conversationId === chat.conversationId));
    const expected = {
      [PRECHAT_ANSWER_KEYS.reason]: 'Billing',
      [PRECHAT_ANSWER_KEYS.reasonDetail]: 'A charge from March I do not recognise',
      [PRECHAT_ANSWER_KEYS.dateOfBirth]: '1984-02-29',
    };
    expect(offer.packet?.collectedAnswers).toMatchObject(expected);
    // The form's answers come first, the bot's after.
    expect(Object.keys(offer.packet!.collectedAnswers).slice(0, 3)).toEqual(Object.values(PRECHAT_ANSWER_KEYS));
    expect(offer.packet?.collectedAnswers.lastMessage).toBe('I want to talk to a person');
    const accepted = (await emit(agent.socket, 'offer:accept', { offerId: offer.offerId })) as unknown as { ok: true; conversation: ConversationView; packet: HandoffPacket };
    expect(accepted.conversation.visitorName).toBe('Vera Prechat');
    expect(accepted.packet.collectedAnswers).toMatchObject(expected);
    // Patients never get the packet.
    expect(chat.updates.every((c) => c.handoff === undefined)).toBe(true);
  });

  it('keeps markup as the characters typed', async () => {
    const agent = await desk('agent-markup');
    const reason = '<script>alert(1)</script>';
    const chat = await h.visitorChat('<img src=x onerror=alert(1)>', 'agent', { prechat: { reason } });
    const offer = await until(() => agent.offers.find((o) => o.conversationId === chat.conversationId));
    expect(offer.packet?.collectedAnswers[PRECHAT_ANSWER_KEYS.reason]).toBe(reason);
  });

  it('without pre-chat answers (older widgets, other clients) the packet has only the bot’s', async () => {
    const agent = await desk('agent-plain');
    const chat = await h.visitorChat('Plain Paul');
    const offer = await until(() => agent.offers.find((o) => o.conversationId === chat.conversationId));
    expect(Object.keys(offer.packet!.collectedAnswers)).toEqual(['lastMessage']);
  });

  const tomorrowEverywhere = (() => {
    const d = new Date(`${latestDateOnEarth(new Date())}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  })();

  it.each([
    ['a future date of birth', { dateOfBirth: tomorrowEverywhere }, 'cannot be in the future'],
    ['a date that does not exist', { dateOfBirth: '2023-02-29' }, 'must be a date written YYYY-MM-DD'],
    ['another date format', { dateOfBirth: '12/04/1990' }, 'must be a date written YYYY-MM-DD'],
    ['a date before 1900', { dateOfBirth: '1899-12-31' }, 'cannot be before 1900-01-01'],
    ['a number for the date', { dateOfBirth: 19900412 }, 'dateOfBirth'],
    ['a huge reason', { reason: 'x'.repeat(101) }, 'reason'],
    ['a huge detail', { reasonDetail: 'x'.repeat(501) }, 'reasonDetail'],
    ['an empty reason', { reason: '   ' }, 'reason'],
    ['an object for the reason', { reason: { text: 'Billing' } }, 'reason'],
    ['an unknown field', { reason: 'Billing', mrn: '123' }, 'mrn'],
  ])('refuses %s (bad_payload), creates nothing, keeps the socket', async (_name, prechat, words) => {
    const socket = await visitorSocket();
    const before = conversationCount();
    const ack = (await emit(socket, 'conversation:start', { prechat })) as { ok: false; error: { code: string; message: string } };
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe('bad_payload');
    expect(ack.error.message).toContain(words);
    expect(conversationCount()).toBe(before);
    expect(socket.connected).toBe(true);
    // The same socket may try again with a good answer.
    expect(await emit(socket, 'conversation:start', { prechat: { reason: 'Billing', dateOfBirth: '1990-04-12' } })).toMatchObject({ ok: true });
  });

  it('a signed-in patient may give a reason, not a date of birth (they are known)', async () => {
    const record = createPatient(server, `P-prechat-${Date.now()}`);
    const token = await server.tokenFor({ kind: 'patient', userId: `pu-${record.id}`, email: `pu-${record.id}@example.test`, role: 'patient', patientId: record.id! });
    const socket = await h.connected('/patient', token);
    const refused = (await emit(socket, 'conversation:start', { prechat: { reason: 'Billing', dateOfBirth: '1990-04-12' } })) as { ok: false; error: { code: string; message: string } };
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad_payload', message: 'Signed-in patients are known: leave the date of birth out.' } });
    const agent = await desk('agent-patient');
    const started = (await emit(socket, 'conversation:start', { prechat: { reason: 'Prescriptions' } })) as unknown as { ok: true; conversation: ConversationView };
    expect(started.ok).toBe(true);
    expect(await say(socket, started.conversation.id, 'talk to a person')).toMatchObject({ ok: true });
    await server.context.conversations.idle();
    const offer = await until(() => agent.offers.find((o) => o.conversationId === started.conversation.id));
    expect(offer.packet?.collectedAnswers).toMatchObject({ [PRECHAT_ANSWER_KEYS.reason]: 'Prescriptions' });
    expect(offer.packet?.collectedAnswers[PRECHAT_ANSWER_KEYS.dateOfBirth]).toBeUndefined();
  });
});
