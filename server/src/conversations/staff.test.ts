import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../testing/server.js';
import type { ConversationView, MentionEvent, MessageView, OfferEvent } from '../contracts/conversations.js';
import { createUser } from '../testing/accounts.js';
import { mentionedUserIds } from './policy.js';
import { STAFF_ONLY_MESSAGE_KINDS } from '../contracts/conversations.js';
import { auditRows, conversationsHarness, emit, pause, say, storedMessages, until } from '../testing/conversations.js';

let server: TestServer;
const { desk, visitorChat, accept, closeAll, connected } = conversationsHarness(() => server);

// One server per test: every agent has every skill, so one test's agents must not get another's offers.
beforeEach(async () => {
  server = await startTestServer({ ROUTING_OFFER_TIMEOUT_MS: '5000', ROUTING_ALWAYS_OPEN: '1' });
});
afterEach(async () => {
  closeAll();
  await server.context.conversations.idle();
  await server.close();
});

const routedLoad = (agentId: string) => server.context.routing.snapshot().agents.find((a) => a.agentId === agentId);

describe('transfer, wrap-up and close', () => {
  it('A accepts, transfers to B with a note, B wraps up and closes with a disposition; the patient gets every non-note message once, in order', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Pat');
    const offer = await until(() => ann.offers[0]);
    // While the offer is out the conversation is really `offered`.
    expect(server.context.conversations.core.get(chat.conversationId)?.state).toBe('offered');
    await accept(ann, chat.conversationId);
    const bob = await desk('agent-bob');

    expect((await say(ann.socket, chat.conversationId, 'Hi, Ann here.')).ok).toBe(true);
    expect((await say(chat.socket, chat.conversationId, 'I need to move my appointment')).ok).toBe(true);
    expect((await say(ann.socket, chat.conversationId, 'Asked about rescheduling', { kind: 'note' })).ok).toBe(true);

    const transferred = (await emit(ann.socket, 'conversation:transfer', {
      conversationId: chat.conversationId,
      target: { kind: 'agent', agentId: 'agent-bob' },
      note: 'Wants Tuesday morning',
    })) as { ok: true; conversation: ConversationView };
    expect(transferred).toMatchObject({ ok: true, conversation: { state: 'active', agentId: 'agent-bob' } });
    expect(transferred.conversation.participants?.map((p) => [p.userId, p.kind])).toEqual(
      expect.arrayContaining([
        ['agent-bob', 'agent'],
        [expect.stringMatching(/^visitor-/), 'visitor'],
      ]),
    );
    expect(transferred.conversation.participants?.some((p) => p.userId === 'agent-ann')).toBe(false);

    const assigned = await until(() => bob.assigned[0]);
    expect(assigned).toMatchObject({ cause: 'transfer', fromUserId: 'agent-ann', note: 'Wants Tuesday morning', conversation: { id: chat.conversationId, agentId: 'agent-bob' } });
    expect(assigned.packet).toMatchObject({ reason: 'patient-asked' });
    expect(await until(() => ann.removed[0])).toEqual({ conversationId: chat.conversationId, cause: 'transferred' });
    // Routing's load moved with it.
    expect(routedLoad('agent-ann')).toMatchObject({ load: 0, conversationIds: [] });
    expect(routedLoad('agent-bob')).toMatchObject({ load: 1, conversationIds: [chat.conversationId] });

    // Ann is out: she can neither write nor read it; Bob reads everything, the transfer note included.
    expect(await say(ann.socket, chat.conversationId, 'still here?')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const annMessagesBefore = ann.messages.length;
    const history = (await emit(bob.socket, 'conversation:sync', { conversationId: chat.conversationId, afterSeq: 0 })) as { ok: true; messages: MessageView[] };
    expect(history.messages.filter((m) => m.kind === 'note').map((m) => m.body)).toEqual(['Asked about rescheduling', expect.stringContaining('Wants Tuesday morning')]);
    expect((await say(bob.socket, chat.conversationId, 'Hi, Bob here. Tuesday 9:30 works.')).ok).toBe(true);
    await until(() => chat.messages.find((m) => m.body.startsWith('Hi, Bob here')));
    expect(ann.messages.length).toBe(annMessagesBefore);

    const wrapped = (await emit(bob.socket, 'conversation:wrapup', { conversationId: chat.conversationId })) as { ok: true; conversation: ConversationView };
    expect(wrapped.conversation.state).toBe('wrapup');
    expect(await say(chat.socket, chat.conversationId, 'one more thing')).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const before = storedMessages(server, chat.conversationId).length;
    expect(await emit(bob.socket, 'conversation:close', { conversationId: chat.conversationId })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(await emit(bob.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'made-up' })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(await emit(bob.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'RESOLVED!' })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(storedMessages(server, chat.conversationId)).toHaveLength(before);
    expect(server.context.conversations.core.get(chat.conversationId)?.state).toBe('wrapup');

    const closed = (await emit(bob.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'scheduled', notes: 'Moved to Tue 9:30' })) as {
      ok: true;
      conversation: ConversationView;
    };
    expect(closed.conversation).toMatchObject({ state: 'closed', wrapup: { disposition: 'scheduled', notes: 'Moved to Tue 9:30', byUserId: 'agent-bob' } });
    expect(routedLoad('agent-bob')).toMatchObject({ load: 0 });
    expect(await emit(bob.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'resolved' })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // The patient got each message meant for them exactly once, in seq order, and never a note.
    await pause(100);
    const stored = storedMessages(server, chat.conversationId).filter((m) => !(STAFF_ONLY_MESSAGE_KINDS as readonly string[]).includes(m.kind));
    const seqs = chat.messages.map((m) => m.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(seqs).toEqual(stored.map((m) => m.seq));
    expect(chat.messages.some((m) => STAFF_ONLY_MESSAGE_KINDS.includes(m.kind))).toBe(false);
    // tokenFor gives agent-bob a bare account named after its id.
    expect(chat.messages.map((m) => m.body)).toEqual(expect.arrayContaining(['You are now chatting with agent-bob.']));

    const actions = auditRows(server, chat.conversationId).map((r) => [r.actor_id, r.action]);
    expect(actions).toEqual(expect.arrayContaining([['agent-ann', 'conversation.transfer'], ['agent-bob', 'conversation.wrapup'], ['agent-bob', 'conversation.close']]));
    expect(offer.reason.runnersUp).toEqual([]);
  });

  it('transfers to a queue: the agent is freed, the patient reads a line and waits, routing offers it to someone else at the same priority', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Quinn');
    await accept(ann, chat.conversationId);
    const bob = await desk('agent-bob');

    const ack = (await emit(ann.socket, 'conversation:transfer', {
      conversationId: chat.conversationId,
      target: { kind: 'queue', queueId: 'billing' },
      note: 'Invoice question',
    })) as { ok: true; conversation: ConversationView };
    expect(ack).toMatchObject({ ok: true, conversation: { queue: 'billing', priority: 2, agentId: null } });
    expect(await until(() => ann.removed[0])).toEqual({ conversationId: chat.conversationId, cause: 'transferred' });
    await until(() => chat.messages.find((m) => m.kind === 'system' && m.body === 'You are being transferred to Billing. Please wait for the next person.'));

    // Not straight back to Ann: Bob gets the offer.
    const offer = await until(() => bob.offers[0]);
    expect(offer).toMatchObject({ conversationId: chat.conversationId, queue: 'billing', priority: 2 });
    expect(ann.offers).toHaveLength(1);
    expect(server.context.conversations.core.get(chat.conversationId)).toMatchObject({ state: 'offered', queue: 'billing', skills: '["billing"]' });
    expect(routedLoad('agent-ann')).toMatchObject({ load: 0 });
    await accept(bob, chat.conversationId);
    expect(chat.messages.some((m) => m.kind === 'note')).toBe(false);
  });

  it('refuses bad transfers, consults, wrap-ups and closes with the right code, storing nothing and keeping the socket', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Rita');
    await accept(ann, chat.conversationId);
    const bob = await desk('agent-bob');
    const carl = await desk('agent-carl', { presence: 'away' });
    const id = chat.conversationId;
    await connected('/staff', await server.tokenFor({ kind: 'staff', userId: 'agent-dora', email: 'd@example.test', role: 'agent', practitionerId: null }));
    const before = storedMessages(server, id).length;
    const auditBefore = auditRows(server, id).filter((r) => r.action !== 'phi.read').length;

    const cases: [typeof ann, string, unknown, string][] = [
      [ann, 'conversation:transfer', { conversationId: randomUUID(), target: { kind: 'agent', agentId: 'agent-bob' } }, 'not_found'],
      [bob, 'conversation:transfer', { conversationId: id, target: { kind: 'agent', agentId: 'agent-bob' } }, 'forbidden'],
      [ann, 'conversation:transfer', { conversationId: id, target: { kind: 'agent', agentId: 'nobody' } }, 'not_found'],
      [ann, 'conversation:transfer', { conversationId: id, target: { kind: 'agent', agentId: 'agent-dora' } }, 'conflict'], // offline
      [ann, 'conversation:transfer', { conversationId: id, target: { kind: 'agent', agentId: 'agent-ann' } }, 'conflict'],
      [ann, 'conversation:transfer', { conversationId: id, target: { kind: 'queue', queueId: 'astrology' } }, 'not_found'],
      [ann, 'conversation:transfer', { conversationId: id, target: { kind: 'team', id: 'x' } }, 'bad_payload'],
      [ann, 'conversation:transfer', { conversationId: id, target: { kind: 'agent' } }, 'bad_payload'],
      [ann, 'conversation:transfer', { conversationId: id, target: { kind: 'agent', agentId: 'agent-bob' }, note: 'x'.repeat(1001) }, 'bad_payload'],
      [ann, 'conversation:transfer', { conversationId: id, target: { kind: 'agent', agentId: 'agent-bob' }, extra: 1 }, 'bad_payload'],
      [ann, 'conversation:transfer', 'agent-bob', 'bad_payload'],
      [ann, 'conversation:consult', { conversationId: randomUUID(), agentId: 'agent-bob' }, 'not_found'],
      [bob, 'conversation:consult', { conversationId: id, agentId: 'agent-carl' }, 'forbidden'],
      [ann, 'conversation:consult', { conversationId: id, agentId: 'agent-ann' }, 'conflict'],
      [ann, 'conversation:consult', { conversationId: id }, 'bad_payload'],
      [ann, 'conversation:consult-add', { conversationId: id, agentId: 'agent-bob' }, 'conflict'], // not consulting
      [bob, 'conversation:consult-add', { conversationId: id, agentId: 'agent-bob' }, 'forbidden'],
      [bob, 'conversation:leave', { conversationId: id }, 'forbidden'],
      [ann, 'conversation:leave', { conversationId: id }, 'conflict'], // the owner transfers or wraps up instead
      [ann, 'conversation:leave', { conversationId: randomUUID() }, 'not_found'],
      [bob, 'conversation:wrapup', { conversationId: id }, 'forbidden'],
      [ann, 'conversation:wrapup', { conversationId: randomUUID() }, 'not_found'],
      [bob, 'conversation:close', { conversationId: id, disposition: 'resolved' }, 'forbidden'],
      [ann, 'conversation:close', { conversationId: id, disposition: "resolved' OR 1=1 --" }, 'bad_payload'],
      [ann, 'conversation:close', { conversationId: id, disposition: 'resolved', notes: 'x'.repeat(4001) }, 'bad_payload'],
      [ann, 'conversation:close', { conversationId: id, disposition: '' }, 'bad_payload'],
      [bob, 'conversation:hand-back', { conversationId: id }, 'forbidden'],
      [ann, 'conversation:hand-back', { conversationId: randomUUID() }, 'not_found'],
      [ann, 'inbox:list', { extra: true }, 'bad_payload'],
    ];
    for (const [who, event, payload, code] of cases) {
      expect(await emit(who.socket, event, payload), `${who.id} ${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code } });
    }
    expect(storedMessages(server, id)).toHaveLength(before);
    expect(auditRows(server, id).filter((r) => r.action !== 'phi.read')).toHaveLength(auditBefore);
    expect(server.context.conversations.core.get(id)).toMatchObject({ state: 'active', agent_id: 'agent-ann' });
    expect(routedLoad('agent-ann')).toMatchObject({ load: 1 });
    expect(ann.socket.connected && bob.socket.connected && carl.socket.connected).toBe(true);

    // Wrong state: a wrapped-up chat cannot be transferred, consulted or wrapped up again.
    expect(await emit(ann.socket, 'conversation:wrapup', { conversationId: id })).toMatchObject({ ok: true });
    for (const [event, payload] of [
      ['conversation:transfer', { conversationId: id, target: { kind: 'agent', agentId: 'agent-bob' } }],
      ['conversation:transfer', { conversationId: id, target: { kind: 'queue', queueId: 'billing' } }],
      ['conversation:consult', { conversationId: id, agentId: 'agent-bob' }],
      ['conversation:wrapup', { conversationId: id }],
      ['conversation:hand-back', { conversationId: id }],
    ] as const) {
      expect(await emit(ann.socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'conflict' } });
    }
    expect(bob.assigned).toEqual([]);
  });

  it('lets the agent record the wrap-up after the patient ended the chat', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Sol');
    await accept(ann, chat.conversationId);
    expect(await emit(chat.socket, 'conversation:end', { conversationId: chat.conversationId })).toMatchObject({ ok: true });
    expect(routedLoad('agent-ann')).toMatchObject({ load: 0 });
    const closed = await emit(ann.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'no-response' });
    expect(closed).toMatchObject({ ok: true, conversation: { state: 'closed', wrapup: { disposition: 'no-response' } } });
    expect(await emit(ann.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'resolved' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('hands the chat back to the bot over the socket: the agent leaves and is freed, the bot answers again', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Tao');
    await accept(ann, chat.conversationId);
    const ack = await emit(ann.socket, 'conversation:hand-back', { conversationId: chat.conversationId });
    expect(ack).toMatchObject({ ok: true, conversation: { state: 'bot', agentId: null } });
    expect(routedLoad('agent-ann')).toMatchObject({ load: 0 });
    expect(await say(ann.socket, chat.conversationId, 'hello?')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await say(chat.socket, chat.conversationId, '5')).ok).toBe(true);
    await until(() => chat.messages.find((m) => m.sender.kind === 'bot' && m.body.includes('billing or insurance question')));
  });
});

describe('consult', () => {
  it('a consultant reads everything and writes notes only until the agent adds them; then they talk to the patient and may leave', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Uma');
    await accept(ann, chat.conversationId);
    const cleo = await desk('agent-cleo', { presence: 'busy' });
    const id = chat.conversationId;
    expect((await say(ann.socket, id, 'Possible duplicate charge', { kind: 'note' })).ok).toBe(true);

    const consult = (await emit(ann.socket, 'conversation:consult', { conversationId: id, agentId: 'agent-cleo', note: 'Billing rules?' })) as { ok: true; conversation: ConversationView };
    expect(consult.conversation.participants).toContainEqual(expect.objectContaining({ userId: 'agent-cleo', kind: 'consultant' }));
    expect(await until(() => cleo.assigned[0])).toMatchObject({ cause: 'consult', fromUserId: 'agent-ann', note: 'Billing rules?', conversation: { id } });
    expect(await emit(ann.socket, 'conversation:consult', { conversationId: id, agentId: 'agent-cleo' })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const sync = (await emit(cleo.socket, 'conversation:sync', { conversationId: id, afterSeq: 0 })) as { ok: true; messages: MessageView[] };
    expect(sync.messages.map((m) => m.body)).toEqual(expect.arrayContaining(['I want to talk to a person', 'Possible duplicate charge']));
    expect(await say(cleo.socket, id, 'Hello from Cleo')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await say(cleo.socket, id, 'Refund goes via form B', { kind: 'note' })).ok).toBe(true);
    await until(() => ann.messages.find((m) => m.body === 'Refund goes via form B'));
    // The consultant cannot take over the conversation.
    expect(await emit(cleo.socket, 'conversation:consult-add', { conversationId: id, agentId: 'agent-cleo' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await emit(cleo.socket, 'conversation:wrapup', { conversationId: id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    expect(await emit(ann.socket, 'conversation:consult-add', { conversationId: id, agentId: 'agent-cleo' })).toMatchObject({
      ok: true,
      conversation: { agentId: 'agent-ann', participants: expect.arrayContaining([expect.objectContaining({ userId: 'agent-cleo', kind: 'agent' })]) },
    });
    expect((await say(cleo.socket, id, 'Hello from Cleo')).ok).toBe(true);
    await until(() => chat.messages.find((m) => m.body === 'Hello from Cleo'));

    expect(await emit(cleo.socket, 'conversation:leave', { conversationId: id })).toEqual({ ok: true });
    expect(await say(cleo.socket, id, 'me again')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(chat.messages.some((m) => m.kind === 'note')).toBe(false);
    expect(routedLoad('agent-ann')).toMatchObject({ load: 1 });
    expect(auditRows(server, id).map((r) => r.action)).toEqual(expect.arrayContaining(['conversation.consult', 'conversation.consult-add', 'conversation.leave']));
  });
});

describe('inbox after a reconnect', () => {
  it('gives a reconnecting desk its pending offers and open conversations back, and its sockets rejoin their rooms', async () => {
    const first = await desk('agent-ann');
    const chatA = await visitorChat('Val');
    await accept(first, chatA.conversationId);
    const chatB = await visitorChat('Wes');
    const offer = await until(() => first.offers.find((o) => o.conversationId === chatB.conversationId));
    first.socket.disconnect();

    // Back within the presence grace period: the offer is still out.
    const again = await desk('agent-ann');
    const inbox = (await emit(again.socket, 'inbox:list', {})) as { ok: true; conversations: ConversationView[]; offers: OfferEvent[] };
    expect(inbox.offers).toEqual([expect.objectContaining({ offerId: offer.offerId, conversationId: chatB.conversationId, packet: expect.objectContaining({ reason: 'patient-asked' }) })]);
    expect(inbox.conversations.map((c) => [c.id, c.state, c.agentId])).toEqual([[chatA.conversationId, 'active', 'agent-ann']]);
    expect((await say(chatA.socket, chatA.conversationId, 'are you there?')).ok).toBe(true);
    await until(() => again.messages.find((m) => m.body === 'are you there?'));
    expect(await emit(again.socket, 'offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: true, conversation: { id: chatB.conversationId } });

    // Another agent's inbox is empty.
    const other = await desk('agent-zed', { presence: 'away' });
    expect(await emit(other.socket, 'inbox:list', {})).toEqual({ ok: true, conversations: [], offers: [] });
  });
});

describe('offers and the conversation state', () => {
  it('is offered while the offer is out and queued again when it is declined', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Xia');
    const offer = await until(() => ann.offers[0]);
    await until(() => chat.updates.find((c) => c.state === 'offered'));
    expect(chat.updates.at(-1)).not.toHaveProperty('agentId');
    expect(await emit(ann.socket, 'offer:decline', { offerId: offer.offerId })).toEqual({ ok: true });
    expect(server.context.conversations.core.get(chat.conversationId)?.state).toBe('queued');
  });
});

describe('@mentions in notes', () => {
  it('tells the colleagues a note names, once, and never the author, the patient or anyone outside the chat', async () => {
    const [ann, cleo, dora] = await Promise.all([
      createUser(server, { role: 'agent', displayName: 'Ann Agent' }),
      createUser(server, { role: 'agent', displayName: 'Cleo Consultant' }),
      createUser(server, { role: 'agent', displayName: 'Dora Elsewhere' }),
    ]);
    const annDesk = await desk(ann.id);
    const chat = await visitorChat('Uma');
    await accept(annDesk, chat.conversationId);
    const cleoDesk = await desk(cleo.id, { presence: 'busy' });
    const doraDesk = await desk(dora.id, { presence: 'busy' });
    const mentions = new Map<string, MentionEvent[]>();
    for (const d of [annDesk, cleoDesk, doraDesk]) {
      mentions.set(d.id, []);
      d.socket.on('note:mention', (e: MentionEvent) => mentions.get(d.id)!.push(e));
    }
    const id = chat.conversationId;
    expect((await emit(annDesk.socket, 'conversation:consult', { conversationId: id, agentId: cleo.id })).ok).toBe(true);

    const note = (await say(annDesk.socket, id, '@cleo consultant can we waive the fee? (@Dora Elsewhere is not here, @Ann Agent is me)', { kind: 'note' })) as {
      ok: true;
      seq: number;
      messageId: string;
    };
    expect(note.ok).toBe(true);
    const event = await until(() => mentions.get(cleo.id)![0]);
    expect(event).toEqual({ conversationId: id, messageId: note.messageId, seq: note.seq, fromUserId: ann.id, excerpt: expect.stringContaining('can we waive the fee?') });
    // A resend of the same note is not a second mention; a name inside a longer word is no mention.
    const clientMessageId = randomUUID();
    await emit(cleoDesk.socket, 'message:send', { conversationId: id, clientMessageId, body: '@Ann Agent yes, and @Ann Agents is nobody', kind: 'note' });
    await emit(cleoDesk.socket, 'message:send', { conversationId: id, clientMessageId, body: '@Ann Agent yes, and @Ann Agents is nobody', kind: 'note' });
    await until(() => mentions.get(ann.id)!.length > 0);
    await pause(100);
    expect(mentions.get(ann.id)).toHaveLength(1);
    expect(mentions.get(cleo.id)).toHaveLength(1);
    expect(mentions.get(dora.id)).toEqual([]);
    // Text to the patient never mentions anyone.
    expect((await say(annDesk.socket, id, 'Hi @Cleo Consultant')).ok).toBe(true);
    await pause(100);
    expect(mentions.get(cleo.id)).toHaveLength(1);
    void doraDesk;
  });

  it('matches display names case-insensitively and only as whole names', () => {
    const staff = [
      { userId: 'a', displayName: 'Ann Agent' },
      { userId: 'b', displayName: 'Bo' },
    ];
    expect(mentionedUserIds('ping @ann agent!', staff, 'x')).toEqual(['a']);
    expect(mentionedUserIds('@Bob is not @Bo', staff, 'x')).toEqual(['b']);
    expect(mentionedUserIds('@Bob only', staff, 'x')).toEqual([]);
    expect(mentionedUserIds('@Ann Agent', staff, 'a')).toEqual([]);
  });
});
